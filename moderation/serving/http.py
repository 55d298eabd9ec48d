"""uvicorn's HTTP protocol with a bound on what a request may send before its body.

The parser keeps a header being received in memory until it ends, so one connection sending
an endless header (or millions of short ones) grew the server by hundreds of megabytes. Here
the request line and headers together may be at most ``MAX_HEAD`` bytes, in at most
``MAX_HEADERS`` headers; past that the connection is answered 431 and closed.
"""

from __future__ import annotations

from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD = 64 * 1024  # bytes of request line and headers
MAX_HEADERS = 100


class _TooManyHeaders(Exception):
    pass


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` that refuses heads over ``MAX_HEAD`` bytes or ``MAX_HEADERS``
    headers (431) instead of holding them in memory."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._in_head = True
        self._header_count = 0

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._in_head = True
        self._header_count = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > MAX_HEADERS:
            raise _TooManyHeaders
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

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
        body = message.encode("ascii")
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n"
            b"connection: close\r\n\r\n" + body
        )
        self.transport.close()
