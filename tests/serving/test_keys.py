"""The keys a server accepts: the keys file read and checked line by line, and who a key
belongs to."""

from __future__ import annotations

import pytest

from moderation.errors import InputError
from moderation.serving.keys import MAX_FILE, Key, Keys, read_keys

ANA = "ana-key-7Qx2Lm9Tv4Rb8Nw1"


def test_keys_files_are_read_as_written_and_never_from_a_device(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_bytes(
        "\ufeff# key name role\n\n  long-enough-key-0001   ana  \n"
        "platform-key-0000002 coral platform\n  #indented-key-00003 ghost\n".encode()
    )
    keys = Keys(path)
    assert keys.who("long-enough-key-0001") == Key("ana", "moderator")
    assert keys.who("platform-key-0000002") == Key("coral", "platform")
    assert keys.who("#indented-key-00003") is None and keys.who("") is None
    with pytest.raises(InputError, match="not a regular file"):
        Keys("/dev/zero")


def test_without_a_keys_file_every_request_is_accepted_as_nobody():
    keys = Keys(None)
    assert not keys.required
    assert keys.accepts(None) and keys.accepts("anything")
    assert keys.who("anything") is None


def test_with_a_keys_file_only_its_keys_are_accepted(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_text(f"{ANA} ana\n")
    keys = Keys(path)
    assert keys.required
    assert keys.accepts(ANA) and keys.who(ANA) == Key("ana")
    assert not keys.accepts(None) and not keys.accepts(ANA[:-1]) and not keys.accepts(ANA + "x")
    assert not keys.accepts("\udcff-not-utf8")  # a lone surrogate is compared, not an error


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\xff\xfe key", "is not UTF-8 text"),
        (f"{ANA} {'n' * 65}\n".encode(), "a name is 1-64 printable characters"),
        (f"{ANA} an\x7fa\n".encode(), "a name is 1-64 printable characters"),
    ],
)
def test_read_keys_refuses_what_is_not_a_keys_file(tmp_path, data, problem):
    path = tmp_path / "keys.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match=problem):
        read_keys(path)


def test_read_keys_refuses_a_huge_file_before_reading_it(tmp_path):
    path = tmp_path / "keys.txt"
    with open(path, "wb") as handle:
        handle.truncate(MAX_FILE + 1)
    with pytest.raises(InputError, match="not a keys file"):
        read_keys(path)
