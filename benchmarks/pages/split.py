#!/usr/bin/env python3
"""Split the page corpus into dev/ and heldout/.

Takes every page NAME (NAME.txt + NAME.json) in all/, sorts the names,
shuffles them with random.Random(seed).shuffle, and moves the first half
(len // 2) to dev/ and the rest to heldout/.  Starting seed is 15; if either
half would contain fewer than MIN_FAMILIES distinct families, the next seed
is tried.  The seed that was used and the resulting lists are written to
split.json next to this script.

Run once:   python3 split.py
Re-running after the move is a no-op (all/ is empty); use --dry-run to only
print what would happen.
"""
import json
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "all")
DEV = os.path.join(HERE, "dev")
HELD = os.path.join(HERE, "heldout")
START_SEED = 15
MIN_FAMILIES = 15


def family(name):
    with open(os.path.join(SRC, name + ".json"), encoding="utf-8") as f:
        return json.load(f)["family"]


def split(names, seed):
    order = sorted(names)
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    return order[:half], order[half:]


def main():
    dry = "--dry-run" in sys.argv
    names = sorted(n[:-5] for n in os.listdir(SRC) if n.endswith(".json"))
    if not names:
        print("nothing to split in", SRC)
        return
    for n in names:
        assert os.path.exists(os.path.join(SRC, n + ".txt")), n
    fam = {n: family(n) for n in names}
    seed = START_SEED
    while True:
        dev, held = split(names, seed)
        fd = {fam[n] for n in dev}
        fh = {fam[n] for n in held}
        print(f"seed {seed}: dev {len(dev)} pages / {len(fd)} families, "
              f"heldout {len(held)} pages / {len(fh)} families")
        if len(fd) >= MIN_FAMILIES and len(fh) >= MIN_FAMILIES:
            break
        seed += 1
    if dry:
        return
    os.makedirs(DEV, exist_ok=True)
    os.makedirs(HELD, exist_ok=True)
    for dest, group in ((DEV, dev), (HELD, held)):
        for n in group:
            for ext in (".txt", ".json"):
                shutil.move(os.path.join(SRC, n + ext), os.path.join(dest, n + ext))
    record = {
        "seed": seed,
        "start_seed": START_SEED,
        "method": "sorted names, random.Random(seed).shuffle, first len//2 -> dev, rest -> heldout",
        "dev": sorted(dev),
        "heldout": sorted(held),
        "families": fam,
    }
    with open(os.path.join(HERE, "split.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False, indent=1)
    if not os.listdir(SRC):
        os.rmdir(SRC)
    print("moved; seed", seed, "recorded in split.json")


if __name__ == "__main__":
    main()
