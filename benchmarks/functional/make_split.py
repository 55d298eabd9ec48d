#!/usr/bin/env python3
"""Build suite.jsonl from cases.txt and assign the dev/test split.

cases.txt format:
    ## <category> | <label> | <one-line description>
    <one test case per line>
    (blank lines are ignored)

Split rule: categories are processed in the order they appear in cases.txt.
One random.Random(2026) generator is created once; for each category the list
of case indices 0..29 is shuffled with it, the first 10 shuffled indices become
"dev" and the remaining 20 become "test". Case ids ("<category>-NN") follow the
order in which the cases were written, so the split does not follow that order.

Usage: python3 make_split.py   (writes suite.jsonl next to this script)

round3/make_split.py builds round 3's suite the same way, from its own folder and seed 2027.
"""

import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 2026
PER_CATEGORY = 30
DEV_PER_CATEGORY = 10
LABELS = {"abusive", "conspiracy", "civil"}


def parse(path):
    cats = []  # list of (name, label, description, [texts])
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        if line.startswith("## "):
            parts = [p.strip() for p in line[3:].split("|", 2)]
            if len(parts) != 3:
                sys.exit(f"line {lineno}: bad header {line!r}")
            name, label, desc = parts
            if label not in LABELS:
                sys.exit(f"line {lineno}: unknown label {label!r}")
            if any(c[0] == name for c in cats):
                sys.exit(f"line {lineno}: duplicate category {name!r}")
            cats.append((name, label, desc, []))
            continue
        if not cats:
            sys.exit(f"line {lineno}: case before first header")
        cats[-1][3].append(line.strip())
    return cats


def main(folder=HERE, seed=SEED):
    """suite.jsonl in ``folder`` from its cases.txt, split with ``random.Random(seed)``."""
    cats = parse(folder / "cases.txt")
    out = folder / "suite.jsonl"
    rng = random.Random(seed)
    rows = []
    seen = {}
    for name, label, _desc, texts in cats:
        if len(texts) != PER_CATEGORY:
            sys.exit(f"{name}: {len(texts)} cases, expected {PER_CATEGORY}")
        order = list(range(PER_CATEGORY))
        rng.shuffle(order)
        dev = set(order[:DEV_PER_CATEGORY])
        for i, text in enumerate(texts):
            key = text  # exact match: casing variants (e.g. placeholders) are intended
            if key in seen:
                sys.exit(f"duplicate text in {name} and {seen[key]}: {text!r}")
            seen[key] = name
            rows.append(
                {
                    "id": f"{name}-{i + 1:02d}",
                    "category": name,
                    "text": text,
                    "label": label,
                    "split": "dev" if i in dev else "test",
                }
            )
    with out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts = Counter((r["category"], r["split"]) for r in rows)
    print(f"wrote {len(rows)} cases in {len(cats)} categories to {out}")
    for name, label, _d, _t in cats:
        print(f"  {name:28s} {label:10s} dev={counts[(name, 'dev')]} test={counts[(name, 'test')]}")


if __name__ == "__main__":
    main()
