"""What every request passes before a route sees it (an ASGI middleware).

- **Whose page asks.** A write (``POST``) from a browser carries an ``Origin``; one from
  another site (``Origin`` not this server nor a name given with ``--allow-host``, ``null``,
  or ``Sec-Fetch-Site: cross-site``) is refused, so a web page a moderator happens to open
  cannot plant labels or shrink the queue. Programs (Coral, curl) send no ``Origin`` and are
  not affected.
- **JSON only.** Every write but the login form must be ``Content-Type: application/json``:
  a page on another site cannot send that without the browser asking this server first,
  which it never agrees to.
- **This server's name.** The ``Host`` a request names must be this server: an IP address,
  ``localhost``, this machine's name, or a name given with ``--allow-host``. A page whose own
  name was pointed at this machine (DNS rebinding) is refused. With keys, the check is made on
  the review page and on every request a browser sends (one with ``Origin``, ``Cookie`` or
  ``Sec-Fetch-*`` headers): programs that keep Perspective's own name in ``Host`` while
  sending to this server still work.
- **Bodies within bounds.** A body longer than the route allows is refused from its declared
  length, before it is read, or as it streams in (413); the rest is never held in memory.
- **Bytes in flight.** Request and answer bodies held at once, across every request, stay
  under ``MAX_IN_FLIGHT``: a request whose body would pass it is answered 503 with
  ``Retry-After`` before it is read, and a large answer is sent in pieces as the client reads
  it (``serving.http`` drops a client that stops reading). Requests without a body
  (``/healthz``) are always let in.
- **Clients that hang up** mid-body are not an error of the server: nothing is logged above
  debug level and no answer is attempted.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 1_000_000  # bytes, the scoring and decision endpoints
MAX_REVIEW_BODY = 16_000  # bytes, the review page's forms and API
MAX_IN_FLIGHT = 64_000_000  # bytes of bodies held at once, requests and answers together
ANSWER_PIECE = 256 * 1024  # a large answer is sent in pieces of this many bytes
RETRY_SECONDS = 1  # what a 503 for a full server tells a client to wait
log = logging.getLogger("moderation.serve")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
FORMS = ("/review/login",)  # the writes that are an HTML form, not JSON


class ServerFull(Exception):
    """The bodies in flight would pass ``MAX_IN_FLIGHT``: answered 503, Retry-After."""


class BodyTooLarge(Exception):
    """A request body grew past its limit while it was being read."""

    def __init__(self, limit: int):
        super().__init__(f"the request body is over {limit:,} bytes")
        self.limit = limit


async def read_body(request: Request, limit: int) -> bytes:
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


@dataclass
class _Exchange:
    """One request's body and answer as the guard follows them."""

    reserved: int  # bytes of its body counted in flight (declared, then as received)
    body_done: bool  # the whole body is read (or there is none)
    received: int = 0  # bytes of body read so far
    started: bool = False  # the answer has begun


class Guard:
    """The checks of the module's docstring around an ASGI ``app``. ``allowed_hosts`` are the
    values of ``--allow-host``: names (their pages on ports 80 and 443) or whole origins
    (``https://mod.example.org:8443``)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        browsers_only: bool = False,
        allowed_hosts: Iterable[str] = (),
        in_flight: int = MAX_IN_FLIGHT,
    ):
        self.app = app
        self.browsers_only = browsers_only  # the Host check only for browsers (with keys)
        self.origins = {o for h in allowed_hosts for o in allowed_origins(h)}
        self.names = local_names() | {urlsplit(o).hostname or "" for o in self.origins}
        self._hosts: dict[str, bool] = {}
        self.budget = in_flight
        self.in_flight = 0  # bytes of bodies held now, across requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self.refusal(scope["method"], scope["path"], headers)
        if refusal is not None:
            await respond(send, *refusal)
            return
        declared = headers.get("content-length", "0").strip()
        reserved = int(declared) if declared.isdigit() else 0
        # a body still to come when the answer starts: close the connection after it, rather
        # than read (and throw away) the rest of a body that may never end
        body_done = declared in ("", "0") and "transfer-encoding" not in headers
        if not body_done and self.in_flight + max(reserved, 1) > self.budget:
            await respond(send, *_FULL, retry_after=RETRY_SECONDS)
            return
        self.in_flight += reserved
        state = _Exchange(reserved=reserved, body_done=body_done)
        try:
            receiver = self._receiver(receive, scope["path"], state)
            await self.app(scope, receiver, self._sender(send, state))
        except BodyTooLarge as err:
            if not state.started:
                await respond(send, 413, str(err))
        except ServerFull:
            if not state.started:
                await respond(send, *_FULL, retry_after=RETRY_SECONDS)
        except ClientDisconnect:
            log.debug("a client hung up before its request was read: %s", scope["path"])
        finally:
            self.in_flight -= state.reserved

    def _receiver(self, receive: Receive, path: str, state: _Exchange) -> Receive:
        """``receive``, refusing a body past the route's limit or past the bytes in flight."""
        limit = body_limit(path)

        async def capped_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state.received += len(message.get("body", b""))
                state.body_done = not message.get("more_body", False)
                if state.received > limit:
                    raise BodyTooLarge(limit)
                grown = state.received - state.reserved
                if grown > 0:  # a body without a declared length (chunked), counted as it comes
                    state.reserved += grown
                    self.in_flight += grown
                    if self.in_flight > self.budget:
                        raise ServerFull
            return message

        return capped_receive

    def _sender(self, send: Send, state: _Exchange) -> Send:
        """``send``, closing after an answer to an unread body, and sending a large answer in
        pieces, each when the client has read the one before (counted in flight meanwhile)."""

        async def watched_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state.started = True
                if not state.body_done:
                    message = {**message, "headers": [*message.get("headers", []), _CLOSE]}
            body = message.get("body", b"")
            if message["type"] != "http.response.body" or len(body) <= ANSWER_PIECE:
                await send(message)
                return
            self.in_flight += len(body)
            try:
                more = message.get("more_body", False)
                view = memoryview(body)
                for start in range(0, len(body), ANSWER_PIECE):
                    piece = bytes(view[start : start + ANSWER_PIECE])
                    last = start + ANSWER_PIECE >= len(body)
                    await send({**message, "body": piece, "more_body": more or not last})
            finally:
                self.in_flight -= len(body)

        return watched_send

    def refusal(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str] | None:
        """Why the request is refused before a route sees it: ``(status, message)``."""
        host = headers.get("host", "")
        if self.checks_host(path, headers) and not self.host_allowed(host):
            return (
                400,
                f"this server does not answer to the name {_hostname(host)!r}: it answers only "
                "to its addresses, localhost and the names given with --allow-host",
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

    def checks_host(self, path: str, headers: dict[str, str]) -> bool:
        if not self.browsers_only or path.startswith("/review"):
            return True
        return any(h in headers for h in _BROWSER_HEADERS)

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
        """The page is this server's own (its origin names the host and port asked), or is one
        ``--allow-host`` gave: the same scheme, name and port (a proxy in front)."""
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https"):
            return False
        return (bool(host) and parts.netloc == host) or _origin(origin) in self.origins


def _origin(url: str) -> str | None:
    """``scheme://name[:port]`` with the scheme's default port left out; None if malformed."""
    parts = urlsplit(url.strip().lower())
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _PORTS or not parts.hostname:
        return None
    name = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    shown = f":{port}" if port and port != _PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{name}{shown}"


def allowed_origins(value: str) -> set[str]:
    """The origins one ``--allow-host`` value allows: a bare name its pages over http and
    https on their default ports; a whole origin (``https://name:port``) just that."""
    if "://" in value:
        found = _origin(value)
        return {found} if found else set()
    return {o for scheme in _PORTS if (o := _origin(f"{scheme}://{value}"))}


async def respond(send: Send, status: int, message: str, *, retry_after: int | None = None) -> None:
    """A refusal in the shape every endpoint answers with (Perspective's)."""
    body = orjson.dumps({"error": {"code": status, "message": message, "status": _STATUS[status]}})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


_CLOSE = (b"connection", b"close")
_BROWSER_HEADERS = ("origin", "cookie", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest")
_PORTS = {"http": 80, "https": 443}
_FULL = (503, "the server is holding as many request bodies as it may: try again shortly")
_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
}
