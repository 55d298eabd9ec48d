"""`moderation serve`: score comments over HTTP as they are posted (Perspective API's shape)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer

from moderation.cli._util import ModelOption, say, user_errors
from moderation.errors import UsageError
from moderation.files import check_outputs
from moderation.languages import language_name

HostOption = Annotated[
    str, typer.Option(help="Address to listen on; 127.0.0.1 keeps the server on this machine.")
]
PortOption = Annotated[int, typer.Option(help="Port to listen on.")]
KeysOption = Annotated[
    Path | None,
    typer.Option(
        help="File of keys, one per line: KEY NAME [moderator|platform]. Every scoring and "
        "decision request must give one (?key= or Authorization: Bearer); the review page "
        "records answers under the key's name. Without it the server is open.",
        show_default=False,
    ),
]
AllowHostOption = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-host",
        help="A name the server answers to besides its addresses, localhost and this "
        "machine's name (a proxy's public name, e.g. moderation.example.org), whose pages on "
        "ports 80 and 443 may write; or a whole origin (https://mod.example.org:8443) for "
        "another port. Repeatable; needed with --keys too.",
        show_default=False,
    ),
]
TrustedProxyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--trusted-proxy",
        help="Address of a reverse proxy in front whose X-Forwarded-For names the client (for "
        "counting wrong keys per client); repeatable. Without it that header is ignored.",
        show_default=False,
    ),
]
RequestTimeoutOption = Annotated[
    float,
    typer.Option(
        "--request-timeout",
        help="Seconds a connection has to send a request's headers, then as many for its "
        "body; a client that stops reading an answer that long is dropped.",
        min=0.1,
    ),
]
MaxConnectionsOption = Annotated[
    int,
    typer.Option(
        "--max-connections",
        help="Open connections at most (kept below the open-file limit); past it the one "
        "idle longest is closed for the new one.",
        min=1,
    ),
]
LabelsOption = Annotated[
    Path | None,
    typer.Option(
        "--labels",
        help="Label store (a SQLite .db file) where the platform's decisions "
        "(comments:suggestscore) are recorded; retrain with `moderation train --add STORE`.",
        show_default=False,
    ),
]
ReviewOption = Annotated[
    Path | None,
    typer.Option(
        "--review",
        help="An export to review in the browser at /review (answers go to --labels); "
        "see `moderation review`.",
        show_default=False,
    ),
]
ReviewOrderOption = Annotated[
    str,
    typer.Option(
        help="With --review: uncertain (the model's least sure first), flagged, or random."
    ),
]
UnsupportedOption = Annotated[
    str,
    typer.Option(
        "--unsupported-language",
        help="A comment in a language no model reads (or whose model lacks the attribute "
        "asked for): error (Perspective's 400; Coral then publishes it unchecked), english "
        "(scored by the English model), or reject (every attribute 1.0, so Coral holds it "
        "for a moderator).",
    ),
]
WorkersOption = Annotated[
    int, typer.Option(help="Worker processes (one per core scores fastest).", min=1)
]

OmitOption = Annotated[
    bool,
    typer.Option(
        "--omit-unsupported-attributes",
        help="Answer a request that asks for attributes this model does not answer "
        "(SEXUALLY_EXPLICIT, FLIRTATION, SPAM, ...) with the others (200) instead of a 400.",
    ),
]
ScaleOption = Annotated[
    str,
    typer.Option(
        "--summary-scale",
        help="probability: the model's probabilities; flag-threshold: each score mapped "
        "(monotonically) so that the model's own flag threshold for it is 0.80, Coral's "
        "default threshold.",
    ),
]


def is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_allowed_hosts(values: list[str] | None) -> list[str]:
    """The ``--allow-host`` values, each a name or an origin (else a usage error)."""
    from moderation.serving.guard import allowed_origins

    for value in values or []:
        if not allowed_origins(value):
            raise UsageError(
                f"--allow-host {value!r}: give a name (mod.example.org) or an origin "
                "(https://mod.example.org:8443)"
            )
    return values or []


def check_review_options(order: str, port: int, store: Path | None) -> None:
    from moderation.labels.review.queue import ORDERS

    if order not in ORDERS:
        raise UsageError(f"--order {order!r}: choose one of {', '.join(ORDERS)}")
    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: give a port between 1 and 65535")
    if store is not None and store.is_dir():
        raise UsageError(f"{store}: is a folder; give a label store file")


@user_errors
def serve_cli(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8080,
    model: ModelOption = None,
    keys: KeysOption = None,
    labels: LabelsOption = None,
    workers: WorkersOption = 1,
    review: ReviewOption = None,
    review_order: ReviewOrderOption = "uncertain",
    allow_host: AllowHostOption = None,
    unsupported_language: UnsupportedOption = "error",
    omit_unsupported_attributes: OmitOption = False,
    summary_scale: ScaleOption = "probability",
    trusted_proxy: TrustedProxyOption = None,
    request_timeout: RequestTimeoutOption = 10.0,
    max_connections: MaxConnectionsOption = 2000,
) -> None:
    """Serve live scoring over HTTP: Perspective API's comments:analyze and suggestscore, and
    a batch API at /v1/score."""
    from moderation.serving.app import ServeSettings, create_app, run
    from moderation.serving.attributes import SCALES
    from moderation.serving.keys import Keys
    from moderation.serving.languages import POLICIES

    if summary_scale not in SCALES:
        raise UsageError(f"--summary-scale {summary_scale!r}: choose one of {', '.join(SCALES)}")
    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: give a port between 1 and 65535")
    if unsupported_language not in POLICIES:
        raise UsageError(
            f"--unsupported-language {unsupported_language!r}: choose one of {', '.join(POLICIES)}"
        )
    Keys(keys)  # a missing or empty keys file is an error before anything starts
    if labels is not None and labels.is_dir():
        raise UsageError(f"--labels {labels}: is a folder; give a label store file")
    check_outputs({"--labels": labels}, [review, keys])
    if review is not None:
        check_review_options(review_order, port, labels)
        if labels is None:
            raise UsageError("--review needs --labels STORE: the answers are appended there")
        if workers > 1:
            raise UsageError(
                "--review needs --workers 1: the review queue is scored and counted in one process"
            )
    settings = ServeSettings(
        model=str(model.resolve()) if model else None,
        keys=str(keys.resolve()) if keys else None,
        labels=os.path.abspath(labels) if labels else None,  # a link stays a link: refused
        review=str(review.resolve()) if review else None,
        review_order=review_order,
        allowed_hosts=check_allowed_hosts(allow_host),
        trusted_proxies=trusted_proxy or [],
        request_timeout=request_timeout,
        max_connections=max_connections,
        unsupported_language=unsupported_language,
        omit_unsupported_attributes=omit_unsupported_attributes,
        summary_scale=summary_scale,
    )
    app = create_app(settings)  # loads the model now: a bad one is an error before listening
    service = app.state.service
    for note in service.store.notes if service.store is not None else []:
        say(f"note: {note}")
    say(f"serving on http://{host}:{port}/v1alpha1/ ({workers} worker(s)):")
    for code, loaded in service.live.model.models.items():
        say(f"  {language_name(code)} ({code}): {loaded.id}")
    say(
        f"other languages: {unsupported_language} (--unsupported-language); following each "
        "language's active model: `moderation models promote` switches it, no restart"
    )
    if not service.keys.required:
        message = "no --keys: anyone who can reach this port can use it"
        if not is_local(host):
            message = (
                f"warning: listening on {host} without --keys: anyone on the network can use it"
            )
        say(message)
    if review is not None:
        say(f"reviewing {review} at http://{host}:{port}/review")
    if labels is None:
        say("no --labels: moderators' decisions (comments:suggestscore) are not recorded")
    if workers > 1:
        service.close()  # each worker opens its own
    run(settings, host=host, port=port, workers=workers, app=app if workers == 1 else None)
