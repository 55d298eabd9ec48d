"""Round 2: more of the two classes whose meaning differs most from ours in round 1 (Davidson's
offensive class: 40% not aimed at anyone; toxic_spans' toxic comments: a third civil by our
definitions), random rows not chosen in round 1. Rows get rids after round 1's.

The script that chose round 2 of issue 23's relabelling (6,000 rows: 4,599 of Davidson's
offensive class, 1,401 of toxic_spans' toxic comments) and split them among annotators F-H
(300 rows for two), with only its paths adapted to the project: the datasets from
``default_datasets_dir()``, the annotation folder from ``--folder`` (it reads the round-1
``rows.jsonl`` there and appends round 2 to it; outside the project: it holds the texts).

    python benchmarks/relabelling/choose_candidates_round2.py --folder ANNOTATION_FOLDER
"""
import argparse, hashlib, json, random, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from moderation.datasets.convert import examples  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir  # noqa: E402

parser = argparse.ArgumentParser(description="choose round 2 of the relabelling")
parser.add_argument("--folder", type=Path, required=True, help="the annotation folder")
ROOT = default_datasets_dir()
OUT = parser.parse_args().folder
rng = random.Random(20261208)
done = {json.loads(l)["id"] for l in open(OUT / "rows.jsonl")}
seen_text = {" ".join(json.loads(l)["text"].lower().split()) for l in open(OUT / "rows.jsonl")}
def pool(name, pred):
    return sorted((e for e in examples(name, ROOT) if pred(e) and e["id"] not in done), key=lambda e: e["id"])
plan = [
    ("davidson offensive, random (round 2)", rng.sample(pool("davidson", lambda e: e["source_label"] == "offensive"), 4600)),
    ("toxic_spans toxic, random (round 2)", rng.sample(pool("toxic_spans", lambda e: e["source_label"] == "toxic"), 1550)),
]
start = sum(1 for _ in open(OUT / "rows.jsonl"))
chosen = []
for reason, items in plan:
    n = 0
    for r in items:
        key = " ".join(r["text"].lower().split())
        if key in seen_text or not key:
            continue
        seen_text.add(key)
        chosen.append({"id": r["id"], "source": r["source"], "source_label": r["source_label"],
                       "old_label": r["label"], "reason": reason, "text": r["text"],
                       "text_sha256": hashlib.sha256(r["text"].encode()).hexdigest(), "p_own_cv": None})
        n += 1
    print(n, reason)
chosen = chosen[:6000] if len(chosen) > 6000 else chosen
order = chosen[:]
rng.shuffle(order)
for i, r in enumerate(chosen):
    r["rid"] = f"r{start + i:05d}"
names = ["F", "G", "H"]
double, single = order[:300], order[300:]
assign = {n: [] for n in names}
for k in range(3):
    for r in double[k * 100:(k + 1) * 100]:
        for n in (names[k], names[(k + 1) % 3]):
            assign[n].append(r)
for i, r in enumerate(single):
    assign[names[i % 3]].append(r)
dbl = {r["rid"] for r in double}
for n in names:
    d = OUT / f"annotator-{n}"
    d.mkdir(exist_ok=True)
    mine = assign[n][:]
    rng.shuffle(mine)
    for b in range(0, len(mine), 100):
        with open(d / f"batch-{b // 100 + 1:02d}.txt", "w") as h:
            for r in mine[b:b + 100]:
                text = " ⏎ ".join(r["text"].replace("\t", " ").splitlines())
                h.write(f"{r['rid']}\t{text[:1500]}\n")
    print(n, len(mine))
with open(OUT / "rows.jsonl", "a") as h:
    for r in chosen:
        r["double"] = r["rid"] in dbl
        r["round"] = 2
        h.write(json.dumps(r, ensure_ascii=False) + "\n")
