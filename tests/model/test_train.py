"""Train -> save -> load -> score on a tiny written corpus, and the errors of `train`."""

import json
from pathlib import Path

import joblib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.cli import app
from moderation.errors import ModelLoadError
from moderation.labels.examples import Example, read_labelled
from moderation.model.registry import load_model
from moderation.model.train import prepare_examples, train_from_files

TINY = Path(__file__).parents[1] / "fixtures" / "tiny_examples.jsonl"
FAST = "[pipeline]\ncv_folds = 3\nn_jobs = 1\nC_grid = [1.0, 10.0]\n"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    config = folder / "fast.toml"
    config.write_text(FAST)
    out = folder / "tiny"
    meta = train_from_files([TINY], output=out, config_path=config).to_json()
    return out, meta


def test_model_directory_holds_pipeline_meta_and_card(trained):
    out, meta = trained
    assert sorted(p.name for p in out.iterdir()) == [
        "MODEL_CARD.md",
        "meta.json",
        "model.joblib",
        "scorer.npz",
        "training.npz",
    ]
    assert meta["labels"] == ["abusive", "civil", "conspiracy"]
    assert set(meta["thresholds"]) == {"abusive", "conspiracy"}
    assert meta["training_data"]["by_source"] == {
        "tiny_examples": {"abusive": 12, "civil": 12, "conspiracy": 12}
    }
    assert meta["config"]["cv_folds"] == 3
    assert {"python", "scikit-learn", "numpy", "moderation"} <= set(meta["versions"])
    assert meta["training_data"]["files"][0]["examples"] == 36
    card = (out / "MODEL_CARD.md").read_text()
    assert meta["model_id"] in card and "Intended use" in card and "limitations" in card


def test_plain_joblib_load_predicts_in_label_order(trained):
    out, meta = trained
    pipeline = joblib.load(out / "model.joblib")
    probabilities = pipeline.predict_proba(
        [
            "You pathetic worm, crawl back under your rock.",
            "They staged it and the cabal is hiding the truth.",
        ]
    )
    assert list(pipeline.classes_) == meta["labels"]
    assert probabilities[0].argmax() == meta["labels"].index("abusive")
    assert probabilities[1].argmax() == meta["labels"].index("conspiracy")


def test_load_gives_identical_scores(trained):
    out, _ = trained
    from moderation.model.meta import ModelMeta
    from moderation.model.trust import record_trusted

    record_trusted(out, ModelMeta.read(out).model_sha256)  # trained in another test's home
    model = load_model(out)
    texts = ["Thanks for the library hours.", "you worthless troll"]
    again = joblib.load(out / "model.joblib").predict_proba(texts)
    assert np.array_equal(model.pipeline.predict_proba(texts), again)
    assert model.labels == ["abusive", "civil", "conspiracy"]
    assert set(model.thresholds) == {"abusive", "conspiracy"}


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=5))
def test_probabilities_are_a_distribution(trained_pipeline, texts):
    probabilities = trained_pipeline.predict_proba(texts)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    assert np.allclose(probabilities.sum(axis=1), 1.0)


@pytest.fixture(scope="module")
def trained_pipeline(trained):
    return joblib.load(trained[0] / "model.joblib")


def test_same_data_config_and_seed_give_the_same_scores(trained, tmp_path):
    out, meta = trained
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    again = train_from_files([TINY], output=tmp_path / "again", config_path=config).to_json()
    texts = ["the council plan is bad", "they are hiding it", "you clown"]
    first = joblib.load(out / "model.joblib").predict_proba(texts)
    second = joblib.load(tmp_path / "again" / "model.joblib").predict_proba(texts)
    assert np.array_equal(first, second)
    assert again["thresholds"] == meta["thresholds"]


def test_tampered_model_is_refused_before_unpickling(trained, tmp_path, monkeypatch):
    out, _ = trained
    copy = tmp_path / "copy"
    copy.mkdir()
    for item in out.iterdir():
        (copy / item.name).write_bytes(item.read_bytes())
    with open(copy / "model.joblib", "ab") as handle:
        handle.write(b"\0")
    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("unpickled"))
    with pytest.raises(ModelLoadError, match="checksum does not match"):
        load_model(copy)


def test_other_sklearn_version_warns_naming_both(trained, tmp_path):
    out, _ = trained
    copy = tmp_path / "old"
    copy.mkdir()
    for item in out.iterdir():
        (copy / item.name).write_bytes(item.read_bytes())
    meta = json.loads((copy / "meta.json").read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    (copy / "meta.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match="0.24.2"):
        load_model(copy)


def test_model_dir_errors(tmp_path):
    with pytest.raises(ModelLoadError, match="no such model directory"):
        load_model(tmp_path / "absent")
    with pytest.raises(ModelLoadError, match="not a model directory"):
        load_model(tmp_path)


def test_existing_model_is_not_overwritten_without_force(runner, trained, tmp_path):
    out, _ = trained
    before = (out / "model.joblib").read_bytes()
    result = runner.invoke(app, ["train", str(TINY), "-o", str(out)])
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert (out / "model.joblib").read_bytes() == before


def test_force_replaces_atomically(runner, tmp_path):
    config = tmp_path / "fast.toml"
    config.write_text(FAST)
    out = tmp_path / "m"
    for _ in range(2):
        result = runner.invoke(
            app, ["train", str(TINY), "--config", str(config), "-o", str(out), "--force"]
        )
        assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fast.toml", "m"]


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.mark.parametrize(
    "records, message",
    [
        ([], "no examples"),
        (
            [{"text": "fine", "label": "civil"}, {"text": "also fine", "label": "civil"}],
            "at least two labels",
        ),
        (
            [{"text": "fine", "label": "civil"}, {"text": "x", "label": "spam"}],
            "examples.jsonl:2: unknown label 'spam'",
        ),
        ([{"text": "  ", "label": "civil"}], "examples.jsonl:1: empty or missing text"),
        ([{"text": "fine"}], "examples.jsonl:1: missing label"),
        (
            [
                {"id": "a", "text": "fine", "label": "civil"},
                {"id": "a", "text": "bad", "label": "abusive"},
            ],
            "examples.jsonl:2: id 'a' is labelled 'abusive' here and 'civil' at",
        ),
    ],
)
def test_bad_examples_give_one_clear_line(runner, tmp_path, records, message):
    path = _write(tmp_path / "examples.jsonl", records)
    result = runner.invoke(app, ["train", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_invalid_json_line(runner, tmp_path):
    path = tmp_path / "examples.jsonl"
    path.write_text('{"text": "ok", "label": "civil"}\n{not json\n')
    result = runner.invoke(app, ["train", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "examples.jsonl:2: not valid JSON" in result.stderr


def test_unknown_config_setting(runner, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[pipeline]\nngrams = 3\n")
    result = runner.invoke(
        app, ["train", str(TINY), "--config", str(config), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 2 and "unknown setting(s) ngrams" in result.stderr


def test_nothing_to_train_on(runner, tmp_path):
    result = runner.invoke(app, ["train", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--recipe default" in result.stderr


def test_duplicate_texts_share_a_fold_group():
    records = [
        {"id": "1", "text": "Same words", "label": "civil", "thread_id": "a"},
        {"id": "2", "text": "same  words", "label": "civil", "thread_id": "b"},
        {"id": "3", "text": "other", "label": "abusive"},
    ]
    examples = prepare_examples(Example.from_record(r) for r in records)
    assert examples.groups == ["a", "a", "3"]


def test_read_examples_defaults(tmp_path):
    path = _write(tmp_path / "site.jsonl", [{"text": "fine", "label": "civil"}])
    (example,) = read_labelled(path, kind="examples").examples
    assert example.id == "site.jsonl:1" and example.source == "site"


def test_thresholds_reach_the_target_precision_or_say_so():
    from moderation.model.thresholds import threshold_for_precision

    truth = np.array([1] * 10 + [0] * 10, dtype=bool)
    scores = np.linspace(1, 0, 20)  # perfectly ranked
    found = threshold_for_precision(truth, scores, "abusive", 0.8)
    assert found.reached_target and found.precision >= 0.8 and found.recall == 1.0
    noisy = np.array([1, 0] * 10, dtype=bool)  # no threshold reaches 0.8 with support
    found = threshold_for_precision(noisy, np.linspace(1, 0, 20), "abusive", 0.8, min_recall=0.5)
    assert not found.reached_target and found.recall > 0


def test_few_labels_come_with_a_warning_and_confidence_intervals(tiny_model):
    from moderation.model.meta import ModelMeta
    from moderation.model.metrics import few_labels_warning

    metrics = ModelMeta.read(tiny_model).cv_metrics
    low, high = metrics["intervals"]["macro_f1"]
    assert low <= metrics["macro_f1"] <= high and high - low > 0.05
    warning = few_labels_warning(metrics)
    assert warning.startswith(f"only {metrics['examples']} labelled examples")
    assert f"macro-F1 {metrics['macro_f1']:.3f} ({low:.2f}-{high:.2f})" in warning
    assert few_labels_warning({**metrics, "examples": 5000}) is None
