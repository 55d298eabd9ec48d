from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from moderation.comments import Comment, Thread
from moderation.formats import ParseReport, ReadOptions, read_export
from moderation.labels.join import join_labels

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"


def read_all(path, *, format="auto", skip_bad=False, encoding=None, columns=None, labels=None):
    """Every record of one export, plus its report."""
    options = ReadOptions(encoding=encoding, skip_bad=skip_bad)
    if columns is not None:
        options.columns = columns
    report = ParseReport(str(path), skip_bad=skip_bad)
    records = read_export(path, format=format, options=options, report=report)
    if labels is not None:
        records = join_labels(records, labels, report)
    records = list(records)
    threads = [r for r in records if isinstance(r, Thread)]
    comments = [r for r in records if isinstance(r, Comment)]
    return threads, comments, report


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(
            f"the seed pages are not here ({SEEDS}): they live in ../shared beside the checkout"
        )
    return SEEDS


TINY_EXAMPLES = ROOT / "tests" / "fixtures" / "tiny_examples.jsonl"
# the tiny model uses every feature the default recipe uses, so the array scorer is checked
# against scikit-learn on all of them
FAST_CONFIG = (
    "[pipeline]\ncv_folds = 3\nn_jobs = 1\nC_grid = [1.0, 10.0]\n"
    'dropped_terms = ["stop", "identity"]\nspelling_min_count = 2\nnorm_smoothing = 5.0\n'
    "negation_scope = 3\nlength_nuisance = true\n"
)


# the written threat cases and near misses: the tiny model's THREAT, INSULT and
# SEVERE_TOXICITY heads are trained on them
ATTRIBUTE_EXAMPLES = ROOT / "data" / "examples" / "attributes.jsonl"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A model trained once per run on the 36 written examples (a second or two), with the
    attribute heads the written attribute examples allow."""
    from moderation.model.train import train_from_files

    folder = tmp_path_factory.mktemp("tiny-model")
    config = folder / "fast.toml"
    config.write_text(FAST_CONFIG)
    train_from_files(
        [TINY_EXAMPLES],
        output=folder / "tiny",
        config_path=config,
        attributes=[ATTRIBUTE_EXAMPLES],
    )
    return folder / "tiny"


@pytest.fixture(scope="session", autouse=True)
def isolated_session_state(tmp_path_factory):
    """Models trained by session and module fixtures (before any test's own state folder is
    set) record themselves in a state folder of the run, never the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MODERATION_HOME", str(tmp_path_factory.mktemp("session-home")))
        patch.setenv("MODERATION_MODELS", str(tmp_path_factory.mktemp("session-models")))
        patch.delenv("MODERATION_MODEL", raising=False)
        patch.delenv("MODERATION_TRUST_MODEL", raising=False)
        yield


@pytest.fixture(autouse=True)
def isolated_state(tmp_path_factory, monkeypatch, request):
    """No test reads or changes the user's active model or models folder. The tiny model,
    trained once per run, is one this installation made: each test's state folder records
    it as trusted, as `moderation train` does."""
    monkeypatch.setenv("MODERATION_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("MODERATION_MODELS", str(tmp_path_factory.mktemp("models")))
    monkeypatch.delenv("MODERATION_MODEL", raising=False)
    monkeypatch.delenv("MODERATION_TRUST_MODEL", raising=False)
    if "tiny_model" in request.fixturenames:
        from moderation.model.meta import ModelMeta
        from moderation.model.trust import record_trusted

        model = request.getfixturevalue("tiny_model")
        record_trusted(model, ModelMeta.read(model).model_sha256)


def label_record(cid, label, **extra):
    """One answer as the label store holds it."""
    return {
        "id": cid,
        "action": "label",
        "label": label,
        "text": f"text of {cid}",
        "labeller": "ana",
        **extra,
    }


def json_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def store_history(path):
    """Every row of a label store, oldest first (none when there is no store)."""
    from moderation.labels.store import LabelStore

    if not path.exists():
        return []
    with LabelStore(path, create=False) as store:
        return store.history()


def store_labels(path, **options):
    """A label store's current labels: comment id -> label."""
    from moderation.labels.store import LabelStore

    with LabelStore(path, create=False) as store:
        return {cid: r.label for cid, r in store.labels(**options).items()}


# comments that exercise every normalisation path, for scoring tests
SCORING_TEXTS = [
    "You pathetic worm, crawl back under your rock.",
    "They staged it and the cabal is hiding the truth.",
    "Thanks for the library hours!!! Sooo good",
    "RT @someone: the &amp; council <b>plan</b> is bad https://x.org/a",
    "I do n't think it 's fair , really .",
    "words the model never saw: zyxw qqqq",
    "\u2019\u200b",
    "!!!",
]


@pytest.fixture(scope="session")
def model(tiny_model):
    """The tiny model, loaded."""
    from moderation.model.registry import load_model

    return load_model(tiny_model)


def _set_limits(limits) -> None:
    import resource

    for which, value in limits.items():
        resource.setrlimit(which, (value, value))


def start_moderation_server(args: list[str], env: dict[str, str] | None = None, limits=None):
    """``python -m moderation ARGS --port P`` on 127.0.0.1 (a free port), once its /healthz
    answers: ``(process, port, base_url)``. ``limits``: ``{resource.RLIMIT_*: n}`` for it."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "moderation", *args, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=(lambda: _set_limits(limits)) if limits else None,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):
                return process, port, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not come up in 60 s")
