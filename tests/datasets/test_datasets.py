"""The dataset registry, the converters (on tiny invented files in each dataset's layout) and
downloads against a local HTTP server: never the network."""

import hashlib
import http.server
import json
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from moderation.cli import app
from moderation.datasets.catalogue import DATASETS, Dataset, DatasetFile
from moderation.datasets.convert import examples
from moderation.datasets.fetch import FetchError, fetch_dataset, fetch_file

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"


def test_every_file_is_pinned_to_a_commit_with_a_checksum():
    for dataset in DATASETS.values():
        assert dataset.licence and dataset.citation and dataset.files
        for item in dataset.files:
            # an official test split in another language is the one file not pinned (it was
            # never fetched where the registry was written)
            pinned = dataset.role != "test" or item.sha256 is not None
            assert len(item.commit) == 40 and (len(item.sha256) == 64 if pinned else True)
            assert item.url.startswith(
                f"https://raw.githubusercontent.com/{item.repo}/{item.commit}/"
            )
    assert " " not in DATASETS["covid_vaccine_comments"].files[0].url


def _layout(root: Path) -> Path:
    """Invented rows in the column layout of each dataset."""
    (root / "davidson").mkdir(parents=True)
    (root / "davidson/labeled_data.csv").write_text(
        # only the columns the converter reads (the row number, the class, the text)
        "tweet,class,\n"
        "nice weather &amp; cake,2,0\nRT @x: you clown,1,1\n"
        "those people are vermin,0,2\n"
    )
    (root / "olid").mkdir()
    (root / "olid/olid-training-v1.0.tsv").write_text(
        "id\ttweet\tsubtask_a\tsubtask_b\tsubtask_c\n1\t@USER lovely\tNOT\tNULL\tNULL\n"
        "2\t@USER you fool\tOFF\tTIN\tIND\n3\tdamn it URL\tOFF\tUNT\tNULL\n"
    )
    (root / "olid/testset-levela.tsv").write_text("id\ttweet\n4\tok then\n5\tyou rat\n")
    (root / "olid/labels-levela.csv").write_text("4,NOT\n5,OFF\n")
    (root / "ruddit").mkdir()
    (root / "ruddit/ruddit_with_text.csv").write_text(
        "offensiveness_score,txt,comment_id,post_id\n"
        '-0.4,"> quoted insult\nI disagree politely",c1,p1\n0.1,[deleted],c2,p1\n'
        "0.7,you absolute worm,c3,p2\n0.3,meh,c4,p2\n"
    )
    (root / "psycomark").mkdir()
    lines = [
        {"_id": "t1_a", "text": "they hide the truth", "conspiracy": "Yes"},
        {"_id": "t1_a", "text": "they hide the truth", "conspiracy": "Yes"},
        {"_id": "t1_b", "text": "an article on tax", "conspiracy": "No"},
        {"_id": "t1_c", "text": "unclear", "conspiracy": "Can't tell"},
    ]
    (root / "psycomark/train_rehydrated.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in lines)
    )
    return root


def test_converters_map_labels_as_documented(tmp_path):
    root = _layout(tmp_path)
    davidson = list(examples("davidson", root, verify=False))
    assert [(e["label"], e["source_label"]) for e in davidson] == [
        ("civil", "neither"),
        ("abusive", "offensive"),
        ("abusive", "hate"),
    ]
    olid = {e["id"]: (e["label"], e["split"]) for e in examples("olid", root, verify=False)}
    assert olid == {
        "olid:1": ("civil", "train"),
        "olid:2": ("abusive", "train"),
        "olid:3": (None, "train"),
        "olid:4": ("civil", "test"),
        "olid:5": (None, "test"),
    }
    ruddit = list(examples("ruddit", root, labelled_only=True, verify=False))
    assert [(e["text"], e["label"], e["thread_id"]) for e in ruddit] == [
        ("I disagree politely", "civil", "ruddit:p1"),
        ("you absolute worm", "abusive", "ruddit:p2"),
    ]
    psy = {e["id"]: e["label"] for e in examples("psycomark", root, verify=False)}
    assert psy == {
        "psycomark:t1_a": "conspiracy",
        "psycomark:t1_b": "civil",
        "psycomark:t1_c": None,
    }


def test_a_changed_local_copy_is_refused(tmp_path):
    root = _layout(tmp_path)
    with pytest.raises(Exception, match="SHA-256 mismatch"):
        list(examples("davidson", root))


def test_a_missing_local_copy_says_how_to_fetch(runner, tmp_path):
    result = runner.invoke(app, ["datasets", "prepare", "olid", "--from", str(tmp_path)])
    assert result.exit_code == 2
    assert "not found" in result.stderr and "moderation datasets fetch olid" in result.stderr


@pytest.fixture
def server(tmp_path):
    """A local HTTP server with Range support, serving tmp_path/www; records requests."""
    www = tmp_path / "www"
    www.mkdir()
    seen: list[tuple[str, str | None]] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(www), **kwargs)

        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append((self.path, self.headers.get("Range")))
            path = Path(self.translate_path(self.path))
            if not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            start = 0
            if self.headers.get("Range"):
                start = int(self.headers["Range"].split("=")[1].rstrip("-"))
                self.send_response(206)
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            self.wfile.write(data[start:])

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()


def _served(www: Path, content: bytes, name: str = "tiny/data.csv") -> Dataset:
    (www / "owner/repo/abc").mkdir(parents=True, exist_ok=True)
    (www / "owner/repo/abc/data.csv").write_bytes(content)
    item = DatasetFile(
        name, "owner/repo", "abc", "data.csv", hashlib.sha256(content).hexdigest(), len(content)
    )
    return Dataset("tiny", "training", "invented", "MIT", "none", (item,))


def test_fetch_downloads_and_verifies(server, tmp_path):
    www, base, _ = server
    dataset = _served(www, b"text,label\nhello there,civil\n")
    dest = tmp_path / "dest"
    assert fetch_dataset(dataset, dest, base_url=base) == ["downloaded"]
    assert (dest / "tiny/data.csv").read_bytes() == b"text,label\nhello there,civil\n"
    assert fetch_dataset(dataset, dest, base_url=base) == ["present"]


def test_fetch_resumes_a_partial_download(server, tmp_path):
    www, base, seen = server
    content = b"0123456789" * 1000
    dataset = _served(www, content)
    partial = tmp_path / "dest/tiny/data.csv.part"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(content[:4000])
    assert fetch_dataset(dataset, tmp_path / "dest", base_url=base) == ["resumed"]
    assert seen[-1][1] == "bytes=4000-"
    assert (tmp_path / "dest/tiny/data.csv").read_bytes() == content
    assert not partial.exists()


def test_fetch_rejects_a_wrong_checksum_and_keeps_nothing(server, tmp_path):
    www, base, _ = server
    dataset = _served(www, b"good bytes")
    (www / "owner/repo/abc/data.csv").write_bytes(b"evil bytes")
    with pytest.raises(FetchError, match="does not match the pinned SHA-256"):
        fetch_dataset(dataset, tmp_path / "dest", base_url=base)
    assert list((tmp_path / "dest").rglob("*.csv*")) == []


def test_fetch_offline_is_one_clear_message(tmp_path):
    dataset = Dataset(
        "tiny",
        "training",
        "x",
        "MIT",
        "none",
        (DatasetFile("tiny/a.csv", "o/r", "c", "a.csv", "0" * 64, 3),),
    )
    with pytest.raises(FetchError, match="cannot download .*are you offline"):
        fetch_dataset(dataset, tmp_path, base_url="http://127.0.0.1:9", timeout=2)


def test_fetch_404_and_derived_files(server, tmp_path, runner):
    www, base, _ = server
    missing = Dataset(
        "tiny",
        "training",
        "x",
        "MIT",
        "none",
        (DatasetFile("tiny/a.csv", "o/r", "c", "a.csv", "0" * 64, 3),),
    )
    with pytest.raises(FetchError, match="answered 404"):
        fetch_dataset(missing, tmp_path, base_url=base)
    result = runner.invoke(app, ["datasets", "fetch", "stormfront", "--dest", str(tmp_path)])
    assert result.exit_code == 2 and "cannot be downloaded" in result.stderr
    result = runner.invoke(app, ["datasets", "fetch", "nope", "--dest", str(tmp_path)])
    assert result.exit_code == 2 and "unknown dataset 'nope'" in result.stderr


def test_list_shows_every_dataset(runner):
    result = runner.invoke(app, ["datasets", "list", "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["name"] for r in rows] == list(DATASETS)
    assert all(r["licence"] and (r["bytes"] > 0 or r["role"] == "test") for r in rows)


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the local copies in ../shared/datasets")
def test_prepare_the_real_copies(runner, tmp_path):
    out = tmp_path / "olid.jsonl"
    result = runner.invoke(
        app, ["datasets", "prepare", "olid", "psycomark", "--from", str(SHARED), "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    labels = Counter((r["source"], r["label"]) for r in map(json.loads, out.open()))
    assert labels == {
        ("olid", "civil"): 9460,
        ("olid", "abusive"): 3876,
        ("psycomark", "civil"): 1581,
        ("psycomark", "conspiracy"): 1203,
    }


def _second_round_layout(root: Path) -> Path:
    """Invented rows in the layouts of the four datasets added in the second round."""
    prompts = root / "toxigen_prompts" / "prompts"
    prompts.mkdir(parents=True)
    for item in DATASETS["toxigen_prompts"].files:
        name = Path(item.name).name
        body = ""
        if name == "hate_asian_1k.txt":
            body = "- they are all the same\\n- they are all the same\\n- go home\n"
        if name == "neutral_asian_1k.txt":
            body = "- my friend cooks well\\n- they are all the same\n"
        (prompts / name).write_text(body)
    (root / "hatemoji_build").mkdir()
    header = "label_gold,text,matched_id,entry_id\n"  # the columns the converter reads
    (root / "hatemoji_build/train.csv").write_text(
        header + "1,I hate 🐀 people,1,0\n0,I love 🐀,0,1\n"
    )
    for split in ("validation", "test"):
        (root / f"hatemoji_build/{split}.csv").write_text(header)
    (root / "fox_news").mkdir()
    (root / "fox_news/fox-news-comments.json").write_text(
        json.dumps({"title": "A", "text": "they should all go", "label": 1})
        + "\n"
        + json.dumps({"title": "A", "text": "good point on taxes", "label": 0})
        + "\n"
    )
    (root / "toxic_spans").mkdir()
    (root / "toxic_spans/tsd_train.csv").write_text(
        "spans,text\n"
        '"[0, 1, 2, 3, 4]","Idiot. The rest of this sentence is a fair point about rates."\n'
    )
    for split in ("trial", "test"):
        (root / f"toxic_spans/tsd_{split}.csv").write_text("spans,text\n")
    return root


def test_second_round_converters(tmp_path):
    root = _second_round_layout(tmp_path)
    toxigen = [(e["text"], e["label"]) for e in examples("toxigen_prompts", root, verify=False)]
    assert toxigen == [
        ("they are all the same", "abusive"),  # the hate file comes first; kept once
        ("go home", "abusive"),
        ("my friend cooks well", "civil"),
    ]
    hatemoji = list(examples("hatemoji_build", root, verify=False))
    assert [e["label"] for e in hatemoji] == ["abusive", "civil"]
    assert hatemoji[0]["thread_id"] == hatemoji[1]["thread_id"]  # a pair stays in one fold
    fox = list(examples("fox_news", root, verify=False))
    assert [e["label"] for e in fox] == ["abusive", "civil"] and fox[0]["thread_id"] == "fox_news:A"
    spans = [
        (e["label"], e["source_label"], e["text"])
        for e in examples("toxic_spans", root, verify=False)
    ]
    assert spans == [
        ("abusive", "toxic", "Idiot. The rest of this sentence is a fair point about rates."),
        ("civil", "span-free sentence", "The rest of this sentence is a fair point about rates."),
    ]


def test_olid_test_split_maps_offensive_to_abusive(tmp_path):
    root = _layout(tmp_path)
    rows = {e["id"]: e["label"] for e in examples("olid_test", root, verify=False)}
    assert rows == {"olid_test:4": "civil", "olid_test:5": "abusive"}


@pytest.fixture
def hostile_server(tmp_path):
    """A server that misbehaves on purpose: /endless sends bytes forever, /slow one byte
    every 0.5 s, /short announces more bytes than it sends and hangs up."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            try:
                if "endless" in self.path:
                    self.end_headers()
                    while True:
                        self.wfile.write(b"x" * 65536)
                elif "slow" in self.path:
                    self.end_headers()
                    for _ in range(60):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.5)
                else:
                    self.send_header("Content-Length", "10000")
                    self.end_headers()
                    self.wfile.write(b"0123456789" * 400)
            except OSError:
                pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _pinned(content: bytes, name: str) -> DatasetFile:
    return DatasetFile(
        "tiny/data.csv", "o/r", "c", name, hashlib.sha256(content).hexdigest(), len(content)
    )


def test_fetch_reads_no_more_than_the_pinned_size(hostile_server, tmp_path):
    item = _pinned(b"y" * 200_000, "endless")
    with pytest.raises(FetchError, match="does not match"):
        fetch_file(item, tmp_path, url=f"{hostile_server}/endless", timeout=5)
    assert not list(tmp_path.rglob("*.part"))  # complete but wrong: deleted


def test_fetch_gives_up_on_a_stalled_server(hostile_server, tmp_path):
    item = _pinned(b"x" * 100_000, "slow")
    started = time.monotonic()
    with pytest.raises(FetchError, match="stalled"):
        fetch_file(item, tmp_path, url=f"{hostile_server}/slow", timeout=2)
    assert time.monotonic() - started < 20  # the server would go on for 30 s
    assert (tmp_path / "tiny/data.csv.part").is_file()  # kept for a resume


def test_a_truncated_transfer_keeps_its_part_file_for_a_resume(hostile_server, tmp_path):
    content = b"0123456789" * 1000
    with pytest.raises(FetchError, match="resume"):
        fetch_file(_pinned(content, "short"), tmp_path, url=f"{hostile_server}/short", timeout=5)
    assert (tmp_path / "tiny/data.csv.part").read_bytes() == content[:4000]


def test_pan2024_maps_critical_to_civil_and_puts_tokens_back(tmp_path):
    folder = tmp_path / "pan2024_oppositional_en"
    folder.mkdir()
    (folder / "en_all_text.txt").write_text(
        "They planned the outbreak , read https :// t . me / somechannel now\n"
        "The mandates do n't work ( at all ) and “ nobody ” listens !\n",
        encoding="utf-8",
    )
    (folder / "en_all_labels.txt").write_text("1\n0\n")
    rows = list(examples("pan2024_oppositional_en", tmp_path, verify=False))
    assert [(r["id"], r["label"], r["source_label"]) for r in rows] == [
        ("pan2024_oppositional_en:1", "conspiracy", "conspiracy"),
        ("pan2024_oppositional_en:2", "civil", "critical"),
    ]
    assert rows[0]["text"] == "They planned the outbreak, read https://t.me/somechannel now"
    assert rows[1]["text"] == "The mandates don't work (at all) and “nobody” listens!"


def test_a_training_row_with_a_held_out_text_is_left_out(monkeypatch):
    from collections import Counter

    from moderation.datasets import recipes

    rows = {
        "olid": [
            {"text": "@USER what a day", "label": "civil", "split": "train"},
            {"text": "a plain tweet", "label": "civil", "split": "train"},
            {"text": "@USER  What a DAY", "label": "civil", "split": "test"},
        ],
        "davidson": [
            {"text": "what a day", "label": "abusive"},
            {"text": "fine", "label": "civil"},
        ],
    }
    for source, found in rows.items():
        for n, row in enumerate(found):
            row["id"] = f"{source}-{n}"
    monkeypatch.setattr(recipes, "dataset_examples", lambda source, root: iter(rows[source]))
    left_out: Counter = Counter()
    kept = recipes.source_rows(["olid", "davidson"], ".", relabelled=False, left_out=left_out)
    assert [r["text"] for r in kept["olid"]] == ["a plain tweet"]
    assert [r["text"] for r in kept["davidson"]] == ["fine"]
    assert left_out == {"olid": 1, "davidson": 1}
