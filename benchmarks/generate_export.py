"""Generate a synthetic comment export of any size (JSONL, CSV or WordPress WXR) for the
speed benchmarks. Comments are invented from a small vocabulary; threads of 5-40 comments with
nested replies, some of which quote their parent, as in a real export.

    python benchmarks/generate_export.py --format jsonl --comments 1000000 -o big.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

WORDS = (
    "the council bridge market library park bus ferry school shop road plan budget "
    "summer winter people street town river night morning vote parking cycle lane "
    "weather volunteers report meeting agree disagree think really good bad late early "
    "open closed new old small big never always maybe because again"
).split()


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(5, 16))
    return " ".join(words).capitalize() + rng.choice(".!?.")


def generate(n: int, seed: int = 0, pool: list[str] | None = None) -> Iterator[dict]:
    """``n`` comment records in threads. Texts are invented, or drawn from ``pool`` (e.g. real
    comments from the public datasets, for scoring benchmarks)."""
    rng = random.Random(seed)
    made, thread = 0, 0
    while made < n:
        thread += 1
        size = min(rng.randint(5, 40), n - made)
        ids: list[str] = []
        texts: dict[str, str] = {}
        for _ in range(size):
            made += 1
            cid = f"c{made}"
            parent = rng.choice(ids) if ids and rng.random() < 0.5 else None
            if pool:
                text = pool[rng.randrange(len(pool))]
            else:
                text = " ".join(_sentence(rng) for _ in range(rng.randint(1, 4)))
            if parent and rng.random() < 0.1:
                text = texts[parent].split(". ")[0] + ". " + text
            texts[cid] = text
            ids.append(cid)
            yield {
                "id": cid,
                "thread_id": f"t{thread}",
                "parent_id": parent,
                "author": f"user{rng.randint(1, 5000)}",
                "created_at": f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T12:00:00+00:00",
                "text": text,
                "thread_title": f"Story number {thread}",
            }


def write_jsonl(rows: Iterator[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")


def write_csv(rows: Iterator[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = None
        for row in rows:
            if writer is None:
                writer = csv.DictWriter(fh, fieldnames=list(row))
                writer.writeheader()
            writer.writerow({k: "" if v is None else v for k, v in row.items()})


def write_wxr(rows: Iterator[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
        )
        current = None
        for row in rows:
            if row["thread_id"] != current:
                if current is not None:
                    fh.write("</item>\n")
                current = row["thread_id"]
                fh.write(
                    f"<item><title>{escape(row['thread_title'])}</title>"
                    f"<link>https://blog.example/{current}</link>"
                    f"<wp:post_id>{current[1:]}</wp:post_id>"
                    "<wp:post_type>post</wp:post_type>\n"
                )
            fh.write(
                "<wp:comment>"
                f"<wp:comment_id>{row['id'][1:]}</wp:comment_id>"
                f"<wp:comment_author><![CDATA[{row['author']}]]></wp:comment_author>"
                f"<wp:comment_date_gmt>{row['created_at'][:10]} 12:00:00"
                "</wp:comment_date_gmt>"
                f"<wp:comment_content><![CDATA[{row['text']}]]></wp:comment_content>"
                "<wp:comment_approved>1</wp:comment_approved>"
                f"<wp:comment_parent>{(row['parent_id'] or 'c0')[1:]}</wp:comment_parent>"
                "</wp:comment>\n"
            )
        if current is not None:
            fh.write("</item>\n")
        fh.write("</channel>\n</rss>\n")


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "wxr": write_wxr}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=sorted(WRITERS), required=True)
    parser.add_argument("--comments", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    WRITERS[args.format](generate(args.comments, args.seed), args.output)


if __name__ == "__main__":
    main()
