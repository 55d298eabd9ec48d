"""Scoring and flagging speed, side by side in one run, on real comments.

    python benchmarks/speed.py [--from ../shared/datasets] [--only scoring,flag,cold]
                               [--sizes 10000 100000 1000000] [--repeat 1] [--keep]
                               [--compare /tmp/old] [--references plain] [--results]

The texts are every comment of every dataset the project knows
(``moderation.datasets.convert.examples`` over ``moderation.datasets.catalogue.DATASETS``, the
training sources and the probes), read from ``--from`` (default: ``$MODERATION_DATASETS``, else
``../shared/datasets``). Without them the benchmark says so and exits 0.

1. **In-process scoring**, 100,000 comments (the texts cycled), one process, comments/s:
   the shipped default model through ``load_model().predict_proba`` (the numpy scorer of
   ``scorer.npz``), cold (the first pass in a fresh process, its per-piece cache empty) and warm
   (the same list again in that process); ``model.score(texts)`` (the records API) warm; the
   same model through scikit-learn (``model.pipeline.predict_proba``); and three references
   trained here on the default recipe's records (``recipe_records("default")``; only prediction
   is timed): plain ``TfidfVectorizer()`` + ``LogisticRegression()``, fastText supervised (as
   ``quality.py`` builds and calls it) and the project's pipeline with word and character
   2-5-gram TF-IDF (``PipelineConfig(char_ngrams=(2, 5))``, one fit at C = 1). Warm and
   reference figures are the best of 3 passes (all three are printed).
2. **``moderation flag IN -o OUT.jsonl`` end to end**, a fresh process each, on JSONL exports
   made by ``generate_export.generate(n, pool=...)`` from the same real texts (deduplicated):
   10k, 100k and 1M comments with the default two processes, 1M with ``-j 1``, and 1M of the
   generator's invented texts. Memory: ``flag`` works in forked worker processes, so the
   peak of the *sum* of VmRSS over the process tree is sampled every 20 ms from /proc (pages
   shared by the fork count once per process there; the sum of PSS, sampled every 200 ms
   because reading it costs about 2 ms, counts them once), and the largest single process is
   the largest VmHWM (the kernel's per-process peak) seen in those samples. CPU: user +
   system seconds of the whole tree. With ``--compare OLD`` (a checkout of older code, e.g.
   ``git worktree add /tmp/old main``) every row runs the old code too, right after the new
   one on the same export, and the two outputs are compared byte for byte.
3. **Cold start**: wall time of ``moderation score "some text"`` (and ``--json``) against
   ``python -c "import sklearn.linear_model"``, fresh processes, runs interleaved, medians.

Generated exports and outputs go to ``benchmarks/_work/`` (git-ignored) and are deleted at the
end unless ``--keep``; no dataset text is written anywhere else. ``--results`` rewrites the
section "Scoring and flagging speed (benchmarks/speed.py)" of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _code import child_options  # noqa: E402
from _machine import describe  # noqa: E402
from generate_export import generate, write_jsonl  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.datasets.catalogue import DATASETS, TRAINING_SOURCES  # noqa: E402
from moderation.datasets.convert import check_local_copy  # noqa: E402
from moderation.datasets.convert import examples as dataset_examples  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir  # noqa: E402
from moderation.errors import ModerationError  # noqa: E402

SECTION = "Scoring and flagging speed (benchmarks/speed.py)"
WORK = HERE / "_work"
PREFIX = "speed-"  # every file this script makes in _work starts so
BIN = Path(sys.executable).parent  # the venv's bin: python and the `moderation` script
SCORING_TEXTS = 100_000
REPEATS = 3
SAMPLE_SECONDS = 0.02
PSS_EVERY = 10  # reading smaps_rollup costs ~2 ms: every 10th sample
COLD_RUNS = 7
TARGET_RATE, TARGET_RSS_MB, TARGET_DRIFT, TARGET_COLD_RATIO = 60_000, 400, 0.20, 1.3
TARGET_SCORING = 60_000  # in-process, warm (issue 12)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the texts ---------------------------------------------------------------------------------


def available_datasets(root: Path) -> tuple[list[str], list[str]]:
    """The datasets whose pinned files are all under ``root``, and those that are not."""
    found, missing = [], []
    for name in DATASETS:
        try:
            check_local_copy(name, root)
            found.append(name)
        except ModerationError:
            missing.append(name)
    return found, missing


def real_texts(root: Path, names: list[str]) -> list[str]:
    return [example["text"] for name in names for example in dataset_examples(name, root)]


def cycled(texts: list[str], n: int) -> list[str]:
    return [texts[i % len(texts)] for i in range(n)]


# --- 1. in-process scoring ---------------------------------------------------------------------

COLD_CHILD = """
import json, sys, time
texts = json.load(sys.stdin)
started = time.perf_counter()
from moderation import load_model
model = load_model()
load_seconds = time.perf_counter() - started
started = time.perf_counter()
first = model.predict_proba(texts)
cold = time.perf_counter() - started
# with phrases a piece's codes are cached together (_piece_both), else in _piece_code
cache = (
    max(len(model.scorer._piece_code), len(model.scorer._piece_both))
    if model.scorer is not None
    else None
)
warm, warm_cpu, records = [], [], []
for _ in range(REPEATS):
    started, cpu = time.perf_counter(), time.process_time()
    again = model.predict_proba(texts)
    warm.append(time.perf_counter() - started)
    warm_cpu.append(time.process_time() - cpu)
for _ in range(REPEATS):
    started = time.perf_counter()
    model.score(texts)
    records.append(time.perf_counter() - started)
import hashlib
print(json.dumps({"load": load_seconds, "cold": cold, "warm": warm, "score": records,
                  "warm_cpu": warm_cpu, "sha256": hashlib.sha256(first.tobytes()).hexdigest(),
                  "scorer": type(model.scorer).__name__, "cache_pieces": cache,
                  "same": bool(abs(first - again).max() == 0),
                  "peak_mb": [int(line.split()[1]) for line in open("/proc/self/status")
                              if line.startswith("VmHWM:")][0] / 1024}))
""".replace("REPEATS", str(REPEATS))


def timed_passes(
    predict, texts: list[str], repeats: int = REPEATS
) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each pass (CPU time is what another developer's load disturbs
    least on a shared machine)."""
    seconds, cpu = [], []
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        predict(texts)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return seconds, cpu


def scoring_child(texts: list[str], code: Path | None = None) -> dict:
    """COLD_CHILD's figures, in a fresh process (the code at ``code`` when given, through
    PYTHONPATH)."""
    env = dict(os.environ)
    if code is not None:  # `python -c` puts its folder first on the path: run it there too
        env["PYTHONPATH"] = str(code)
    out = subprocess.run(
        [sys.executable, "-c", COLD_CHILD + "\nimport moderation\nprint(moderation.__file__)"],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=code,
    ).stdout
    figures, where = out.strip().splitlines()[-2:]
    if code is not None and not Path(where).resolve().is_relative_to(Path(code).resolve()):
        raise SystemExit(f"the old code's child imported {where}, not the code at {code}")
    return json.loads(figures)


def run_scoring(
    root: Path,
    texts: list[str],
    compare: Path | None = None,
    references: tuple[str, ...] = ("plain", "fasttext", "word_char"),
) -> tuple[str, list[str]]:
    import numpy as np
    from quality import FastText, Plain

    from moderation import load_model
    from moderation.datasets.recipes import recipe_records
    from moderation.model.pipeline import PipelineConfig, build_pipeline

    n = len(texts)
    say(f"scoring: shipped model in a fresh process ({n:,} texts)")
    child = scoring_child(texts)
    old = None
    if compare is not None:
        say(f"scoring: the same model with the old code at {compare}")
        old = scoring_child(texts, compare)

    model = load_model()
    started = time.perf_counter()
    model.pipeline  # noqa: B018 - unpickle outside the timing
    unpickle = time.perf_counter() - started
    say("scoring: shipped model through scikit-learn")
    sklearn_runs, sklearn_cpu = timed_passes(model.pipeline.predict_proba, texts)
    difference = float(
        np.abs(
            model.pipeline.predict_proba(texts[:20_000]) - model.predict_proba(texts[:20_000])
        ).max()
    )

    examples, _ = recipe_records("default", root)
    records = [{"text": e.text, "label": e.label} for e in examples]
    train_texts, labels = [r["text"] for r in records], [r["label"] for r in records]
    say(f"scoring: training the references on {len(records):,} records")
    started = time.perf_counter()
    plain = Plain().fit(records) if "plain" in references else None
    fitted = []
    fitted.append(
        (
            "plain `TfidfVectorizer()` + `LogisticRegression()`",
            "`pipeline.predict_proba(texts)`",
            time.perf_counter() - started,
            plain.pipeline.predict_proba if plain else None,
        )
    )
    started = time.perf_counter()
    fasttext = FastText().fit(records) if "fasttext" in references else None
    fitted.append(
        (
            "fastText supervised (defaults, 1 thread)",
            '`f.predict(line, k, 0.0, "strict")` per text, as quality.py',
            time.perf_counter() - started,
            fasttext.predict_proba if fasttext else None,
        )
    )
    started = time.perf_counter()
    word_char = (
        build_pipeline(PipelineConfig(char_ngrams=(2, 5)), C=1.0).fit(train_texts, labels)
        if "word_char" in references
        else None
    )
    fitted.append(
        (
            "project pipeline, word + char 2-5 TF-IDF (`PipelineConfig(char_ngrams="
            "(2, 5))`, C = 1)",
            "`pipeline.predict_proba(texts)`",
            time.perf_counter() - started,
            word_char.predict_proba if word_char else None,
        )
    )
    reference_runs = []
    for name, call, fit_seconds, predict in fitted:
        if predict is not None:
            say(f"scoring: {name}")
            reference_runs.append((name, call, fit_seconds, *timed_passes(predict, texts)))

    warm_best = min(child["warm"])

    def row(
        name: str, call: str, kind: str, runs: list[float], fit: str = "-", cpu: list | None = None
    ) -> str:
        best = min(runs)
        shown = " / ".join(f"{s:.2f}" for s in runs)
        by_cpu = f"{min(cpu):.2f} ({n / min(cpu):,.0f}/s)" if cpu else "-"
        return (
            f"| {name} | {call} | {kind} | {shown} | {best:.2f} | **{n / best:,.0f}** | "
            f"{by_cpu} | {warm_best / best:.2f} | {fit} |"
        )

    shipped = "shipped default model (numpy scorer, `scorer.npz`)"
    rows = [
        "| model | call | pass | seconds per pass | best s | comments/s | best CPU s "
        "(comments per CPU s) | speed vs shipped warm | fit s (not timed) |",
        "|---|---|---|---|---|---|---|---|---|",
        row(
            shipped,
            "`load_model().predict_proba(texts)`",
            "cold: first pass in a fresh process, per-piece cache empty",
            [child["cold"]],
        ),
        row(
            shipped,
            "`load_model().predict_proba(texts)`",
            "warm: the same list again in that process, best of 3 (the scorer caches each "
            "whitespace piece's token ids, so this is the steady state of a long-running "
            "scorer)",
            child["warm"],
            cpu=child["warm_cpu"],
        ),
        row(
            shipped,
            "`model.score(texts)` (records: prediction, scores, flags)",
            "warm, best of 3",
            child["score"],
        ),
        row(
            "shipped default model through scikit-learn",
            "`model.pipeline.predict_proba(texts)`",
            "best of 3 (normalisation's word cache warm after the first)",
            sklearn_runs,
            cpu=sklearn_cpu,
        ),
    ]
    if old is not None:
        rows.append(
            row(
                f"the same model, old code ({compare})",
                "`load_model().predict_proba(texts)`",
                "warm, best of 3, in its own fresh process right after the new code's",
                old["warm"],
                cpu=old["warm_cpu"],
            )
        )
    for name, call, fit_seconds, runs, cpu in reference_runs:
        rows.append(row(name, call, "best of 3", runs, f"{fit_seconds:.1f}", cpu))
    notes = [
        f"{n:,} comments: the {len(set(texts)):,} distinct texts of all the datasets, cycled. "
        f"One process; the numpy scorer rows ran in a fresh child process "
        f"(`load_model()` {child['load']:.2f} s there, peak RSS {child['peak_mb']:.0f} MB, "
        f"{child['cache_pieces']:,} distinct pieces cached after the first pass; warm "
        f"probabilities identical to cold: {child['same']}). Unpickling the scikit-learn "
        f"pipeline took {unpickle:.2f} s (not timed); on 20,000 texts its probabilities differ "
        f"from the numpy scorer's by at most {difference:.1e}. The references were trained on "
        f"the default recipe's {len(records):,} records.",
        *(
            [
                f"Old code: the same child process with PYTHONPATH={compare}; its "
                f"probabilities are identical to the new code's bit for bit: "
                f"{old['sha256'] == child['sha256']}."
            ]
            if old is not None
            else []
        ),
        f"Target: in-process scoring >= {TARGET_SCORING:,} comments/s warm: "
        f"{n / warm_best:,.0f}, {'met' if n / warm_best >= TARGET_SCORING else '**not met**'}.",
    ]
    return "\n".join(rows), notes


# --- 2. moderation flag end to end -------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as fh:
                    queue.extend(int(child) for child in fh.read().split())
            except OSError:
                pass
    return found


def _kib(path: str, key: str) -> int:
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _status_kib(pid: int, keys: tuple[str, ...]) -> dict[str, int]:
    values = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(keys):
                    values[line.split(":", 1)[0] + ":"] = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return values


class TreeMemory(threading.Thread):
    """Samples a process tree every ``interval`` seconds: the peak of the sum of VmRSS (and of
    Pss) over the process and all its descendants, each process's own peak (VmHWM, kept by
    the kernel, so a sample only has to come after it) and the most processes seen at once.

    Not ``ru_maxrss`` from ``wait4``/``RUSAGE_CHILDREN`` for the single-process peak: Linux
    carries the peak of the image a process replaced by ``exec`` into it, and ``subprocess``
    starts children with vfork + exec, so every child would report at least this benchmark's
    own size (measured: a 400 MB parent, ``/bin/true`` "used" 407 MB)."""

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.done = threading.Event()
        self.peak_rss = self.peak_pss = self.processes = self.samples = 0
        self.hwm: dict[int, int] = {}  # pid -> the largest VmHWM seen (KiB)

    def run(self) -> None:
        while not self.done.is_set():
            pids = _descendants(self.pid)
            rss = 0
            for pid in pids:
                status = _status_kib(pid, ("VmRSS:", "VmHWM:"))
                rss += status.get("VmRSS:", 0)
                self.hwm[pid] = max(self.hwm.get(pid, 0), status.get("VmHWM:", 0))
            self.peak_rss = max(self.peak_rss, rss)
            if self.samples % PSS_EVERY == 0:
                pss = sum(_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
                self.peak_pss = max(self.peak_pss, pss)
            self.processes = max(self.processes, len(pids))
            self.samples += 1
            self.done.wait(self.interval)


def moderation_command() -> list[str]:
    script = BIN / "moderation"
    return [str(script)] if script.exists() else [sys.executable, "-m", "moderation"]


def run_flag(
    path: Path, expected: int, processes: int | None, code: Path | None = None, keep: str = ""
) -> dict:
    """``moderation flag path -o OUT`` in a fresh process (the code at ``code`` when given,
    through PYTHONPATH): seconds, CPU seconds of the process tree, peaks, rows written. With
    ``keep``, the output stays in ``_work`` under that name."""
    out = (WORK / f"{PREFIX}flagged{keep or ''}.jsonl").resolve()
    command = [sys.executable, "-m", "moderation", "flag", str(path.resolve()), "-o", str(out)]
    if processes is not None:
        command += ["-j", str(processes)]
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=errors, **child_options(code)
        )
        sampler = TreeMemory(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.done.set()
        sampler.join()
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode()[-2000:]}")
    with open(out, "rb") as fh:
        rows = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
    if not keep:
        out.unlink()
    if rows != expected:
        raise SystemExit(f"{path}: flag wrote {rows:,} rows, expected {expected:,}")
    return {
        "seconds": seconds,
        # wait4 counts the workers too: each was waited for by the process that started it
        "cpu": usage.ru_utime + usage.ru_stime,
        "load": load,
        "rows": rows,
        "rss_sum": sampler.peak_rss / 1024,
        "pss_sum": sampler.peak_pss / 1024,
        "largest": max(sampler.hwm.values(), default=0) / 1024,
        "processes": sampler.processes,
        "samples": sampler.samples,
    }


def same_bytes(a: Path, b: Path) -> bool:
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def make_export(size: int, pool: list[str] | None) -> tuple[Path, float]:
    WORK.mkdir(exist_ok=True)
    path = WORK / f"{PREFIX}{'real' if pool else 'invented'}-{size}.jsonl"
    started = time.perf_counter()
    if not path.exists():
        write_jsonl(generate(size, seed=0, pool=pool), path)
    return path, time.perf_counter() - started


def run_flagging(
    texts: list[str], sizes: list[int], repeat: int, keep: bool, compare: Path | None = None
) -> tuple[str, list[str]]:
    pool = list(dict.fromkeys(texts))
    biggest, smallest = max(sizes), min(sizes)
    cases = [("real", size, None) for size in sorted(sizes)]
    cases += [("real", biggest, 1), ("invented", biggest, None)]
    made: dict[tuple[str, int], Path] = {}
    rows = [
        "| texts | comments | MB | processes (`-j`) | seconds | comments/s | CPU us/comment "
        "| peak RSS sum MB | peak PSS sum MB | largest process MB | load (1 min) |"
        + (
            " old code: seconds | comments/s | CPU us/comment | RSS MB | rows same | new/old rate |"
            if compare
            else ""
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|"
        + ("---|---|---|---|---|---|" if compare else ""),
    ]
    results = {}
    old_results = {}
    try:
        for kind, size, processes in cases:
            if not made:  # one uncounted run first: page cache, bytecode, model
                made[(kind, size)], _ = make_export(size, pool)
                say(f"flag: warm-up run on {made[(kind, size)].name} (not counted)")
                run_flag(made[(kind, size)], size, processes)
            if (kind, size) not in made:
                say(f"flag: generating {size:,} comments ({kind} texts)")
                made[(kind, size)], _ = make_export(size, pool if kind == "real" else None)
            path = made[(kind, size)]
            runs, old_runs, same = [], [], True
            for _ in range(repeat):  # new and old code by turns, so both meet the same load
                say(f"flag: {path.name} -j {processes or 'default'}")
                runs.append(run_flag(path, size, processes, keep="-new" if compare else ""))
                if compare:
                    say(f"flag (old code at {compare}): {path.name} -j {processes or 'default'}")
                    old_runs.append(run_flag(path, size, processes, compare, keep="-old"))
                    same = same and same_bytes(
                        WORK / f"{PREFIX}flagged-new.jsonl", WORK / f"{PREFIX}flagged-old.jsonl"
                    )
            m = _best(runs)
            results[(kind, size, processes)] = m
            label = "2 (default)" if processes is None else str(processes)
            row = (
                f"| {kind} | {size:,} | {path.stat().st_size / 1e6:,.0f} | {label} "
                f"({m['processes']} seen) | {_shown(runs)} | **{size / m['seconds']:,.0f}** | "
                f"{m['cpu'] / size * 1e6:.1f} | **{m['rss_sum']:.0f}** | {m['pss_sum']:.0f} | "
                f"{m['largest']:.0f} | {m['load']:.1f} |"
            )
            if compare:
                o = old_results[(kind, size, processes)] = _best(old_runs)
                row += (
                    f" {_shown(old_runs)} | {size / o['seconds']:,.0f} | "
                    f"{o['cpu'] / size * 1e6:.1f} | {o['rss_sum']:.0f} | "
                    f"{'yes' if same else '**no**'} | {o['seconds'] / m['seconds']:.2f} |"
                )
            rows.append(row)
            say(rows[-1])
    finally:
        for name in ("new", "old"):
            (WORK / f"{PREFIX}flagged-{name}.jsonl").unlink(missing_ok=True)
        if not keep:
            for path in made.values():
                path.unlink(missing_ok=True)
    big, small = results[("real", biggest, None)], results[("real", smallest, None)]
    rate_big, rate_small = biggest / big["seconds"], smallest / small["seconds"]
    rate_ratio, rss_ratio = rate_big / rate_small, big["rss_sum"] / small["rss_sum"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    targets = [
        "| target | measured | |",
        "|---|---|---|",
        f"| flag >= {TARGET_RATE:,} comments/s at {biggest:,} (real texts, default) | "
        f"{rate_big:,.0f} | {verdict(rate_big >= TARGET_RATE)} |",
        f"| peak RSS (sum over the process tree) <= {TARGET_RSS_MB} MB | "
        f"{max(r['rss_sum'] for r in results.values()):.0f} MB (largest of all rows) | "
        f"{verdict(max(r['rss_sum'] for r in results.values()) <= TARGET_RSS_MB)} |",
        f"| rate at {biggest:,} within {TARGET_DRIFT:.0%} of {smallest:,} | ratio "
        f"{rate_ratio:.2f} ({rate_big:,.0f} / {rate_small:,.0f}) | "
        f"{verdict(abs(rate_ratio - 1) <= TARGET_DRIFT)} |",
        f"| peak RSS sum at {biggest:,} within {TARGET_DRIFT:.0%} of {smallest:,} | ratio "
        f"{rss_ratio:.2f} ({big['rss_sum']:.0f} / {small['rss_sum']:.0f} MB) | "
        f"{verdict(abs(rss_ratio - 1) <= TARGET_DRIFT)} |",
    ]
    samples = min(r["samples"] for r in results.values())
    runs = f"best of {repeat}; memory the largest of them" if repeat > 1 else "one run"
    notes = [
        f"Each row is one fresh `python -m moderation flag IN -o OUT.jsonl` process, after one "
        f"uncounted run on the smallest export "
        f"({runs}); "
        f"seconds are wall time from start to exit, rows written checked; CPU is user + "
        f"system time of the whole process tree (wait4 counts the workers each process "
        f"waited for), the figure that load on a shared machine distorts least. Real exports: "
        f"`generate_export.generate(n, seed=0, pool=...)` over {len(pool):,} distinct "
        f"real comments (threads of 5-40, half replies, 1 in 10 replies quoting its "
        f"parent); invented: `generate(n)`. VmRSS sampled every "
        f"{SAMPLE_SECONDS * 1000:.0f} ms (at least {samples} samples a row), PSS every "
        f"{SAMPLE_SECONDS * PSS_EVERY * 1000:.0f} ms; the sum of RSS counts the pages the "
        f"forked workers share with their parent once per process, the sum of PSS once."
    ]
    if compare:
        notes.append(
            f"Old code: the same command with PYTHONPATH={compare} (a checkout of the code "
            "before this change), run right after the new code on the same export, so both "
            "meet the same load; 'rows same' compares the two outputs byte for byte."
        )
    return "\n".join(rows) + "\n\n" + "\n".join(targets), notes


def _best(runs: list[dict]) -> dict:
    best = min(runs, key=lambda r: r["seconds"])
    return {
        **best,
        **{
            key: max(r[key] for r in runs) for key in ("rss_sum", "pss_sum", "largest", "processes")
        },
    }


def _shown(runs: list[dict]) -> str:
    return " / ".join(f"{r['seconds']:.1f}" for r in runs)


# --- 3. cold start -----------------------------------------------------------------------------


def run_cold_start(runs: int = COLD_RUNS) -> tuple[str, list[str]]:
    python, moderation = str(BIN / "python"), moderation_command()
    if not Path(python).exists():
        python = sys.executable
    commands = [
        ('`moderation score "some text"`', [*moderation, "score", "some text"]),
        ('`moderation score --json "some text"`', [*moderation, "score", "--json", "some text"]),
        (
            '`python -c "import sklearn.linear_model"`',
            [python, "-c", "import sklearn.linear_model"],
        ),
        (
            '`python -c "from moderation import load_model"`',
            [python, "-c", "from moderation import load_model"],
        ),
        (
            '`python -c "from moderation import load_model; load_model()'
            ".predict_proba(['some text'])\"`",
            [
                python,
                "-c",
                "from moderation import load_model; load_model().predict_proba(['some text'])",
            ],
        ),
        ("`python -c pass`", [python, "-c", "pass"]),
    ]
    times: dict[str, list[float]] = {name: [] for name, _ in commands}
    for round_ in range(runs + 1):  # round 0 warms the page cache, not counted
        for name, command in commands:
            started = time.perf_counter()
            subprocess.run(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
                cwd=tempfile.gettempdir(),
            )
            if round_:
                times[name].append(time.perf_counter() - started)
    sklearn_median = statistics.median(times[commands[2][0]])
    rows = [
        f"| command | median s ({runs} runs) | min - max s | ratio to sklearn import |",
        "|---|---|---|---|",
    ]
    for name, _ in commands:
        median = statistics.median(times[name])
        rows.append(
            f"| {name} | **{median:.3f}** | {min(times[name]):.3f} - "
            f"{max(times[name]):.3f} | {median / sklearn_median:.2f} |"
        )
    ratio = statistics.median(times[commands[0][0]]) / sklearn_median
    verdict = "met" if ratio <= TARGET_COLD_RATIO else "**not met**"
    rows.append(
        f"\nTarget: `moderation score` <= {TARGET_COLD_RATIO} x the time to import "
        f"`sklearn.linear_model`: ratio **{ratio:.2f}**, {verdict}."
    )
    notes = [
        "Fresh processes, the commands interleaved round by round after one uncounted "
        "round; output discarded; run from the temporary folder."
    ]
    return "\n".join(rows), notes


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--from",
        dest="root",
        type=Path,
        default=None,
        help="the datasets folder (default: $MODERATION_DATASETS, else ../shared/datasets)",
    )
    parser.add_argument(
        "--only", default="scoring,flag,cold", help="comma-separated: scoring, flag, cold"
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10_000, 100_000, 1_000_000],
        help="export sizes for `moderation flag`",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each `moderation flag` row (the fastest is reported)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated exports in benchmarks/_work"
    )
    parser.add_argument(
        "--compare",
        type=Path,
        default=None,
        help="a checkout of older code (e.g. `git worktree add ../old main`): each flag row "
        "is run with it too, on the same export, and the rows compared; scoring runs the "
        "shipped model with it too",
    )
    parser.add_argument(
        "--references",
        default="plain,fasttext,word_char",
        help="comma-separated reference models of the scoring part: plain, fasttext, word_char",
    )
    parser.add_argument("--results", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - {"scoring", "flag", "cold"}
    if unknown:
        parser.error(f"unknown --only part(s): {', '.join(sorted(unknown))}")
    began = time.perf_counter()

    root = args.root or default_datasets_dir()
    texts: list[str] = []
    if {"scoring", "flag"} & set(parts):
        if not root.is_dir():
            print(
                f"skipped: no datasets folder at {root} (give --from DIR or set "
                f"$MODERATION_DATASETS; see data/README.md)"
            )
            return
        names, missing = available_datasets(root)
        lacking = [name for name in TRAINING_SOURCES if name not in names]
        if lacking:
            print(
                f"skipped: {root} lacks the training source(s) {', '.join(lacking)} "
                f"(run `moderation datasets fetch`, or give --from DIR)"
            )
            return
        if missing:
            say(f"note: not found under {root}, left out: {', '.join(missing)}")
        texts = real_texts(root, names)
        say(f"{len(texts):,} texts from {len(names)} datasets")

    sections = []
    if "scoring" in parts:
        table, notes = run_scoring(
            root,
            cycled(texts, SCORING_TEXTS),
            args.compare,
            tuple(r.strip() for r in args.references.split(",") if r.strip()),
        )
        sections.append(
            (f"In-process scoring, {SCORING_TEXTS:,} real comments, one process", table, notes)
        )
        print(f"\n### {sections[-1][0]}\n\n{table}\n\n" + "\n\n".join(notes) + "\n", flush=True)
    if "flag" in parts:
        table, notes = run_flagging(texts, args.sizes, args.repeat, args.keep, args.compare)
        sections.append(("`moderation flag` end to end", table, notes))
        print(f"\n### {sections[-1][0]}\n\n{table}\n\n" + "\n\n".join(notes) + "\n", flush=True)
    if "cold" in parts:
        table, notes = run_cold_start()
        sections.append(("Cold start", table, notes))
        print(f"\n### {sections[-1][0]}\n\n{table}\n\n" + "\n\n".join(notes) + "\n", flush=True)

    runtime = time.perf_counter() - began
    command = "python benchmarks/speed.py --results"
    if args.only != parser.get_default("only"):
        command += f" --only {args.only}"
    if args.sizes != parser.get_default("sizes"):
        command += " --sizes " + " ".join(map(str, args.sizes))
    if args.repeat != 1:
        command += f" --repeat {args.repeat}"
    if args.compare is not None:
        command += f" --compare {args.compare}"
    if args.references != parser.get_default("references"):
        command += f" --references {args.references}"
    body = [
        f"Machine: {describe()}. Command: `{command}`. What each row measures: see the "
        f"script's docstring. Runtime {runtime / 60:.1f} min."
    ]
    for title, table, notes in sections:
        body.append(f"### {title}\n\n{table}\n\n" + "\n\n".join(notes))
    print(f"runtime {runtime:.0f} s", flush=True)
    if args.results:
        replace_section(SECTION, "\n\n".join(body))
        say(f"wrote the section to {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
