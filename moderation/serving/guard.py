"""What every request passes before a route sees it (an ASGI middleware).

- **Whose page asks.** A write (``POST``) from a browser carries an ``Origin``; one from
  another site (``Origin`` not this server nor a name given with ``--allow-host``, ``null``,
  or ``Sec-Fetch-Site: cross-site``) is refused, so a web page a moderator happens to open
  cannot plant labels or shrink the queue. Programs (Coral, curl) send no ``Origin`` and are
  not affected.
- **JSON only.** Every write but the login form must be ``Content-Type: application/json``:
  a page on another site cannot send that without the browser asking this server first,
  which it never agrees to.
- **This server's name.** Without keys, the ``Host`` a request names must be this server:
  an IP address, ``localhost``, this machine's name, or a name given with ``--allow-host``.
  A page whose own name was pointed at this machine (DNS rebinding) is refused.
- **Bodies within bounds.** A body longer than the route allows is refused from its declared
  length, before it is read, or as it streams in (413); the rest is never held in memory.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import orjson

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 1_000_000  # bytes, the scoring and decision endpoints
MAX_REVIEW_BODY = 16_000  # bytes, the review page's forms and API
WRITES = ("POST", "PUT", "PATCH", "DELETE")
FORMS = ("/review/login",)  # the writes that are an HTML form, not JSON


class BodyTooLarge(Exception):
    """A request body grew past its limit while it was being read."""

    def __init__(self, limit: int):
        super().__init__(f"the request body is over {limit:,} bytes")
        self.limit = limit


async def read_body(request: Any, limit: int) -> bytes:
    """A Starlette request's body, refused (``BodyTooLarge``) as soon as it passes ``limit``
    bytes, declared or streamed: never read whole first."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise BodyTooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def body_limit(path: str) -> int:
    return MAX_REVIEW_BODY if path.startswith("/review") else MAX_BODY


def local_names() -> set[str]:
    """The names this machine answers to without configuration."""
    names = {"localhost"}
    for lookup in (socket.gethostname, socket.getfqdn):
        try:
            names.add(lookup().lower())
        except OSError:
            continue
    return names


def _hostname(host: str) -> str:
    """``example.org:8080`` -> ``example.org``; ``[::1]:8080`` -> ``::1``."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Guard:
    """The checks of the module's docstring around an ASGI ``app``. ``check_host`` is on for
    a server without keys; ``allowed_hosts`` are the names given with ``--allow-host``."""

    def __init__(self, app: App, *, check_host: bool, allowed_hosts: Iterable[str] = ()):
        self.app = app
        self.check_host = check_host
        self.origins = {h.lower() for h in allowed_hosts}  # pages behind a proxy by that name
        self.names = local_names() | self.origins
        self._hosts: dict[str, bool] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self.refusal(scope["method"], scope["path"], headers)
        if refusal is not None:
            await respond(send, *refusal)
            return
        limit = body_limit(scope["path"])
        started = False
        # a body still to come when the answer starts: close the connection after it, rather
        # than read (and throw away) the rest of a body that may never end
        body_done = headers.get("content-length", "0").strip() in ("", "0") and (
            "transfer-encoding" not in headers
        )

        async def capped_receive() -> dict[str, Any]:
            nonlocal received, body_done
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not body_done:
                    message = {**message, "headers": [*message.get("headers", []), _CLOSE]}
            await send(message)

        received = 0
        try:
            await self.app(scope, capped_receive, watched_send)
        except BodyTooLarge as err:
            if not started:
                await respond(send, 413, str(err))

    def refusal(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str] | None:
        """Why the request is refused before a route sees it: ``(status, message)``."""
        host = headers.get("host", "")
        if self.check_host and not self.host_allowed(host):
            return (
                400,
                f"this server does not answer to the name {_hostname(host)!r}: without keys it "
                "answers only to its addresses, localhost and the names given with --allow-host",
            )
        declared = headers.get("content-length")
        limit = body_limit(path)
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
            return 413, f"the request body is over {limit:,} bytes"
        if method not in WRITES:
            return None
        origin = headers.get("origin")
        cross_site = headers.get("sec-fetch-site") == "cross-site"
        if cross_site or (origin is not None and not self.origin_allowed(origin, host)):
            return (
                403,
                "a write from another site's page is refused (its Origin is not this server)",
            )
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if path not in FORMS and kind != "application/json":
            return 415, "send JSON (Content-Type: application/json)"
        return None

    def host_allowed(self, host: str) -> bool:
        known = self._hosts.get(host)
        if known is None:
            name = _hostname(host).lower().rstrip(".")
            known = bool(name) and (
                _is_address(name) or name in self.names or name.endswith(".localhost")
            )
            if len(self._hosts) < 1000:  # the names clients use, remembered (bounded)
                self._hosts[host] = known
        return known

    def origin_allowed(self, origin: str, host: str) -> bool:
        """The page is this server's own (its origin names the host asked), or is served under
        a name given with ``--allow-host`` (a proxy in front that rewrites the Host)."""
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https"):
            return False
        return (bool(host) and parts.netloc == host) or (parts.hostname or "") in self.origins


async def respond(send: Send, status: int, message: str) -> None:
    """A refusal in the shape every endpoint answers with."""
    body = orjson.dumps({"error": {"code": status, "message": message, "status": _STATUS[status]}})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


_CLOSE = (b"connection", b"close")
_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
}
