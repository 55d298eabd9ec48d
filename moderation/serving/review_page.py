"""The review page: the label queue of an export as a web page several moderators work through.

==========================================  ===================================================
``GET /review``                             the page (a login form first when keys are set)
``POST /review/login``                      a key in, a session cookie out
``GET /review/static/...``                  the page's script and style (shipped in the package)
``GET /review/api/state?labeller=NAME``     the comment to show NAME now, history, progress
``POST /review/api/answer``                 ``{labeller, id, answer}``: saved, then the next one
``POST /review/api/undo``                   ``{labeller}``: the last answer withdrawn
``POST /review/api/correct``                ``{labeller, id, label}``: an answer in the history
``POST /review/api/lease``                  ``{labeller, id}``: still looking at it
==========================================  ===================================================

The queue is scored once when the server starts (``labels.review.shared.SharedQueue``); the page is
plain HTML and a little JavaScript that builds every piece of comment text with ``textContent``,
so markup in a comment shows as text. The server's keys protect the page and its API: a key in
the login form, ``?key=`` or ``Authorization: Bearer`` opens a session (an HttpOnly cookie).
"""

from __future__ import annotations

import asyncio
import html
import secrets
import time
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from moderation.errors import InputError
from moderation.formats import ReadOptions
from moderation.labels.review.queue import load_queue
from moderation.labels.review.shared import ReviewRefusal, SharedQueue, check_labeller
from moderation.labels.store import LabelStore
from moderation.serving.live import Keys
from moderation.serving.perspective import ApiError, parse_json
from moderation.serving.review_item import describe

COOKIE = "moderation_review"
SESSION_SECONDS = 12 * 3600
ASSETS = {
    "review.js": "text/javascript",
    "review.css": "text/css",
    "favicon.svg": "image/svg+xml",
}
MAX_BODY = 10_000


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
        self.sessions: dict[str, float] = {}

    # --- keys and sessions --------------------------------------------------------------------

    def in_session(self, request: Request) -> bool:
        token = request.cookies.get(COOKIE)
        return bool(token) and self.sessions.get(token, 0.0) > time.time()

    def signed_in(self, request: Request) -> bool:
        if not self.keys.required or self.in_session(request):
            return True
        header = request.headers.get("authorization", "")
        key = header[7:].strip() if header.lower().startswith("bearer ") else None
        return self.keys.accepts(key or request.query_params.get("key"))

    def open_session(self, response: Response) -> None:
        token = secrets.token_urlsafe(24)
        now = time.time()
        self.sessions = {t: end for t, end in self.sessions.items() if end > now}
        self.sessions[token] = now + SESSION_SECONDS
        response.set_cookie(
            COOKIE,
            token,
            max_age=SESSION_SECONDS,
            path="/review",
            httponly=True,
            samesite="strict",
        )

    # --- what the page shows ------------------------------------------------------------------

    def view(self, state: dict[str, Any]) -> dict[str, Any]:
        """A queue state with its comment described for the page."""
        cid = state.pop("item")
        state["item"] = describe(self.queue.items[cid], self.model) if cid else None
        state["order"] = self.order
        state["export"] = Path(self.export).name
        state["model"] = self.model.id
        return state


# --- routes -----------------------------------------------------------------------------------


def _json(value: Any, status: int = 200) -> Response:
    headers = {"cache-control": "no-store"}
    return Response(orjson.dumps(value), status, headers, media_type="application/json")


def _desk(request: Request) -> ReviewDesk:
    return request.app.state.service.review


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
    if not desk.signed_in(request):
        return _login_form(request.url.query)
    query = {k: v for k, v in request.query_params.items() if k != "key"}
    if "key" in request.query_params:  # keep the key out of the address bar and history
        response: Response = RedirectResponse(
            "/review" + (f"?{urlencode(query)}" if query else ""), 303
        )
    else:
        response = _page(_asset("review.html"))
    if desk.keys.required and not desk.in_session(request):  # signed in by key: a session
        desk.open_session(response)
    return response


async def login(request: Request) -> Response:
    desk = _desk(request)
    body = await request.body()
    if len(body) > MAX_BODY:
        return _login_form("", "That form was too large.", 413)
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    next_query = form.get("next", "")
    if not desk.keys.accepts(form.get("key", "")):
        return _login_form(next_query, "That key is not one of this server's keys.", 403)
    response = RedirectResponse("/review" + (f"?{next_query}" if next_query else ""), 303)
    desk.open_session(response)
    return response


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS:
        return Response("not found", 404, media_type="text/plain")
    headers = {"cache-control": "no-cache", "x-content-type-options": "nosniff"}
    return Response(_asset(name), 200, headers, media_type=ASSETS[name])


def _asset(name: str) -> str:
    return resources.files("moderation.serving").joinpath("static", name).read_text("utf-8")


def _api(work: Any) -> Any:
    """An API route: the session check, the JSON body, refusals as 4xx with a message the page
    shows as it is."""

    async def route(request: Request) -> Response:
        desk = _desk(request)
        if not desk.signed_in(request):
            return _json({"error": {"code": 401, "message": "sign in again", "login": True}}, 401)
        try:
            if request.method == "POST":
                if request.headers.get("content-type", "").split(";")[0] != "application/json":
                    raise ReviewRefusal(415, "send JSON (Content-Type: application/json)")
                body = await request.body()
                if len(body) > MAX_BODY:
                    raise ReviewRefusal(413, "the request is too large")
                data = parse_json(body)
                if not isinstance(data, dict):
                    raise ReviewRefusal(400, "send a JSON object")
            else:
                data = dict(request.query_params)
            labeller = check_labeller(data.get("labeller"))
            result = await asyncio.to_thread(work, desk, labeller, data)
        except (ReviewRefusal, ApiError) as err:
            return _json({"error": {"code": err.code, "message": err.message}}, err.code)
        return _json(result)

    return route


def _state(desk: ReviewDesk, labeller: str, data: dict[str, Any]) -> Any:
    return desk.view(desk.queue.state(labeller))


def _answer(desk: ReviewDesk, labeller: str, data: dict[str, Any]) -> Any:
    return desk.view(desk.queue.answer(labeller, data.get("id"), data.get("answer")))


def _undo(desk: ReviewDesk, labeller: str, data: dict[str, Any]) -> Any:
    return desk.view(desk.queue.undo(labeller))


def _correct(desk: ReviewDesk, labeller: str, data: dict[str, Any]) -> Any:
    return desk.view(desk.queue.correct(labeller, data.get("id"), data.get("label")))


def _lease(desk: ReviewDesk, labeller: str, data: dict[str, Any]) -> Any:
    return {"held": desk.queue.renew(labeller, data.get("id"))}


async def _to_review(request: Request) -> Response:
    return RedirectResponse("/review", 307)


def review_routes(*, at_root: bool = False) -> list[Route]:
    """The page's routes (``at_root``: ``/`` leads to the page, for `moderation review`)."""
    routes = [
        Route("/review", review_page, methods=["GET"]),
        Route("/review/login", login, methods=["POST"]),
        Route("/review/static/{name}", asset, methods=["GET"]),
        Route("/review/api/state", _api(_state), methods=["GET"]),
        Route("/review/api/answer", _api(_answer), methods=["POST"]),
        Route("/review/api/undo", _api(_undo), methods=["POST"]),
        Route("/review/api/correct", _api(_correct), methods=["POST"]),
        Route("/review/api/lease", _api(_lease), methods=["POST"]),
    ]
    if at_root:
        routes.append(Route("/", _to_review, methods=["GET"]))
    return routes


def review_desk_for(settings: Any, store: LabelStore | None, keys: Keys) -> ReviewDesk | None:
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
