"""Which word list decides that a token is a real word (issue 23): wordfreq or pyspellchecker.

Spelling correction must leave real words alone in every language the model is used on (en
now; de, pt, fr, es next), and still correct spelling games. For each candidate this measures,
on short lists written for this benchmark (never the datasets):

- real words, place names and loanwords recognised as words (must stay as written);
- spelling games and misspelt insults *not* taken for words (must stay correctable);
- the time to read the word lists of the five languages, and the installed size;
- on the shipped model: how many of its corrections of rare training words were real words.

    pip install wordfreq pyspellchecker   # wordfreq only for this comparison
    python benchmarks/spelling_dictionaries.py [--results]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).parent))

LANGUAGES = ("en", "de", "pt", "fr", "es")
# written for this benchmark: everyday words near swear words, loanwords, names and places,
# and common words of the four next languages
REAL = """dank danke guter vielen darstellung artikel klare sehr casus belli merci grazie phoque
hoe tit dam bell duck sock bass count punt aunt fig flag mustard shore parse tanker bank witches
fickle knob screw prick shag booby hooker jerk butt sod git slag muppet weathercock stopcock
knockers ballcock scunthorpe sussex essex middlesex hancock cockburn clitheroe penistone arsenal
hitchcock bangkok obrigado muito bom dia gracias buenos noticia artigo beaucoup bonjour article
journal schön genau leider zeitung kommentar grand petit porque entonces também então snowdrift
gardener allotment rhubarb councillor roundabout footpath bypass motorway""".split()
GAMES = """idoit stupd cowrad stuppid retart moronn imbecil fuking bich idot dumass stupidd
idiiot stoopid morron fcking biatch libtard dumbfuk shiit asshol wanka twatt cnut fukk azzhole
dipshiit stupiid idjit""".split()


def wordfreq_check(z: float):
    from wordfreq import zipf_frequency

    def is_word(word: str) -> bool:
        return max(zipf_frequency(word, language) for language in LANGUAGES) >= z

    return is_word


def pyspellchecker_check():
    from moderation.model.spelling import Spelling, dictionary_hashes

    dictionary_hashes.cache_clear()
    spelling = Spelling({}, dictionary_hashes(LANGUAGES))
    return spelling.is_word


def size(package: str) -> float:
    spec = importlib.util.find_spec(package)
    folder = Path(spec.origin).parent
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def measure(name: str, make, package: str) -> dict:
    started = time.perf_counter()
    is_word = make()
    for word in ("warm", "up"):
        is_word(word)
    seconds = time.perf_counter() - started
    missed = [w for w in REAL if not is_word(w)]
    taken = [w for w in GAMES if is_word(w)]
    return {
        "name": name,
        "real": f"{len(REAL) - len(missed)}/{len(REAL)}",
        "missed": missed,
        "games_taken_for_words": f"{len(taken)}/{len(GAMES)}",
        "taken": taken,
        "load_s": round(seconds, 1),
        "installed_mb": round(size(package), 1),
    }


def shipped_corrections() -> str:
    from moderation.model.scorer import LinearScorer
    from moderation.model.spelling import dictionary_hashes

    scorer = LinearScorer.load(Path(__file__).resolve().parents[1] / "models/default/scorer.npz")
    spelling = scorer.spelling
    if spelling is None:
        return "the shipped model corrects nothing"
    from moderation.model.spelling import Spelling

    check = Spelling({}, dictionary_hashes(LANGUAGES))
    real = [(w, c) for w, c in scorer.corrections.items() if check.is_word(w)]
    shown = ", ".join(f"{w} -> {c}" for w, c in real[:12])
    return (
        f"the shipped model's {len(scorer.corrections):,} corrections of rare training words: "
        f"{len(real):,} were real words of {'/'.join(LANGUAGES)} (e.g. {shown})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    rows = []
    if importlib.util.find_spec("wordfreq"):
        for z in (1.5, 2.0, 2.5):
            rows.append(
                measure(f"wordfreq, Zipf >= {z}", lambda z=z: wordfreq_check(z), "wordfreq")
            )
    rows.append(measure("pyspellchecker", pyspellchecker_check, "spellchecker"))
    for row in rows:
        print(row)
    note = shipped_corrections()
    print(note)
    if args.results:
        from _machine import describe
        from results import replace_section

        table = "\n".join(
            f"| {r['name']} | {r['real']} | {', '.join(r['missed']) or '-'} | "
            f"{r['games_taken_for_words']} | {', '.join(r['taken']) or '-'} | {r['load_s']} | "
            f"{r['installed_mb']} |"
            for r in rows
        )
        replace_section(
            "Spelling: which dictionary (benchmarks/spelling_dictionaries.py)",
            f"Machine: {describe()} (load times under other developers' load). Command: "
            "`python benchmarks/spelling_dictionaries.py --results`.\n\n"
            "| word list (en, de, pt, fr, es) | real words recognised | missed | spelling games "
            "taken for words | which | load s | installed MB |\n|---|---|---|---|---|---|---|\n"
            f"{table}\n\n{note}.",
        )


if __name__ == "__main__":
    main()
