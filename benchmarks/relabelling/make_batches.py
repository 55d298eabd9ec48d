"""Split candidates.jsonl into annotator batches: 5 annotators, 600 rows labelled twice (pairs
A-B, B-C, C-D, D-E, E-A, 120 each), the rest once; each annotator's rows shuffled and cut into
batches of 100. Annotators see a row id and the text only.

Run once for issue 23 with its paths as below (the annotation folder, outside the project);
kept here so the provenance of ``data/relabelling/relabels.jsonl`` is complete."""
import json, random
from pathlib import Path
OUT = Path("/work/relabel")
rng = random.Random(7)
rows = [json.loads(l) for l in open(OUT / "candidates.jsonl")]
for i, r in enumerate(rows):
    r["rid"] = f"r{i:05d}"
order = rows[:]
rng.shuffle(order)
names = ["A", "B", "C", "D", "E"]
double, single = order[:600], order[600:]
assign = {n: [] for n in names}
for k in range(5):
    pair = (names[k], names[(k + 1) % 5])
    for r in double[k * 120:(k + 1) * 120]:
        for n in pair:
            assign[n].append(r)
for i, r in enumerate(single):
    assign[names[i % 5]].append(r)
plan = {"double": {r["rid"]: None for r in double}}
for n in names:
    d = OUT / f"annotator-{n}"
    d.mkdir(exist_ok=True)
    mine = assign[n][:]
    rng.shuffle(mine)
    for b in range(0, len(mine), 100):
        with open(d / f"batch-{b // 100 + 1:02d}.txt", "w") as h:
            for r in mine[b:b + 100]:
                text = " ⏎ ".join(r["text"].replace("\t", " ").splitlines())
                if len(text) > 1500:
                    text = text[:1500] + " …[cut]"
                h.write(f"{r['rid']}\t{text}\n")
    print(n, len(mine), "rows,", (len(mine) + 99) // 100, "batches")
with open(OUT / "rows.jsonl", "w") as h:
    for r in rows:
        r["double"] = r["rid"] in plan["double"]
        h.write(json.dumps(r, ensure_ascii=False) + "\n")
