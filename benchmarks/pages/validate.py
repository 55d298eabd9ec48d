#!/usr/bin/env python3
"""Sanity checks for the comment-page corpus.

Usage: python3 validate.py [DIR ...]   (default: all/, dev/, heldout/ next to this file)

For every NAME.json it checks that:
  * the JSON parses and has the expected keys and types;
  * NAME.txt exists and is valid UTF-8;
  * title / article_author / comment authors occur in the page text;
  * each comment's text_start occurs (in page order, after the previous comment's
    text_start) and its text_end occurs after it;
  * no furniture string occurs inside a comment's span (text_start .. text_end);
  * the next comment's text_start does not fall inside the current span;
  * reply_to / depth are consistent and times look like ISO dates.
"""
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$")
KEYS = {"family", "title", "article_author", "declared_comments", "comments", "furniture"}
CKEYS = {"author", "depth", "time", "text_start", "text_end", "reply_to"}


def check(jpath):
    errs = []
    tpath = jpath[:-5] + ".txt"
    try:
        d = json.load(open(jpath, encoding="utf-8"))
    except Exception as e:  # noqa
        return [f"JSON error: {e}"]
    if not os.path.exists(tpath):
        return ["missing .txt"]
    try:
        page = open(tpath, encoding="utf-8").read()
    except UnicodeDecodeError as e:
        return [f"not UTF-8: {e}"]
    if set(d) != KEYS:
        errs.append(f"keys {sorted(set(d) ^ KEYS)}")
    if d.get("title") is not None and d["title"] not in page:
        errs.append(f"title not in page: {d['title']!r}")
    if d.get("article_author") is not None and d["article_author"] not in page:
        errs.append(f"article_author not in page: {d['article_author']!r}")
    dc = d.get("declared_comments")
    if dc is not None and not isinstance(dc, int):
        errs.append("declared_comments not int/null")
    comments = d.get("comments", [])
    furniture = d.get("furniture", [])
    spans = []
    pos = 0
    for i, c in enumerate(comments):
        if set(c) != CKEYS:
            errs.append(f"[{i}] keys {sorted(set(c) ^ CKEYS)}")
            continue
        if c["author"] is not None and c["author"] not in page:
            errs.append(f"[{i}] author not in page: {c['author']!r}")
        if c["time"] is not None and not TIME_RE.match(c["time"]):
            errs.append(f"[{i}] bad time {c['time']!r}")
        rt, dep = c["reply_to"], c["depth"]
        if rt is None:
            if dep != 0:
                errs.append(f"[{i}] depth {dep} but reply_to null")
        else:
            if not (isinstance(rt, int) and 0 <= rt < i):
                errs.append(f"[{i}] bad reply_to {rt}")
            elif comments[rt]["depth"] + 1 != dep:
                errs.append(f"[{i}] depth {dep} != parent depth+1")
        ts, te = c["text_start"], c["text_end"]
        if "\n" in ts or "\n" in te:
            errs.append(f"[{i}] newline in text_start/text_end")
        s = page.find(ts, pos)
        if s < 0:
            where = "not in page" if ts not in page else "out of order"
            errs.append(f"[{i}] text_start {where}: {ts!r}")
            spans.append(None)
            continue
        e = page.find(te, s)
        if e < 0:
            errs.append(f"[{i}] text_end not after start: {te!r}")
            spans.append(None)
            pos = s + 1
            continue
        span = page[s:e + len(te)]
        for f in furniture:
            if f in span:
                errs.append(f"[{i}] furniture {f!r} inside comment span")
        spans.append((s, e + len(te)))
        pos = s + 1
    for i in range(len(spans) - 1):
        if spans[i] and spans[i + 1] and spans[i + 1][0] < spans[i][1]:
            errs.append(f"[{i}] span overlaps next comment")
    return errs


def main():
    dirs = sys.argv[1:] or [os.path.join(HERE, x) for x in ("all", "dev", "heldout")]
    total = bad = 0
    fams = {}
    for dd in dirs:
        for j in sorted(glob.glob(os.path.join(dd, "*.json"))):
            total += 1
            errs = check(j)
            try:
                d = json.load(open(j, encoding="utf-8"))
                fams.setdefault(d["family"], []).append(os.path.basename(j)[:-5])
            except Exception:
                pass
            if errs:
                bad += 1
                print(os.path.relpath(j, HERE))
                for e in errs:
                    print("   ", e)
    print(f"{total} pages, {bad} with problems, {len(fams)} families")


if __name__ == "__main__":
    main()
