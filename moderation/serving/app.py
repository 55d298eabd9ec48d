"""The HTTP API of `moderation serve`: routes in, library calls, JSON out.

==========================================  ===================================================
``POST /v1alpha1/comments:analyze``         Perspective's AnalyzeComment (``serving.perspective``)
``POST /v1alpha1/comments:suggestscore``    a moderator's decision, recorded in the label store
``POST /v1/score``                          this project's batch API (``serving.batch``)
``GET /healthz``, ``GET /v1/model``         liveness; the models that score, per language
``GET /metrics``                            Prometheus text format (``serving.metrics``)
``GET /review`` and ``/review/...``         with ``--review EXPORT``: the review page
                                            (``serving.review_page``)
==========================================  ===================================================

Each comment is scored by the model of its language (``serving.languages``: the request's
``languages``, else detected); what an unsupported language gets is ``--unsupported-language``.
Every refusal is a 4xx in Perspective's error shape; the server stays up. A label store that
cannot take a decision now is a 503 with ``Retry-After`` (``serving.store_writes``), so the
platform retries. Keys (``?key=`` or ``Authorization: Bearer``) are checked on every endpoint
but ``/healthz`` when a keys file was given (``serving.keys``: each key names its owner and
role; decisions need the platform's; ``/v1/model`` answers without one, with less): a wrong
key is a 403 wherever it is given, and counted (``serving.limiter``: 429 past its limit).
Keys are never logged (uvicorn's access log, which prints query strings, is off). Before any
route, ``serving.guard`` refuses cross-site writes, non-JSON writes, names that are not this
server's, oversized bodies and bodies past the bytes in flight; ``serving.http`` bounds request
headers, the time a request may take to arrive, and the number of open connections.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from moderation.errors import ModerationError
from moderation.files import now_iso
from moderation.labels.opening import open_store
from moderation.labels.record import LabelRecord
from moderation.serving.attributes import attribute_sources, unsupported_for
from moderation.serving.batch import parse_batch, score_batch
from moderation.serving.guard import MAX_BODY, BodyTooLarge, Guard, ServerFull, read_body
from moderation.serving.http import ConnectionLimits, configure
from moderation.serving.keys import Key, Keys
from moderation.serving.languages import answered_by_any, counted, rejected, route
from moderation.serving.limiter import WrongKeys, client_address
from moderation.serving.live import LiveModel
from moderation.serving.perspective import (
    ApiError,
    analyze,
    parse_analyze,
    parse_json,
    parse_suggest,
)
from moderation.serving.prometheus import Metrics
from moderation.serving.review_page import problem_page, review_desk_for, review_routes
from moderation.serving.store_writes import RETRY_SECONDS, StoreFailure, StoreWriter

ENV_SETTINGS = "MODERATION_SERVE_SETTINGS"  # how `serve --workers N` hands settings to workers
BATCHES_AT_ONCE = 2  # /v1/score batches scored at once (the rest wait, their bodies counted)
DISCONNECTED = 499  # what /metrics counts a client that hung up mid-request as (nginx's code)
log = logging.getLogger("moderation.serve")


@dataclass
class ServeSettings:
    model: str | None = None  # a model directory; None: follow the active model
    keys: str | None = None  # a keys file; None: open
    labels: str | None = None  # the label store suggestscore appends to
    check_every: float = 1.0  # seconds between looks at the active-model record
    review: str | None = None  # an export to review at /review (answers go to ``labels``)
    review_format: str = "auto"
    review_order: str = "uncertain"
    review_seed: int = 0
    review_lease: float = 300.0  # seconds a moderator holds a comment nobody else is shown
    review_encoding: str | None = None
    review_skip_bad: bool = False
    # text, id, parent, thread, author, time, label columns (``ReadOptions.of``)
    review_columns: list[str | None] = field(default_factory=list)
    review_thresholds: list[str] = field(default_factory=list)  # LABEL=P for the flags
    allowed_hosts: list[str] = field(default_factory=list)  # names or origins it answers to
    trusted_proxies: list[str] = field(default_factory=list)  # whose X-Forwarded-For to believe
    request_timeout: float = ConnectionLimits.request_timeout  # serving.http
    max_connections: int = ConnectionLimits.max_connections
    # a comment no model reads: error (Perspective's 400), english or reject (serving.languages)
    unsupported_language: str = "error"
    # Perspective attributes the model does not answer: left out of the answer (True) or 400
    omit_unsupported_attributes: bool = False
    summary_scale: str = "probability"  # or "flag-threshold" (serving.attributes)

    def to_env(self) -> str:
        return orjson.dumps(asdict(self)).decode()

    @classmethod
    def from_env(cls) -> ServeSettings:
        return cls(**orjson.loads(os.environ[ENV_SETTINGS]))


class Service:
    """What the routes share: the live model, the keys, the label store, the counters."""

    def __init__(self, settings: ServeSettings):
        self.settings = settings
        self.live = LiveModel(settings.model, check_every=settings.check_every)
        self.keys = Keys(settings.keys)
        self.store = open_store(settings.labels) if settings.labels else None
        self.writes = StoreWriter(self.store.path if self.store is not None else None)
        # scoring has threads of its own: a review page waiting on the store never holds them
        self.scoring = ThreadPoolExecutor(BATCHES_AT_ONCE, thread_name_prefix="scoring")
        self.batches = asyncio.Semaphore(BATCHES_AT_ONCE)
        self.wrong_keys = WrongKeys()
        try:
            self.review = review_desk_for(settings, self.store, self.keys)
        except BaseException:
            self.close()
            raise
        if self.review is not None:
            self.review.wrong_keys = self.wrong_keys  # one count of wrong keys per client
            self.review.writes = self.writes
        self.metrics = Metrics()
        self.started = time.time()

    def close(self) -> None:
        self.live.stop()
        if self.store is not None:  # a write waiting for the store gives up now (503)
            self.store.stop_waiting()
        self.scoring.shutdown(wait=True)
        self.writes.close()
        if self.store is not None:
            self.store.close()


def _json(
    value: Any,
    status: int = 200,
    model_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    headers = {**(headers or {}), **({"x-moderation-model": model_id} if model_id else {})}
    return Response(orjson.dumps(value), status, headers, media_type="application/json")


async def _body(request: Request) -> bytes:
    """The request's body, refused (413) as soon as it passes ``MAX_BODY`` bytes."""
    try:
        return await read_body(request, MAX_BODY)
    except BodyTooLarge as err:
        raise ApiError(413, str(err)) from None


def _key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("key")


Handler = Callable[[Service, Request], Awaitable[Response]]


def check_key(service: Service, request: Request, *, keyed: bool) -> Key | None:
    """Whose key the request gives (None: none, or a server without keys). A wrong key is a
    403 on every route and counts against the client (429 past ``serving.limiter``'s limit,
    without looking at the key); no key is a 403 only where ``keyed``."""
    given = _key(request)
    if not service.keys.required or (given is None and not keyed):
        return None
    address = client_address(request)
    wait = service.wrong_keys.wait(address)
    if wait:
        raise ApiError(
            429, f"too many wrong keys from this address: try again in {int(wait) + 1} s"
        ).retry(int(wait) + 1)
    key = service.keys.who(given)
    if key is None:
        if given is not None:
            service.wrong_keys.failed(address)
        raise ApiError(403, "The caller does not have permission: give a valid key")
    return key


def endpoint(
    name: str, handler: Handler, *, keyed: bool, uses_key: bool = True
) -> Callable[[Request], Awaitable[Response]]:
    """A route: the key check (``request.state.key``: whose key it is, None without keys;
    ``uses_key`` False: never looked at), refusals as 4xx, store failures as 503, and the
    counters around ``handler``."""

    async def route(request: Request) -> Response:
        service: Service = request.app.state.service
        started = time.perf_counter()
        try:
            request.state.key = check_key(service, request, keyed=keyed) if uses_key else None
            response = await handler(service, request)
        except ApiError as err:
            response = _json(err.body(), err.code, headers=err.headers)
        except StoreFailure as err:  # not the caller's fault: Perspective clients retry a 503
            refusal = ApiError(503, err.message).retry(RETRY_SECONDS)
            response = _json(refusal.body(), 503, headers=refusal.headers)
        except ModerationError as err:  # the library's own refusal of this input
            response = _json(ApiError(400, str(err)).body(), 400)
        except (ClientDisconnect, ServerFull):  # answered (or not) by serving.guard
            status = DISCONNECTED if isinstance(sys.exc_info()[1], ClientDisconnect) else 503
            service.metrics.observe(name, status, time.perf_counter() - started)
            raise
        except Exception:  # a bug: answered, logged, and the server stays up
            log.exception("error answering %s", name)
            body = {"error": {"code": 500, "message": "internal error", "status": "INTERNAL"}}
            response = _json(body, 500)
        service.metrics.observe(name, response.status_code, time.perf_counter() - started)
        return response

    return route


async def _analyze(service: Service, request: Request) -> Response:
    models = service.live.model
    omit = service.settings.omit_unsupported_attributes
    body = parse_json(await _body(request))
    parsed = parse_analyze(body, answered_by_any(models), omit_unsupported=omit)
    try:
        chosen = route(models, parsed, service.settings.unsupported_language)
    except ApiError:
        language = parsed.detected[0] if parsed.detected else "und"
        service.metrics.language(counted(language, models), "refused")
        raise
    if chosen.model is None:
        service.metrics.language(counted(chosen.language, models), "rejected")
        return _json(rejected(parsed, chosen.language))
    sources = attribute_sources(chosen.model)
    scale = service.settings.summary_scale
    result, scores = analyze(chosen.model, parsed, sources, scale=scale)
    thresholds = models.thresholds[chosen.model.language]
    flags = [label for label, t in thresholds.items() if scores.get(label, 0.0) >= t]
    if chosen.fallback:
        result["scoredLanguage"] = chosen.model.language
    service.metrics.scored(1, flags)
    outcome = "english" if chosen.fallback else "scored"
    service.metrics.language(counted(chosen.language, models), outcome)
    return _json(result, model_id=chosen.model.id)


async def _suggest(service: Service, request: Request) -> Response:
    key: Key | None = request.state.key
    if key is not None and key.role != "platform":
        raise ApiError(
            403,
            f"comments:suggestscore records the platform's decisions: {key.name}'s key is a "
            "moderator's; give the platform's key (role platform in the keys file)",
        )
    suggestion = parse_suggest(parse_json(await _body(request)))
    model = service.live.model
    stored = False
    if service.store is not None:
        who = key.name if key else f"platform:{suggestion.community or 'unknown'}"
        extra: dict[str, Any] = {"thread": suggestion.context} if suggestion.context else {}
        if suggestion.parent_id:  # the comment it replies to (serving.coral)
            extra["parent_id"] = suggestion.parent_id
        if key is not None and suggestion.community:
            extra["community"] = suggestion.community
        record = LabelRecord(
            id=suggestion.comment_id,
            label=suggestion.label,
            text=suggestion.text,
            labeller=who,
            role="platform",  # the platform's decision: retraining weighs it (--weak-weight)
            time=now_iso(),
            model=model.id,
            # the story (serving.coral), so retraining's grouped folds keep a thread together
            thread_id=suggestion.thread_id,
            source="suggestscore",
            extra=extra,
        )
        # one thread writes the store: requests queue for it instead of crowding the lock
        saved = await service.writes.decide(service.store, record)
        stored = saved.written
        if stored:
            service.metrics.decisions[suggestion.label] += 1
    body: dict[str, Any] = {
        "requestedLanguages": suggestion.languages,
        "detectedLanguages": suggestion.languages,
        "stored": stored,
    }
    if suggestion.client_token is not None:
        body["clientToken"] = suggestion.client_token
    return _json(body, model_id=model.id)


async def _score(service: Service, request: Request) -> Response:
    models = service.live.model
    comments, explain = parse_batch(parse_json(await _body(request)))
    # a batch of 10,000 takes a while: off the event loop, so other requests are answered,
    # and a few at once (an explained batch holds tens of megabytes while it is scored)
    async with service.batches:
        records = await asyncio.get_running_loop().run_in_executor(
            service.scoring, partial(score_batch, models, comments, explain)
        )
    scored = [r for r in records if r.get("not_scored") != "language"]
    service.metrics.scored(len(scored), [f for r in scored for f in r["flags"]])
    for record in records:
        outcome = "not_scored" if record.get("not_scored") == "language" else "scored"
        service.metrics.language(counted(record["language"], models), outcome)
    return _json(records, model_id=models.id)


async def _health(service: Service, request: Request) -> Response:
    models = service.live.model
    body: dict[str, Any] = {
        "status": "ok",
        "model": models.id,
        "models": {code: m.id for code, m in models.models.items()},
    }
    if service.live.error:
        body["model_error"] = service.live.error
    if service.store is not None:  # "ok", or why decisions cannot be saved now
        body["store"] = service.writes.health()
        if body["store"] != "ok":
            body["status"] = "degraded"
    return _json(body)


async def _model(service: Service, request: Request) -> Response:
    """The models' ids, labels and thresholds, per language (``model``, ``labels`` and
    ``thresholds``: the English model's, or the main language's); where they and the store
    live only for a caller with a key (or on a server without keys)."""
    models = service.live.model
    main = models.main_model
    body: dict[str, Any] = {
        "model": main.id,
        "labels": list(main.labels),
        "thresholds": models.thresholds[models.main],
        "languages": models.describe(),
        "unsupported_language": service.settings.unsupported_language,
        # which attribute comes from which label or head (the main language's model), and
        # those not answered
        "attributes": {a: s.describe() for a, s in attribute_sources(main).items()},
        "unsupported_attributes": unsupported_for(main),
        "omit_unsupported_attributes": service.settings.omit_unsupported_attributes,
        "summary_scale": service.settings.summary_scale,
    }
    if not service.keys.required or request.state.key is not None:
        for code, entry in body["languages"].items():
            entry["directory"] = str(service.live.directories.get(code))
        body.update(
            {
                "directory": str(service.live.directory),
                "created": main.meta.created_at,
                "follows_active_model": service.live.explicit is None,
                "decisions_recorded_to": str(service.store.path) if service.store else None,
                "keys_required": service.keys.required,
            }
        )
    return _json(body, model_id=main.id)


async def _metrics(service: Service, request: Request) -> Response:
    service.metrics.reloads = service.live.reloads
    models = service.live.model
    text = service.metrics.render(models.id, {code: m.id for code, m in models.models.items()})
    return Response(text, media_type="text/plain; version=0.0.4")


async def _not_found(request: Request, exc: Exception) -> Response:
    return _json(ApiError(404, f"no such endpoint: {request.url.path}").body(), 404)


async def _server_error(request: Request, exc: Exception) -> Response:
    """What escaped every route (a bug; Starlette logs it): a readable page on the review
    page, Perspective's error shape elsewhere."""
    path = request.url.path
    if path.startswith("/review") and not path.startswith("/review/api/"):
        message = "The server failed on this page: your last answer may not be saved; reload."
        return problem_page(500, "Something went wrong", message)
    body = {"error": {"code": 500, "message": "internal error", "status": "INTERNAL"}}
    return _json(body, 500)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    refusal = ApiError(405, f"{request.method} is not allowed on {request.url.path}")
    return _json(refusal.body(), 405)


def create_app(settings: ServeSettings | None = None, *, review_at_root: bool = False) -> Starlette:
    """The ASGI app; without ``settings``, read from ``$MODERATION_SERVE_SETTINGS`` (how
    workers started by uvicorn get them). With ``settings.review`` (an export), the review page
    too (``review_at_root``: ``/`` leads to it)."""
    service = Service(settings or ServeSettings.from_env())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.live.start()
        try:  # SIGHUP: load the model again now
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: threading.Thread(target=service.live.reload).start()
            )
        except (NotImplementedError, RuntimeError, ValueError):
            pass
        yield
        service.close()

    routes = [
        Route(
            "/v1alpha1/comments:analyze",
            endpoint("analyze", _analyze, keyed=True),
            methods=["POST"],
        ),
        Route(
            "/v1alpha1/comments:suggestscore",
            endpoint("suggestscore", _suggest, keyed=True),
            methods=["POST"],
        ),
        Route("/v1/score", endpoint("score", _score, keyed=True), methods=["POST"]),
        Route(
            "/healthz",
            endpoint("healthz", _health, keyed=False, uses_key=False),
            methods=["GET"],
        ),
        Route("/v1/model", endpoint("model", _model, keyed=False), methods=["GET"]),
        Route("/metrics", endpoint("metrics", _metrics, keyed=True), methods=["GET"]),
    ]
    if service.review is not None:
        routes += review_routes(at_root=review_at_root)
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: _not_found, 405: _not_allowed, Exception: _server_error},
        middleware=[
            Middleware(
                Guard,
                browsers_only=service.keys.required,
                allowed_hosts=service.settings.allowed_hosts,
            )
        ],
    )
    app.state.service = service
    configure(ConnectionLimits(service.settings.request_timeout, service.settings.max_connections))
    return app


def run(
    settings: ServeSettings,
    *,
    host: str,
    port: int,
    workers: int = 1,
    app: Starlette | None = None,
) -> None:
    """Serve until SIGTERM or Ctrl-C (requests in flight are finished first). With several
    workers each process builds its own app from the settings."""
    import uvicorn

    from moderation.serving.http import BoundedHttpToolsProtocol

    os.environ[ENV_SETTINGS] = settings.to_env()
    # uvicorn finishes the requests in flight on SIGTERM or Ctrl-C, then raises the signal
    # again with the handlers it found: let that be a normal exit (status 0), not a kill
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: None)
    if workers > 1:
        target: Any = "moderation.serving.app:create_app"
    else:
        target = app or create_app(settings)
    uvicorn.run(
        target,
        factory=workers > 1,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        access_log=False,  # it prints query strings, and a key can be one
        log_level="warning",
        loop="auto",
        http=BoundedHttpToolsProtocol,  # heads, time and connections bounded (serving.http)
        timeout_graceful_shutdown=30,
        # X-Forwarded-For names the client only when it comes from a proxy named so
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )
