"""`moderation review`: the label queue of an export as a web page moderators work through."""

from __future__ import annotations

import os
from dataclasses import astuple
from pathlib import Path
from typing import Annotated

import typer

from moderation.cli._util import (
    FormatOption,
    ModelOption,
    ThresholdOption,
    reads_exports,
    say,
    user_errors,
)
from moderation.cli.label import InputArgument, OrderOption, SeedOption
from moderation.cli.serve import (
    AllowHostOption,
    HostOption,
    KeysOption,
    PortOption,
    RequestTimeoutOption,
    TrustedProxyOption,
    check_allowed_hosts,
    check_review_options,
    is_local,
)
from moderation.files import check_outputs
from moderation.formats import ReadOptions

StoreOption = Annotated[
    Path,
    typer.Option(
        "--store",
        "-s",
        help="Label store (a SQLite .db file) every answer goes to; created if missing. An old "
        "JSONL store is imported once into the .db beside it.",
        show_default=False,
    ),
]
LeaseOption = Annotated[
    float,
    typer.Option(
        help="Seconds a moderator holds a comment nobody else is shown (renewed while their "
        "page is open).",
        min=5,
    ),
]


@user_errors
@reads_exports
def review_cli(
    input: InputArgument,
    store: StoreOption,
    order: OrderOption = "uncertain",
    host: HostOption = "127.0.0.1",
    port: PortOption = 8081,
    keys: KeysOption = None,
    model: ModelOption = None,
    format: FormatOption = "auto",
    seed: SeedOption = 0,
    lease: LeaseOption = 300.0,
    threshold: ThresholdOption = None,
    allow_host: AllowHostOption = None,
    trusted_proxy: TrustedProxyOption = None,
    request_timeout: RequestTimeoutOption = 10.0,
    *,
    options: ReadOptions,
) -> None:
    """Serve the review page for an export: one comment at a time, one key per answer, every
    answer in the label store before the next comment shows; several moderators at once."""
    from moderation.serving.app import ServeSettings, create_app, run
    from moderation.serving.keys import Keys

    check_review_options(order, port, store)
    check_outputs({"--store": store}, [input, keys])
    Keys(keys)
    settings = ServeSettings(
        model=str(model.resolve()) if model else None,
        keys=str(keys.resolve()) if keys else None,
        labels=os.path.abspath(store),  # a link stays a link: refused
        review=str(input.resolve()),
        review_format=format,
        review_order=order,
        review_seed=seed,
        review_lease=lease,
        review_encoding=options.encoding,
        review_skip_bad=options.skip_bad,
        review_columns=list(astuple(options.columns)),
        review_thresholds=threshold or [],
        allowed_hosts=check_allowed_hosts(allow_host),
        trusted_proxies=trusted_proxy or [],
        request_timeout=request_timeout,
    )
    say(f"scoring {input} for review (once, before the page opens)...")
    app = create_app(settings, review_at_root=True)
    for note in app.state.service.store.notes:
        say(f"note: {note}")
    desk = app.state.service.review
    left = desk.queue.progress("")["left"]
    say(
        f"{left:,} comment(s) to review of {len(desk.queue.items):,} ({order} first), "
        f"answers to {app.state.service.store.path}: http://{host}:{port}/review"
    )
    if not keys:
        where = "on this machine" if is_local(host) else f"on the network ({host})"
        say(f"no --keys: anyone {where} who can reach this port can review")
    run(settings, host=host, port=port, app=app)
