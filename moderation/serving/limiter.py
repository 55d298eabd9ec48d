"""How many wrong keys a client may try: the same count on every route of a keyed server.

Wrong keys are counted per **(address, name)**: the client's address (an IPv6 client by its
/64 network, so it cannot hop through its own addresses) and, on the review page, the name of
the moderator a browser last signed in as (its device cookie, ``DeviceCookies``). Past
``TRIES`` wrong keys in ``WINDOW`` seconds that pair waits (429 with ``Retry-After``) and its
keys are not checked. So a stranger repeating wrong keys from a moderator's own address (a
shared proxy, an SSH tunnel, a page rebound to 127.0.0.1) locks out only browsers that have
never signed in here, never a moderator whose browser has.

Memory is bounded: at most ``ENTRIES`` pairs of at most ``TRIES`` times each, the least recently
failed forgotten first, and pairs whose window has passed dropped as new failures come.
The address is the peer's socket address unless ``--trusted-proxy`` names the proxy whose
``X-Forwarded-For`` to believe (``serving.app.run``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import OrderedDict, deque

from starlette.requests import HTTPConnection

TRIES = 5  # wrong keys one (address, name) may give in WINDOW seconds
WINDOW = 60.0
ENTRIES = 10_000


def client_address(request: HTTPConnection) -> str:
    """The client's address as a short canonical string (IPv6 as its /64 network)."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class WrongKeys:
    """Wrong keys per (address, name) in the last ``window`` seconds (module docstring)."""

    def __init__(self, tries: int = TRIES, window: float = WINDOW, entries: int = ENTRIES):
        self.tries, self.window, self.entries = tries, window, entries
        self.failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    def wait(self, address: str, name: str = "") -> float:
        """Seconds the pair must wait before a key of theirs is checked again (0: none)."""
        times = self.failures.get((address, name))
        if times is None or len(times) < self.tries:
            return 0.0
        return max(times[0] + self.window - time.monotonic(), 0.0)

    def failed(self, address: str, name: str = "") -> None:
        now = time.monotonic()
        pair = (address, name)
        times = self.failures.pop(pair, None) or deque(maxlen=self.tries)
        times.append(now)
        self.failures[pair] = times  # the most recent last
        self._forget(now)

    def _forget(self, now: float) -> None:
        """Pairs whose last failure is out of the window, and the oldest past ``entries``."""
        while self.failures:
            pair, times = next(iter(self.failures.items()))
            if len(self.failures) > self.entries or times[-1] <= now - self.window:
                del self.failures[pair]
            else:
                return


class DeviceCookies:
    """A signed cookie value naming the moderator a browser signed in as (for ``WrongKeys``);
    the secret lives in this process, so a restart forgets every device."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def make(self, name: str) -> str:
        return f"{name.encode().hex()}.{self._sign(name)}"

    def name(self, value: str | None) -> str:
        """The name a cookie value was made for ("" for none, or a forged one)."""
        if not value or "." not in value or len(value) > 400:
            return ""
        encoded, signature = value.rsplit(".", 1)
        try:
            name = bytes.fromhex(encoded).decode()
        except ValueError:
            return ""
        return name if hmac.compare_digest(signature, self._sign(name)) else ""

    def _sign(self, name: str) -> str:
        return hmac.new(self._secret, name.encode(), hashlib.sha256).hexdigest()[:32]
