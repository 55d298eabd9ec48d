"""`moderation serve`: score comments over HTTP as they are posted (Perspective API's shape)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from moderation.cli._util import ModelOption, say, user_errors
from moderation.errors import UsageError

HostOption = Annotated[
    str, typer.Option(help="Address to listen on; 127.0.0.1 keeps the server on this machine.")
]
PortOption = Annotated[int, typer.Option(help="Port to listen on.")]
KeysOption = Annotated[
    Path | None,
    typer.Option(
        help="File of API keys, one per line: every scoring and decision request must give one "
        "(?key= or Authorization: Bearer). Without it the server is open.",
        show_default=False,
    ),
]
LabelsOption = Annotated[
    Path | None,
    typer.Option(
        "--labels",
        help="Label store where moderators' decisions (comments:suggestscore) are appended; "
        "retrain with `moderation train --add STORE`.",
        show_default=False,
    ),
]
WorkersOption = Annotated[
    int, typer.Option(help="Worker processes (one per core scores fastest).", min=1)
]


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@user_errors
def serve_cli(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8080,
    model: ModelOption = None,
    keys: KeysOption = None,
    labels: LabelsOption = None,
    workers: WorkersOption = 1,
) -> None:
    """Serve live scoring over HTTP: Perspective API's comments:analyze and suggestscore, and
    a batch API at /v1/score."""
    from moderation.serving.app import ServeSettings, create_app, run
    from moderation.serving.live import Keys

    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: give a port between 1 and 65535")
    Keys(keys)  # a missing or empty keys file is an error before anything starts
    if labels is not None and labels.is_dir():
        raise UsageError(f"--labels {labels}: is a folder; give a label store file")
    settings = ServeSettings(
        model=str(model.resolve()) if model else None,
        keys=str(keys.resolve()) if keys else None,
        labels=str(labels.resolve()) if labels else None,
    )
    app = create_app(settings)  # loads the model now: a bad one is an error before listening
    service = app.state.service
    say(f"serving {service.live.model.id} on http://{host}:{port}/v1alpha1/ ({workers} worker(s))")
    if service.live.explicit is None:
        say("following the active model: `moderation models promote` switches it, no restart")
    if not service.keys.required:
        message = "no --keys: anyone who can reach this port can use it"
        if not _is_local(host):
            message = (
                f"warning: listening on {host} without --keys: anyone on the network can use it"
            )
        say(message)
    if labels is None:
        say("no --labels: moderators' decisions (comments:suggestscore) are not recorded")
    run(settings, host=host, port=port, workers=workers, app=app if workers == 1 else None)
