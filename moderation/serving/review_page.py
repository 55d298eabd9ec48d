"""The review page: the label queue of an export as a web page several moderators work through.

==========================================  ===================================================
``GET /review``                             the page (a login form first when keys are set)
``POST /review/login``                      a key in, a session cookie out
``GET /review/static/...``                  the page's script and style (shipped in the package)
``POST /review/api/state``                  the comment to show now (leased), history, progress
``POST /review/api/answer``                 ``{id, answer}``: saved, then the next one
``POST /review/api/undo``                   ``{}``: your last answer withdrawn
``POST /review/api/correct``                ``{id, label}``: an answer in your history
``POST /review/api/lease``                  ``{id}``: still looking at it
==========================================  ===================================================

The queue is scored once when the server starts (``labels.review.shared.SharedQueue``); the
page is plain HTML and a little JavaScript that builds every piece of comment text with
``textContent``, so markup in a comment shows as text. Every request that changes something
is a JSON ``POST`` (``serving.guard`` refuses them from other sites' pages).

Who answers: with keys, the moderator the key names (``serving.keys``): a key in the login form,
``?key=`` or ``Authorization: Bearer`` opens a session (an HttpOnly, SameSite=Strict cookie),
and every answer of that session is recorded under the key's name. Wrong keys are counted per
address and the moderator a browser last signed in as (``serving.limiter``), so a stranger's
wrong keys never lock out a moderator whose browser has signed in here before. Without keys
(a page on this machine), the page asks for a name and sends it with each request
(``labeller``).

An answer the label store cannot take now (busy, full, read-only) is a 503 whose message the
page shows ("not saved: ..."), with the comment kept on screen to answer again.
"""

from __future__ import annotations

import asyncio
import html
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from moderation.errors import InputError
from moderation.flagging.review_queue import load_queue
from moderation.formats import ReadOptions
from moderation.labels.review.shared import QueueView, ReviewRefusal, SharedQueue, check_labeller
from moderation.labels.store import LabelStore
from moderation.serving.guard import MAX_REVIEW_BODY, BodyTooLarge, ServerFull, read_body
from moderation.serving.keys import Key, Keys
from moderation.serving.limiter import DeviceCookies, WrongKeys, client_address
from moderation.serving.perspective import ApiError, parse_json
from moderation.serving.review_item import describe
from moderation.serving.store_writes import RETRY_SECONDS, StoreWriter

log = logging.getLogger("moderation.serve")

COOKIE = "moderation_review"
DEVICE_COOKIE = "moderation_device"  # who this browser last signed in as (serving.limiter)
SESSION_SECONDS = 12 * 3600
DEVICE_SECONDS = 90 * 24 * 3600
ASSETS = {
    "review.js": "text/javascript",
    "review.css": "text/css",
    "favicon.svg": "image/svg+xml",
}


@dataclass
class Session:
    expires: float
    key: Key


class ReviewDesk:
    """What the review routes share: the queue, the model that scored it, the sessions."""

    def __init__(
        self,
        export: str | Path,
        store: LabelStore,
        keys: Keys,
        *,
        model: str | None = None,
        format: str = "auto",
        order: str = "uncertain",
        seed: int = 0,
        lease_seconds: float = 300.0,
        options: ReadOptions | None = None,
        thresholds: list[str] | None = None,
    ):
        queue = load_queue(
            Path(export),
            model=Path(model) if model else None,
            format=format,
            options=options,
            thresholds=thresholds,
        )
        if not queue.items:
            raise InputError(export, "no comments to review in this export")
        self.export = str(export)
        self.model = queue.model
        self.keys = keys
        self.queue = SharedQueue(
            queue.items,
            store,
            model_id=self.model.id,
            order=order,
            seed=seed,
            lease_seconds=lease_seconds,
        )
        self.order = order
        self.sessions: dict[str, Session] = {}
        self.wrong_keys = WrongKeys()  # the server's, shared with its API (serving.app)
        self.devices = DeviceCookies()
        self.writes = StoreWriter(store.path)  # the server's, for /healthz (serving.app)

    # --- keys and sessions --------------------------------------------------------------------

    def session_key(self, request: Request) -> Key | None:
        token = request.cookies.get(COOKIE)
        session = self.sessions.get(token) if token else None
        return session.key if session is not None and session.expires > time.time() else None

    def given_key(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        if request.headers.get("sec-fetch-site") == "cross-site":
            return None  # another site's page linking here with a key: not a sign-in
        return request.query_params.get("key")

    def signed_in(self, request: Request) -> tuple[bool, Key | None]:
        """Whether the request may use the page, and whose key it comes with (None on a
        server without keys). A wrong key counts against the sender's address."""
        if not self.keys.required:
            return True, None
        key = self.session_key(request)
        if key is not None:
            return True, key
        given = self.given_key(request)
        if given is None:
            return False, None
        client = self.client(request)
        if self.wrong_keys.wait(*client):
            return False, None
        key = self.keys.who(given)
        if key is None:
            self.wrong_keys.failed(*client)
        return key is not None, key

    def client(self, request: Request) -> tuple[str, str]:
        """Whom wrong keys count against: the address, and who this browser last was."""
        return client_address(request), self.devices.name(request.cookies.get(DEVICE_COOKIE))

    def open_session(self, response: Response, key: Key) -> None:
        token = secrets.token_urlsafe(24)
        now = time.time()
        self.sessions = {t: s for t, s in self.sessions.items() if s.expires > now}
        self.sessions[token] = Session(now + SESSION_SECONDS, key)
        response.set_cookie(
            COOKIE,
            token,
            max_age=SESSION_SECONDS,
            path="/review",
            httponly=True,
            samesite="strict",
        )
        response.set_cookie(
            DEVICE_COOKIE,
            self.devices.make(key.name),
            max_age=DEVICE_SECONDS,
            path="/review",
            httponly=True,
            samesite="strict",
        )

    def labeller(self, key: Key | None, data: dict[str, Any]) -> str:
        """Who is answering: the key's moderator, else (no keys) the name the page sends."""
        if key is None:
            return check_labeller(data.get("labeller"))
        if key.role != "moderator":
            raise ReviewRefusal(
                403,
                f"{key.name}'s key is the platform's: the review page is for moderators' keys",
            )
        return key.name

    # --- what the page shows ------------------------------------------------------------------

    def view(self, state: QueueView) -> dict[str, object]:
        """A queue state with its comment described for the page (``review_item.ItemView``),
        and the queue's order, export and model."""
        cid = state["item"]
        page: dict[str, object] = {k: v for k, v in state.items() if k != "item"}
        page["item"] = describe(self.queue.items[cid], self.model) if cid else None
        page["order"] = self.order
        page["export"] = Path(self.export).name
        page["model"] = self.model.id
        return page


# --- routes -----------------------------------------------------------------------------------


def _json(value: Any, status: int = 200) -> Response:
    headers = {"cache-control": "no-store"}
    return Response(orjson.dumps(value), status, headers, media_type="application/json")


def _desk(request: Request) -> ReviewDesk:
    # Starlette's request.app is Any; serving.app's Service has a desk whenever these routes exist
    desk: ReviewDesk = request.app.state.service.review
    return desk


def _page(body: str, status: int = 200) -> Response:
    headers = {
        "cache-control": "no-store",
        "content-security-policy": "default-src 'self'; frame-ancestors 'none'",
        "x-content-type-options": "nosniff",
    }
    return Response(body, status, headers, media_type="text/html; charset=utf-8")


LOGIN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Review: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/review/static/review.css">
<link rel="icon" href="/review/static/favicon.svg"></head>
<body><main class="login">
<h1>Review: sign in</h1>
<form method="post" action="/review/login">
<p>{problem}</p>
<label for="key">Key (from the server's keys file)</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="{next}">
<button type="submit">Sign in</button>
</form></main></body></html>
"""


PROBLEM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Review: {title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/review/static/review.css"></head>
<body><main class="login"><h1>{title}</h1><p>{message}</p>
<p><a href="/review">Back to the review page</a></p></main></body></html>
"""


def problem_page(status: int, title: str, message: str) -> Response:
    """An error as a page a moderator can read (not a bare text/plain 500)."""
    return _page(PROBLEM.format(title=html.escape(title), message=html.escape(message)), status)


def _login_form(next_query: str, problem: str = "", status: int = 401) -> Response:
    return _page(
        LOGIN.format(
            problem=html.escape(problem or "This review page needs a key."),
            next=html.escape(next_query, quote=True),
        ),
        status,
    )


async def review_page(request: Request) -> Response:
    desk = _desk(request)
    allowed, key = desk.signed_in(request)
    if not allowed:
        return _login_form(urlencode({k: v for k, v in request.query_params.items() if k != "key"}))
    query = {k: v for k, v in request.query_params.items() if k != "key"}
    if "key" in request.query_params:  # keep the key out of the address bar and history
        response: Response = RedirectResponse(
            "/review" + (f"?{urlencode(query)}" if query else ""), 303
        )
    else:
        response = _page(_asset("review.html"))
    if key is not None and desk.session_key(request) is None:  # signed in by key: a session
        desk.open_session(response, key)
    return response


async def login(request: Request) -> Response:
    desk = _desk(request)
    try:
        body = await read_body(request, MAX_REVIEW_BODY)
    except BodyTooLarge:
        return _login_form("", "That form was too large.", 413)
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    next_query = form.get("next", "")
    client = desk.client(request)
    wait = desk.wrong_keys.wait(*client)
    if wait:
        response = _login_form(
            next_query, f"Too many wrong keys: try again in {int(wait) + 1} s.", 429
        )
        response.headers["retry-after"] = str(int(wait) + 1)
        return response
    key = desk.keys.who(form.get("key", ""))
    if key is None:
        desk.wrong_keys.failed(*client)
        return _login_form(next_query, "That key is not one of this server's keys.", 403)
    target = "/review" + (f"?{next_query}" if next_query and "://" not in next_query else "")
    response = RedirectResponse(target, 303)
    desk.open_session(response, key)
    return response


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS:
        return Response("not found", 404, media_type="text/plain")
    headers = {"cache-control": "no-cache", "x-content-type-options": "nosniff"}
    return Response(_asset(name), 200, headers, media_type=ASSETS[name])


def _asset(name: str) -> str:
    return resources.files("moderation.serving").joinpath("static", name).read_text("utf-8")


# what an API route does with the desk, who answers and the JSON object sent: its JSON answer
Work = Callable[[ReviewDesk, str, dict[str, Any]], Mapping[str, object]]


def _api(work: Work, *, writes: bool = True) -> Callable[[Request], Awaitable[Response]]:
    """An API route: who is asking, the JSON body, refusals as 4xx with a message the page
    shows as it is, a store that cannot take the answer as 503 (``writes``: the route
    writes the store, so its success says the store is writable again)."""

    async def route(request: Request) -> Response:
        desk = _desk(request)
        allowed, key = desk.signed_in(request)
        if not allowed:
            return _json({"error": {"code": 401, "message": "sign in again", "login": True}}, 401)
        data: dict[str, Any] = {}
        try:
            try:
                body = await read_body(request, MAX_REVIEW_BODY)
            except BodyTooLarge:
                raise ReviewRefusal(413, "the request is too large") from None
            parsed = parse_json(body or b"{}")
            if not isinstance(parsed, dict):
                raise ReviewRefusal(400, "send a JSON object")
            data = parsed
            labeller = desk.labeller(key, data)
            result = await asyncio.to_thread(work, desk, labeller, data)
            if writes:
                desk.writes.noted(result)
        except (ReviewRefusal, ApiError) as err:
            error: dict[str, Any] = {"code": err.code, "message": err.message}
            if err.code == 400 and key is None and not data.get("labeller"):
                error["name_needed"] = True  # the page asks for a name
            return _json({"error": error}, err.code)
        except (ClientDisconnect, ServerFull):
            raise  # answered, or not, by serving.guard
        except Exception as err:
            return _failure(desk, err)
        return _json(result)

    return route


def _failure(desk: ReviewDesk, err: Exception) -> Response:
    """An answer that could not be saved, as a message the page shows: 503 when the store
    failed (try again), else 400 for the library's refusal, 500 (logged) for a bug."""
    failure = desk.writes.failed(err)
    if failure is not err:
        message = str(failure)
        if "try again" not in message:
            message += "; try again in a moment"
        error = {"code": 503, "message": message}
        response = _json({"error": error}, 503)
        response.headers["retry-after"] = str(RETRY_SECONDS)
        return response
    if isinstance(err, InputError):
        return _json({"error": {"code": 400, "message": str(err)}}, 400)
    log.exception("error answering the review page")
    error = {"code": 500, "message": "Not saved: the server failed (see its log)"}
    return _json({"error": error}, 500)


def _state(desk: ReviewDesk, labeller: str, data: dict[str, Any]) -> dict[str, object]:
    return desk.view(desk.queue.state(labeller))


def _answer(desk: ReviewDesk, labeller: str, data: dict[str, Any]) -> dict[str, object]:
    return desk.view(desk.queue.answer(labeller, data.get("id"), data.get("answer")))


def _undo(desk: ReviewDesk, labeller: str, data: dict[str, Any]) -> dict[str, object]:
    return desk.view(desk.queue.undo(labeller))


def _correct(desk: ReviewDesk, labeller: str, data: dict[str, Any]) -> dict[str, object]:
    return desk.view(desk.queue.correct(labeller, data.get("id"), data.get("label")))


def _lease(desk: ReviewDesk, labeller: str, data: dict[str, Any]) -> dict[str, bool]:
    return {"held": desk.queue.renew(labeller, data.get("id"))}


async def _to_review(request: Request) -> Response:
    return RedirectResponse("/review", 307)


def review_routes(*, at_root: bool = False) -> list[Route]:
    """The page's routes (``at_root``: ``/`` leads to the page, for `moderation review`)."""
    routes = [
        Route("/review", review_page, methods=["GET"]),
        Route("/review/login", login, methods=["POST"]),
        Route("/review/static/{name}", asset, methods=["GET"]),
        Route("/review/api/state", _api(_state, writes=False), methods=["POST"]),
        Route("/review/api/answer", _api(_answer), methods=["POST"]),
        Route("/review/api/undo", _api(_undo), methods=["POST"]),
        Route("/review/api/correct", _api(_correct), methods=["POST"]),
        Route("/review/api/lease", _api(_lease, writes=False), methods=["POST"]),
    ]
    if at_root:
        routes.append(Route("/", _to_review, methods=["GET"]))
    return routes


class ReviewSettings(Protocol):
    """What the review page reads of a server's settings (``serving.app.ServeSettings``, which
    imports this module)."""

    @property
    def review(self) -> str | None: ...
    @property
    def model(self) -> str | None: ...
    @property
    def review_format(self) -> str: ...
    @property
    def review_order(self) -> str: ...
    @property
    def review_seed(self) -> int: ...
    @property
    def review_lease(self) -> float: ...
    @property
    def review_encoding(self) -> str | None: ...
    @property
    def review_skip_bad(self) -> bool: ...
    @property
    def review_columns(self) -> Sequence[str | None]: ...
    @property
    def review_thresholds(self) -> list[str]: ...


def review_desk_for(
    settings: ReviewSettings, store: LabelStore | None, keys: Keys
) -> ReviewDesk | None:
    """The desk a server's settings ask for (``settings.review``: an export), or None."""
    if not settings.review:
        return None
    if store is None:
        raise InputError(settings.review, "reviewing needs a label store (--labels)")
    return ReviewDesk(
        settings.review,
        store,
        keys,
        model=settings.model,
        format=settings.review_format,
        order=settings.review_order,
        seed=settings.review_seed,
        lease_seconds=settings.review_lease,
        options=ReadOptions.of(
            settings.review_encoding, settings.review_skip_bad, *settings.review_columns
        ),
        thresholds=settings.review_thresholds,
    )
