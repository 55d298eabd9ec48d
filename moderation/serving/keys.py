"""The keys a server accepts, and who each one is.

A keys file (``--keys FILE``) has one key per line, with the name of whoever uses it and
their role::

    # key                              name     role
    hM3x9pQ2vT7wK1sL8dF4gZ0aB6nE5rY2   ana      moderator
    Wq8eR4tY1uI7oP3aS9dF6gH2jK5lZ0xC   coral    platform

- ``moderator`` (the default when the role is left out): a person. The review page records
  their answers under their name; they may score comments.
- ``platform``: the comment platform (Coral). It may score comments and send its moderators'
  decisions (``comments:suggestscore``), recorded under its name as the platform's.

Blank lines, and lines whose first non-space character is ``#``, are left out. A byte-order
mark is tolerated. A key is at least 20 characters without spaces, of at least 10 different
characters (``password12345678`` and ``aaaa...`` are refused); two lines may not share a key,
and one name has one role (a platform named like a moderator would supersede their labels).
Any other line is an error naming the file and line, before the server listens.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from moderation.errors import InputError
from moderation.files import check_regular_file

MIN_KEY = 20
MIN_DISTINCT = 10  # different characters in a key
MAX_FILE = 1 << 20  # a keys file is small: refuse a huge one before reading it
ROLES = ("moderator", "platform")
MAKE_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(24))"'


@dataclass(frozen=True)
class Key:
    """Who a key belongs to."""

    name: str
    role: str = "moderator"


class Keys:
    """The keys of a keys file (without one, every request is accepted, as nobody)."""

    def __init__(self, path: str | Path | None = None):
        self._keys: list[tuple[bytes, Key]] = []
        if path is not None:
            self._keys = read_keys(Path(path))

    @property
    def required(self) -> bool:
        return bool(self._keys)

    def who(self, given: str | None) -> Key | None:
        """The key's owner (None: not one of the keys). Every key is compared, in constant
        time, so the answer's timing tells nothing."""
        if not given:
            return None
        candidate = given.encode("utf-8", "surrogatepass")
        found = None
        for known, owner in self._keys:
            if hmac.compare_digest(candidate, known):
                found = owner
        return found

    def accepts(self, given: str | None) -> bool:
        return not self.required or self.who(given) is not None


def read_keys(path: Path) -> list[tuple[bytes, Key]]:
    """The keys of a keys file, checked (see the module's docstring)."""
    check_regular_file(path)
    if os.path.getsize(path) > MAX_FILE:
        raise InputError(path, f"is over {MAX_FILE:,} bytes: not a keys file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(path, f"is not UTF-8 text ({err.reason})") from None
    keys: list[tuple[bytes, Key]] = []
    seen: dict[str, int] = {}
    roles: dict[str, tuple[str, int]] = {}  # name -> its role, and the line that gave it
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, owner = _key_line(path, number, stripped.split())
        if key in seen:
            raise InputError(
                path,
                f"the key is already on line {seen[key]}",
                line=number,
                hint="give each its own key",
            )
        seen[key] = number
        _check_one_role(path, number, owner, roles)
        keys.append((key.encode("utf-8", "surrogatepass"), owner))
    if not keys:
        raise InputError(path, "no keys in the file", hint="write KEY NAME [ROLE] on a line")
    return keys


def _check_one_role(path: Path, number: int, owner: Key, roles: dict[str, tuple[str, int]]) -> None:
    """One name, one role: a platform key named like a moderator would record its decisions
    as that moderator's position, and supersede their labels."""
    role, first = roles.setdefault(owner.name, (owner.role, number))
    if role != owner.role:
        raise InputError(
            path,
            f"{owner.name!r} is a {owner.role} here and a {role} on line {first}",
            line=number,
            hint="give the platform a name of its own (e.g. coral): one role per name",
        )


def _key_line(path: Path, number: int, fields: list[str]) -> tuple[str, Key]:
    """A line's key and its owner, checked."""

    def bad(problem: str, hint: str | None = None) -> InputError:
        return InputError(path, problem, line=number, hint=hint)

    key = fields[0]
    if len(key) < MIN_KEY:
        raise bad(
            f"a key of {len(key)} characters is too short (at least {MIN_KEY})",
            f"make one with {MAKE_KEY}",
        )
    if len(set(key)) < MIN_DISTINCT:
        raise bad(
            f"a key of {len(set(key))} different characters is too easy to guess (at least "
            f"{MIN_DISTINCT})",
            f"make one with {MAKE_KEY}",
        )
    if len(fields) < 2:
        raise bad(
            "a key needs the name of whoever uses it",
            "write KEY NAME [moderator|platform] on each line",
        )
    if len(fields) > 3:
        raise bad(
            f"{len(fields)} fields; a line is KEY NAME [moderator|platform]",
            "a name has no spaces",
        )
    name, role = fields[1], fields[2] if len(fields) == 3 else "moderator"
    if role not in ROLES:
        raise bad(f"unknown role {role!r}", f"roles are {', '.join(ROLES)}")
    if len(name) > 64 or not name.isprintable():
        raise bad("a name is 1-64 printable characters")
    return key, Key(name, role)
