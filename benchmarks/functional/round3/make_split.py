#!/usr/bin/env python3
"""Build round 3's suite.jsonl from the cases.txt beside this script, by the rule of
../make_split.py (read its docstring) with the generator random.Random(2027).

Usage: python3 make_split.py   (writes suite.jsonl next to this script)
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from make_split import main  # noqa: E402

if __name__ == "__main__":
    main(HERE, seed=2027)
