"""`moderation serve` asked for every attribute head at once, against one attribute, in the
same run (the cores are shared: only a comparison within one run means anything).

    python benchmarks/serve_attributes.py [--from ../shared/datasets] [--seconds 15]
                                          [--rounds 3] [--workers 2] [--results]

One server (the shipped model, ``--workers``), wrk at 32 connections (``-t2 -c32``), each
request a different real comment with Coral's body. Rounds alternate the two bodies: one
attribute (``TOXICITY``) and all six Perspective attributes the model answers with a model
(``TOXICITY`` plus the INSULT, IDENTITY_ATTACK, THREAT, PROFANITY and SEVERE_TOXICITY heads).
Reported: requests/s and p99 of each round, and the ratio of the medians. Target: all heads
>= 80% of the single-attribute rate. Because wrk's figures swing with other work on the shared
cores, the same comparison is also made in process, where load matters less: the CPU time
(``time.process_time``) of ``serving.perspective.analyze`` (parsing, scoring, the answer)
over 5,000 real comments, each body in turn, best of three. ``--results`` rewrites the
section "Serving every attribute (benchmarks/serve_attributes.py)" of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402
from serve import ANALYZE, MAX_TEXT_BYTES, Server, cut, load, wrk  # noqa: E402
from speed import available_datasets, real_texts, say  # noqa: E402

from moderation.datasets.recipes import default_datasets_dir  # noqa: E402

SINGLE = ("TOXICITY",)
EVERY = ("TOXICITY", "INSULT", "IDENTITY_ATTACK", "THREAT", "PROFANITY", "SEVERE_TOXICITY")


def write_bodies(path: Path, texts: list[str], attributes: tuple[str, ...]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for text in texts[:50_000]:
            body = {
                "comment": {"text": cut(text, MAX_TEXT_BYTES)},
                "doNotStore": True,
                "requestedAttributes": {name: {} for name in attributes},
                "languages": ["en"],
            }
            out.write(json.dumps(body) + "\n")
    return path


def in_process(texts: list[str]) -> dict[str, float]:
    """Comments per CPU second through ``analyze`` for each body, best of three."""
    import time

    from moderation.model.registry import load_model, shipped_model_dir
    from moderation.serving.attributes import attribute_sources
    from moderation.serving.perspective import analyze, parse_analyze

    model = load_model(shipped_model_dir())
    sources = attribute_sources(model)
    sample = [cut(t, MAX_TEXT_BYTES) for t in texts[:5_000]]
    rates: dict[str, float] = {}
    for kind, attributes in (("one", SINGLE), ("all", EVERY)) * 3:
        bodies = [
            {"comment": {"text": t}, "requestedAttributes": dict.fromkeys(attributes, {})}
            for t in sample
        ]
        started = time.process_time()
        for body in bodies:
            analyze(model, parse_analyze(body, sources), sources)
        rate = len(bodies) / (time.process_time() - started)
        rates[kind] = max(rates.get(kind, 0.0), rate)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", type=Path, default=None)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    root = args.source or default_datasets_dir()
    names, _ = available_datasets(root)
    texts = [t for t in real_texts(root, names) if t.strip()]
    rows, rates = [], {"one": [], "all": []}
    with tempfile.TemporaryDirectory() as folder:
        bodies = {
            "one": write_bodies(Path(folder) / "one.jsonl", texts, SINGLE),
            "all": write_bodies(Path(folder) / "all.jsonl", texts, EVERY),
        }
        server = Server(args.workers)
        try:
            wrk(server.port, ANALYZE, bodies["all"], connections=32, seconds=3)  # warm up
            for round_ in range(1, args.rounds + 1):
                for kind in ("one", "all"):
                    before = load()
                    found = wrk(
                        server.port, ANALYZE, bodies[kind], connections=32, seconds=args.seconds
                    )
                    rates[kind].append(found["rate"])
                    rows.append(
                        f"| {round_} | {'TOXICITY' if kind == 'one' else ', '.join(EVERY)} | "
                        f"{found['rate']:,.0f} | {found['latency']['99']:.1f} | "
                        f"{found['non_2xx']} | {before} |"
                    )
                    say(rows[-1])
        finally:
            server.stop()
    cpu = in_process(texts)
    one, every = statistics.median(rates["one"]), statistics.median(rates["all"])
    body = (
        f"`python benchmarks/serve_attributes.py --seconds {args.seconds} --rounds "
        f"{args.rounds} --workers {args.workers}` on {describe()}; the cores were shared with "
        "other developers' work (load average before each round in the table), so only the "
        "ratio within this run means anything.\n\n"
        "| round | requested attributes | requests/s | p99 ms | non-2xx | load before |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"Median requests/s: one attribute {one:,.0f}, every head {every:,.0f}: "
        f"**{every / one:.0%}** of the single-attribute rate (target >= 80%).\n\n"
        f"In process (CPU time of `analyze`, 5,000 real comments, best of three): one "
        f"attribute {cpu['one']:,.0f} comments per CPU second, every head {cpu['all']:,.0f}: "
        f"**{cpu['all'] / cpu['one']:.0%}**.\n"
    )
    print(body)
    if args.results:
        replace_section("Serving every attribute (benchmarks/serve_attributes.py)", body)


if __name__ == "__main__":
    main()
