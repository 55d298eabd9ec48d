"""The relabelling in figures (``data/relabelling/relabels.jsonl``): agreement on the rows
labelled twice (Cohen's kappa, per round), and per selection reason how the labels moved.

    python benchmarks/relabelling/report.py [--results]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moderation.datasets.recipes import relabels_path  # noqa: E402
from moderation.datasets.relabel import agreement, read_relabels, settle  # noqa: E402


def kappa_of_marks(relabels, mark: str) -> float | None:
    """Cohen's kappa of one of the marks (target, threat, profanity) on the doubled rows."""
    from sklearn.metrics import cohen_kappa_score

    pairs: dict[str, list] = defaultdict(list)
    for r in relabels:
        if r.double:
            pairs[r.id].append(r)
    both = [sorted(p, key=lambda r: r.annotator) for p in pairs.values() if len(p) == 2]
    if not both:
        return None
    first = [str(getattr(p[0], mark)) for p in both]
    second = [str(getattr(p[1], mark)) for p in both]
    return round(float(cohen_kappa_score(first, second)), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", action="store_true")
    args = parser.parse_args()
    relabels = read_relabels(relabels_path())
    settled = settle(relabels)
    reason = {r.id: (r.round, r.reason) for r in relabels}
    rows = []
    for number in sorted({r.round for r in relabels}):
        mine = [r for r in relabels if r.round == number]
        found = agreement(mine)
        marks = ", ".join(
            f"{mark} {kappa_of_marks(mine, mark)}" for mark in ("target", "threat", "profanity")
        )
        rows.append(
            f"| {number} | {len({r.id for r in mine}):,} | "
            f"{''.join(sorted({r.annotator for r in mine}))} | {found['rows']} | "
            f"{found['agreed']} | **{found['kappa']:.3f}** | {found['kappa_without_unclear']:.3f} "
            f"| {marks} |"
        )
    everything = agreement(relabels)
    moves: dict[tuple, Counter] = defaultdict(Counter)
    olds: dict[tuple, set] = defaultdict(set)
    for row_id, s in settled.items():
        moves[reason[row_id]][s.label or s.why] += 1
        olds[reason[row_id]].add(s.old_label or "left out")
    table = "\n".join(
        f"| {number} | {why} | {' / '.join(sorted(olds[(number, why)]))} | {sum(c.values()):,} | "
        f"{c.get('civil', 0):,} | {c.get('abusive', 0):,} | {c.get('conspiracy', 0):,} | "
        f"{c.get('unclear', 0) + c.get('disagreement', 0):,} |"
        for (number, why), c in sorted(moves.items())
    )
    body = (
        "Command: `python benchmarks/relabelling/report.py --results`. Rows of the training "
        "pool relabelled to this project's definitions by annotators who followed "
        "`data/relabelling/GUIDELINES.md` and never saw a model, a score, the source or its "
        "label (`data/relabelling/README.md`). Agreement is Cohen's kappa "
        "(`sklearn.metrics.cohen_kappa_score`) between the two annotators of each doubly "
        "labelled row, over the four answers (civil, abusive, conspiracy, unclear); target "
        ">= 0.7.\n\n"
        "| round | rows | annotators | doubled | agreed | kappa | kappa without unclear | "
        "kappa of the marks |\n|---|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n| all | {len(settled):,} | | {everything['rows']} | {everything['agreed']} | "
        f"**{everything['kappa']:.3f}** | {everything['kappa_without_unclear']:.3f} | |\n\n"
        "Rule for the model: one annotator's label stands; two who agree give it; two who "
        "disagree, and `unclear`, leave the pool.\n\n"
        "| round | why the row was chosen | old label | rows | civil | abusive | conspiracy | "
        "left out |\n|---|---|---|---|---|---|---|---|\n" + table
    )
    print(body)
    if args.results:
        from _machine import describe
        from results import replace_section

        replace_section(
            "Relabelling (benchmarks/relabelling/report.py)", f"Machine: {describe()}. {body}"
        )


if __name__ == "__main__":
    main()
