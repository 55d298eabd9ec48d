"""What a new user saw (issue 23): the comments a moderator tried first, scored by the CLI.

Each example is scored with ``moderation score --json`` (the shipped model unless ``--model``)
and judged against what our definitions call for: no flag for a civil comment, the label's
flag for an abusive or conspiracy one. ``-t`` examples check that a threshold the user sets
is honoured.

    python benchmarks/new_user.py [--model DIR] [--results]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# (text, expected flags, extra CLI arguments)
EXAMPLES = [
    ("Das ist ein sehr guter Artikel, vielen Dank für die klare Darstellung.", [], []),
    ("We bought a hoe and a new tit box for the garden birds.", [], []),
    ("The new dam near Scunthorpe was built by Dick Hancock in Sussex.", [], []),
    ("Fucking hell, I missed the bus again this morning. What a shit day.", [], []),
    ("What a fucking brilliant match last night", [], []),
    ("I will find where you live and make you pay.", ["abusive"], []),
    ("I will find where you live and make you pay.", ["abusive"], ["-t", "abusive=0.2"]),
    ("Go back to your own country.", ["abusive"], []),
    ("You clearly have the reading comprehension of a potato", ["abusive"], []),
    ("I have zero respect for their kind", ["abusive"], []),
    ("My neighbour called me a stupid idiot", [], []),
    ('My neighbour called me a "stupid idiot"', [], []),
    ("This vaccine works well and it is helping the world beat the corona virus", [], []),
]


def score(text: str, extra: list[str], model: Path | None) -> dict:
    command = [str(Path(sys.executable).parent / "moderation"), "score", "--json", *extra]
    if model is not None:
        command += ["--model", str(model)]
    out = subprocess.run([*command, text], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    rows = []
    for text, expected, extra in EXAMPLES:
        record = score(text, extra, args.model)
        right = record["flags"] == expected
        shown = {k: round(v, 3) for k, v in record["scores"].items()}
        notes = "little_evidence" if record.get("little_evidence") else ""
        rows.append((text, " ".join(extra), expected, record, right, shown, notes))
        print(json.dumps(record, ensure_ascii=False))
    right = sum(r[4] for r in rows)
    print(f"{right}/{len(rows)} right")
    if args.results:
        from _machine import describe
        from results import replace_section

        # every model that answered, in order (the German comment is read by the German one)
        model = "`, `".join(dict.fromkeys(r[3]["model"] for r in rows))
        table = "\n".join(
            f"| {text} | {extra or '-'} | {', '.join(expected) or 'none'} | "
            f"{', '.join(record['flags']) or 'none'} | {record['prediction']} | "
            f"{shown.get('abusive', 0):.3f} | {shown.get('conspiracy', 0):.3f} | {notes or '-'} | "
            f"{'yes' if ok else '**no**'} |"
            for text, extra, expected, record, ok, shown, notes in rows
        )
        replace_section(
            "What a new user saw (benchmarks/new_user.py)",
            f"Machine: {describe()}. Command: `python benchmarks/new_user.py --results`; models "
            f"`{model}`, each comment through `moderation score --json`. {right} of "
            f"{len(rows)} right.\n\n| comment | options | flags expected | flags | prediction "
            "| abusive | conspiracy | notes | right |\n|---|---|---|---|---|---|---|---|---|\n"
            + table,
        )


if __name__ == "__main__":
    main()
