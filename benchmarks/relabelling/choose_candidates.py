"""Choose the training-pool rows whose source label our definitions may change, for relabelling
by annotators who never see the source, its label, or any model score.

Out-of-fold probabilities from a plain word+char TF-IDF + LR (5 folds grouped by thread) over the
pool; per source, the rows the model finds least like their source label, plus random samples of
the classes whose meaning differs from ours (Davidson offensive/hate, OLID untargeted, Ruddit's
middle band, PsyCoMark "can't tell", toxic_spans' toxic comments).

This is the script that chose the 6,311 rows relabelled in issue 23 (run once, before any
annotation; its log is in ``data/relabelling/README.md``), with only its paths adapted to the
project: the datasets from ``default_datasets_dir()`` (``../shared/datasets``), the output to
``--out`` (default ``benchmarks/_work/relabelling/candidates.jsonl``, never committed: it holds
the texts). PAN 2024 is read from its files as they are (pre-tokenised), as it was then, so
the same rows are chosen. ``make_batches.py`` then split the rows among five annotators (600
rows for two); ``import_annotations.py`` brings their labels into the project.

    python benchmarks/relabelling/choose_candidates.py [--out PATH]
"""
import argparse, hashlib, json, random, re, sys
from pathlib import Path
import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from moderation.datasets.convert import examples  # noqa: E402
from moderation.datasets.recipes import default_datasets_dir  # noqa: E402

parser = argparse.ArgumentParser(description="choose rows for relabelling")
parser.add_argument(
    "--out", type=Path,
    default=Path(__file__).resolve().parents[1] / "_work" / "relabelling" / "candidates.jsonl",
)
ARGS = parser.parse_args()
ROOT = default_datasets_dir()
OUT = ARGS.out.parent
OUT.mkdir(parents=True, exist_ok=True)
rng = random.Random(20261207)

rows = []
for name in ["davidson", "olid", "ruddit", "psycomark", "toxigen_prompts", "fox_news", "toxic_spans"]:
    for e in examples(name, ROOT):
        if name == "olid" and e["split"] == "test":
            continue
        if name == "toxic_spans" and e["source_label"] != "toxic":
            continue
        rows.append(e)
texts = (ROOT / "pan2024_oppositional_en/en_all_text.txt").read_text(encoding="utf-8").split("\n")
labels = (ROOT / "pan2024_oppositional_en/en_all_labels.txt").read_text().split()
for i, (t, l) in enumerate(zip(texts, labels), start=1):
    rows.append({"id": f"pan2024_oppositional_en:{i}", "thread_id": f"pan2024_oppositional_en:{i}",
                 "text": t.strip(), "label": "conspiracy" if l == "1" else "civil",
                 "source": "pan2024_oppositional_en", "source_label": l})
# OLID UNT rows (label None in the converter): read their subtask_b
olid_b = {}
import csv
with open(ROOT / "olid/olid-training-v1.0.tsv", encoding="utf-8", newline="") as h:
    for r in csv.DictReader(h, delimiter="\t"):
        olid_b["olid:" + r["id"]] = r["subtask_b"]
print(len(rows), "rows", file=sys.stderr)

lab = [r for r in rows if r["label"] is not None]
y = np.array([r["label"] for r in lab])
groups = np.array([r["thread_id"] for r in lab])
word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=300000)
char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True, max_features=300000)
X = hstack([word.fit_transform([r["text"] for r in lab]), char.fit_transform([r["text"] for r in lab])]).tocsr()
oof = np.zeros((len(lab), 3))
classes = None
for k, (tr, te) in enumerate(GroupKFold(5).split(X, y, groups)):
    clf = LogisticRegression(C=4, max_iter=300)
    clf.fit(X[tr], y[tr])
    classes = list(clf.classes_)
    oof[te] = clf.predict_proba(X[te])
    print("fold", k, file=sys.stderr)
p_own = {r["id"]: float(oof[i, classes.index(r["label"])]) for i, r in enumerate(lab)}

def by(source, pred):
    return [r for r in rows if r["source"] == source and pred(r)]
def lowest(items, n):
    return sorted(items, key=lambda r: p_own[r["id"]])[:n]
def sample(items, n):
    items = sorted(items, key=lambda r: r["id"])
    return rng.sample(items, min(n, len(items)))

plan = [
    ("davidson offensive, random", sample(by("davidson", lambda r: r["source_label"] == "offensive"), 2000)),
    ("davidson hate, random", sample(by("davidson", lambda r: r["source_label"] == "hate"), 400)),
    ("davidson neither, least civil by CV", lowest(by("davidson", lambda r: r["source_label"] == "neither"), 150)),
    ("olid TIN, least abusive by CV", lowest(by("olid", lambda r: r["label"] == "abusive"), 250)),
    ("olid NOT, least civil by CV", lowest(by("olid", lambda r: r["label"] == "civil"), 250)),
    ("olid UNT, random", sample(by("olid", lambda r: olid_b.get(r["id"]) == "UNT"), 300)),
    ("ruddit middle band 0.25-0.5, all", by("ruddit", lambda r: r["label"] is None)),
    ("ruddit >= 0.5, least abusive by CV", lowest(by("ruddit", lambda r: r["label"] == "abusive"), 300)),
    ("ruddit < 0.25, least civil by CV", lowest(by("ruddit", lambda r: r["label"] == "civil"), 100)),
    ("psycomark can't tell/tie, random", sample(by("psycomark", lambda r: r["label"] is None), 300)),
    ("psycomark Yes, least conspiracy by CV", lowest(by("psycomark", lambda r: r["label"] == "conspiracy"), 200)),
    ("psycomark No, least civil by CV", lowest(by("psycomark", lambda r: r["label"] == "civil"), 200)),
    ("pan2024 conspiracy, least conspiracy by CV", lowest(by("pan2024_oppositional_en", lambda r: r["label"] == "conspiracy"), 200)),
    ("pan2024 critical, least civil by CV", lowest(by("pan2024_oppositional_en", lambda r: r["label"] == "civil"), 200)),
    ("fox_news hateful, least abusive by CV", lowest(by("fox_news", lambda r: r["label"] == "abusive"), 150)),
    ("fox_news not, least civil by CV", lowest(by("fox_news", lambda r: r["label"] == "civil"), 150)),
    ("toxigen, least like its label by CV", lowest(by("toxigen_prompts", lambda r: True), 100)),
    ("toxic_spans toxic, random", sample(by("toxic_spans", lambda r: True), 300)),
]
QUOTE = re.compile(r"[\"“”]|\bcall(ed|ing|s)? (me|him|her|them|us|you)\b|\b(said|says|told me)\b", re.I)
abusive_quoting = [r for r in rows if r["label"] == "abusive" and QUOTE.search(r["text"]) and r["source"] != "davidson"]
plan.append(("abusive rows that quote or report speech (counter-speech?), random", sample(abusive_quoting, 200)))

chosen, seen_ids, seen_text = [], set(), set()
for reason, items in plan:
    n = 0
    for r in items:
        key = " ".join(r["text"].lower().split())
        if r["id"] in seen_ids or key in seen_text or not key:
            continue
        seen_ids.add(r["id"]); seen_text.add(key)
        chosen.append({"id": r["id"], "source": r["source"], "source_label": r["source_label"],
                       "old_label": r["label"], "reason": reason, "text": r["text"],
                       "text_sha256": hashlib.sha256(r["text"].encode()).hexdigest(),
                       "p_own_cv": p_own.get(r["id"])})
        n += 1
    print(f"{n:5d}  {reason}", file=sys.stderr)
print(len(chosen), "chosen", file=sys.stderr)
with open(ARGS.out, "w") as h:
    for c in chosen:
        h.write(json.dumps(c, ensure_ascii=False) + "\n")
