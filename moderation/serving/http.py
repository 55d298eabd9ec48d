"""uvicorn's HTTP protocol with bounds on what a connection may hold: bytes, time and number.

- **Bytes.** The parser keeps a header being received in memory until it ends, so one
  connection sending an endless header grew the server by hundreds of megabytes. The request
  line and headers together may be at most ``MAX_HEAD`` bytes, in at most ``MAX_HEADERS``
  headers; past that the connection is answered 431 and closed.
- **Time** (``ConnectionLimits.request_timeout``). A connection must send a request's whole
  head within that many seconds of opening (or of its last answer), then the request's whole
  body within as many again; a client that stops reading an answer for that long is dropped
  (its unsent bytes freed). A stalled head or body is answered 408 and closed. Without this,
  1,000 idle or slowloris connections held every file descriptor and nobody else was answered.
- **Number** (``ConnectionLimits.max_connections``, kept below the open-file limit). Past it,
  a new connection closes the one that has waited longest without sending a request head (an
  idle or trickling connection, never one being answered), so a client that asks at once is
  answered however many idle connections are open; only when every connection is busy is the
  new one answered 503.

uvicorn's own ``limit_concurrency`` is not used: it counts idle connections too and answers the
*new* request 503, so idle connections would still shut real clients out.
"""

from __future__ import annotations

import asyncio
import resource
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD = 64 * 1024  # bytes of request line and headers
MAX_HEADERS = 100
SPARE_FILES = 100  # descriptors kept for the store, the model files, logs and threads


@dataclass(frozen=True)
class ConnectionLimits:
    request_timeout: float = 10.0  # seconds for a head, then for a body, or a paused reader
    max_connections: int = 2000  # open connections (lowered to fit the open-file limit)


def open_files_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit; the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def configure(limits: ConnectionLimits) -> ConnectionLimits:
    """Set the limits every connection of this process follows (the connection cap lowered
    to fit the open-file limit); the limits in force."""
    room = max(open_files_limit() - SPARE_FILES, 16)
    BoundedHttpToolsProtocol.limits = ConnectionLimits(
        limits.request_timeout, min(limits.max_connections, room)
    )
    return BoundedHttpToolsProtocol.limits


class _TooManyHeaders(Exception):
    pass


_Timer = Literal["_timer", "_write_timer"]  # the attributes holding a connection's deadlines


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` within the bounds of the module's docstring."""

    limits = ConnectionLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._in_head = True
        self._head_started = False  # a request head is partly received
        self._header_count = 0
        self.waiting_since: float | None = None  # waiting for a request head since (loop time)
        self._timer: asyncio.TimerHandle | None = None  # the head's or body's deadline
        self._write_timer: asyncio.TimerHandle | None = None  # the paused reader's deadline

    # --- time and number ------------------------------------------------------------------

    # uvicorn narrows asyncio.Protocol's BaseTransport to a Transport (and ignores it too)
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()
        if len(self.connections) > self.limits.max_connections:
            self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def _make_room(self) -> None:
        """Over the cap: close the connection idle longest, else refuse this one (503)."""
        idle = {
            c: c.waiting_since
            for c in self.connections
            if isinstance(c, BoundedHttpToolsProtocol)
            and c is not self
            and c.waiting_since is not None
        }
        if idle:
            oldest = min(idle, key=idle.__getitem__)
            oldest.transport.abort()
            return
        self._close_with(b"503 Service Unavailable", "too many connections: try again shortly")

    def _await_head(self) -> None:
        self.waiting_since = self.loop.time()
        self._arm("_timer", self._head_timed_out)

    def _arm(self, name: _Timer, handler: Callable[[], None]) -> None:
        timer = getattr(self, name)
        if timer is not None:
            timer.cancel()
        setattr(self, name, self.loop.call_later(self.limits.request_timeout, handler))

    def _cancel(self, name: _Timer) -> None:
        timer = getattr(self, name)
        if timer is not None:
            timer.cancel()
            setattr(self, name, None)

    def _cancel_timers(self) -> None:
        self._cancel("_timer")
        self._cancel("_write_timer")

    def _head_timed_out(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self._head_started:
            self._close_with(b"408 Request Timeout", "the request's headers came too slowly")
        else:
            self.transport.close()  # an idle connection: closed, as after keep-alive

    def _body_timed_out(self) -> None:
        self._timer = None
        cycle = self.cycle
        if self.transport.is_closing() or cycle is None:
            return
        started = cycle.response_started or bool(self.pipeline)  # an answer is under way
        cycle.disconnected = True  # the route reads a disconnect; its answer goes nowhere
        cycle.message_event.set()
        if started:
            self.transport.abort()
        else:
            self._close_with(b"408 Request Timeout", "the request's body came too slowly")

    def _write_timed_out(self) -> None:
        self._write_timer = None
        if not self.transport.is_closing():
            self.transport.abort()  # a client that stopped reading: its unsent answer dropped

    def _close_with(self, status: bytes, message: str) -> None:
        body = message.encode("ascii")
        self.transport.write(
            b"HTTP/1.1 " + status + b"\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n"
            b"connection: close\r\n\r\n" + body
        )
        self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._in_head = True
        self._head_started = True
        self._header_count = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > MAX_HEADERS:
            raise _TooManyHeaders
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_started = False
        self.waiting_since = None
        self._cancel("_timer")
        if self._has_body():
            self._arm("_timer", self._body_timed_out)
        super().on_headers_complete()

    def _has_body(self) -> bool:
        for name, value in self.headers:
            if name == b"content-length" and value.strip() not in (b"", b"0"):
                return True
            if name == b"transfer-encoding":
                return True
        return False

    def on_message_complete(self) -> None:
        self._cancel("_timer")
        super().on_message_complete()

    def on_response_complete(self) -> None:
        next_waiting = bool(self.pipeline)
        super().on_response_complete()
        if not next_waiting and not self.transport.is_closing():
            self._await_head()

    def pause_writing(self) -> None:
        super().pause_writing()
        self._arm("_write_timer", self._write_timed_out)

    def resume_writing(self) -> None:
        self._cancel("_write_timer")
        super().resume_writing()

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        while data:
            if self.transport.is_closing():
                return
            piece = data
            if self._in_head:
                allowance = MAX_HEAD - self._head_bytes
                if allowance <= 0:
                    self._refuse(f"the request's headers are over {MAX_HEAD:,} bytes")
                    return
                piece = data[:allowance]
                self._head_bytes += len(piece)
            data = data[len(piece) :]
            if not self._feed(piece):
                return

    def _feed(self, data: bytes) -> bool:
        """The parser fed; False when the connection was answered and closed."""
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as err:
            if isinstance(err.__context__, _TooManyHeaders):
                self._refuse(f"over {MAX_HEADERS} headers in one request")
                return False
            raise
        except httptools.HttpParserError:
            self.send_400_response("Invalid HTTP request received.")
            return False
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return False
        return True

    def _refuse(self, message: str) -> None:
        self._close_with(b"431 Request Header Fields Too Large", message)
