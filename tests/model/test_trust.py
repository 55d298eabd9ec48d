"""A model directory is data, not code (issue 16: items 4, 5, 6, 7 and 18's meta.json):
scores come from the arrays; a pickle is loaded only for a trusted model; meta.json is checked
against the arrays; promotion history is keyed on content; the state files are never written
through symbolic links."""

import json
import shutil

import pytest

from moderation.cli import app
from moderation.errors import ModelLoadError, ModerationError
from moderation.files import sha256_file
from moderation.model.directory import load_model_dir
from moderation.model.registry import ACTIVE_FILE, HISTORY_FILE, home_dir


def _copy(tiny_model, tmp_path, name="copy"):
    target = tmp_path / name
    shutil.copytree(tiny_model, target)
    return target


def _edit_meta(model, change):
    path = model / "meta.json"
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(meta))


def _planted(model, tmp_path):
    """A pickle that would leave a mark if it were ever loaded, with a matching checksum in
    meta.json (whoever writes one writes the other), and no scorer.npz in meta.json."""
    import joblib

    mark = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(mark), "w"))

    joblib.dump(Payload(), model / "model.joblib")

    def plant(meta):
        meta["model_sha256"] = sha256_file(model / "model.joblib")
        meta.pop("scorer_sha256", None)

    _edit_meta(model, plant)
    return mark


def test_an_untrusted_pickle_is_never_loaded_by_any_command(runner, tiny_model, tmp_path):
    model = _copy(tiny_model, tmp_path)
    mark = _planted(model, tmp_path)
    data = tmp_path / "c.csv"
    data.write_text("id,thread_id,text\na,t,hello there\n")
    store = tmp_path / "labels.jsonl"
    store.write_text(
        json.dumps({"id": "a", "action": "label", "label": "civil", "text": "hi"}) + "\n"
    )
    commands = [
        ["score", "hello", "--model", str(model)],
        ["flag", str(data), "--model", str(model)],
        [
            "label",
            str(data),
            "--store",
            str(tmp_path / "s"),
            "--model",
            str(model),
            "--export",
            str(tmp_path / "q.csv"),
        ],
        ["evaluate", str(tmp_path / "w.jsonl"), "--model", str(model)],
        ["models", "promote", str(model), "--eval", str(tmp_path / "w.jsonl")],
        ["train", "--base", str(model), "--add", str(store), "-o", str(tmp_path / "new")],
    ]
    (tmp_path / "w.jsonl").write_text(
        '{"text": "nice", "label": "civil"}\n{"text": "you idiot", "label": "abusive"}\n'
    )
    for command in commands:
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert "--trust-model" in result.stderr and "Traceback" not in result.output
        assert not mark.exists(), command


def test_retraining_by_prior_starts_from_the_arrays_without_the_pickle(
    runner, tiny_model, tmp_path
):
    model = _copy(tiny_model, tmp_path)
    scorer_sha256 = json.loads((model / "meta.json").read_text())["scorer_sha256"]
    mark = _planted(model, tmp_path)
    _edit_meta(model, lambda meta: meta.update(scorer_sha256=scorer_sha256))  # arrays kept
    store = tmp_path / "labels.jsonl"
    store.write_text(
        "".join(
            json.dumps({"id": f"s{i}", "action": "label", "label": label, "text": text}) + "\n"
            for i, (label, text) in enumerate(
                [("civil", "the gazebo is lovely"), ("abusive", "you gazebo goblin")] * 6
            )
        )
    )
    out = tmp_path / "retrained"
    command = ["train", "--base", str(model), "--add", str(store), "-o", str(out)]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    assert not mark.exists()
    assert load_model_dir(out).predict_proba(["you gazebo goblin"]).shape == (1, 3)


def test_trust_model_loads_a_pickle_the_user_trusts(runner, tiny_model, tmp_path, monkeypatch):
    model = _copy(tiny_model, tmp_path)
    _edit_meta(model, lambda meta: meta.pop("scorer_sha256"))  # scored from its pickle
    assert runner.invoke(app, ["score", "hello", "--model", str(model)]).exit_code == 0  # ours
    (home_dir() / "trusted_models.jsonl").unlink()  # as if it came from elsewhere
    assert runner.invoke(app, ["score", "hello", "--model", str(model)]).exit_code == 2
    result = runner.invoke(app, ["score", "hello", "--model", str(model), "--trust-model"])
    assert result.exit_code == 0, result.output
    monkeypatch.delenv("MODERATION_TRUST_MODEL", raising=False)


def test_a_model_with_arrays_is_scored_without_its_pickle(tiny_model, tmp_path):
    model = _copy(tiny_model, tmp_path)
    (home_dir() / "trusted_models.jsonl").unlink()
    loaded = load_model_dir(model)
    assert loaded.scorer is not None
    assert loaded.predict_proba(["hello"]).shape == (1, 3)
    with pytest.raises(ModelLoadError, match="--trust-model"):
        loaded.pipeline  # noqa: B018


def test_the_shipped_model_is_trusted():
    from moderation.model.trust import is_trusted, shipped_model_dir

    assert is_trusted(shipped_model_dir(), "anything")


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda m: m.update(labels=[m["labels"][1], m["labels"][0], m["labels"][2]]), "labels"),
        (lambda m: m["thresholds"]["abusive"].update(threshold=1.5), "between 0 and 1"),
        (lambda m: m["thresholds"]["abusive"].update(threshold=float("nan")), "between 0 and"),
        (lambda m: m["thresholds"]["abusive"].update(threshold=0), "between 0 and 1"),
        (lambda m: m["thresholds"]["abusive"].update(threshold="0.5"), "between 0 and 1"),
        (lambda m: m.pop("model_id"), "model_id"),
        (lambda m: m.update(model_id=7), "model_id"),
        (lambda m: m.update(labels=[*m["labels"], "spam"]), "labels"),
        (lambda m: m.update(labels=["civil", "civil", "abusive"]), "labels"),
        (lambda m: m["thresholds"].update(spam={"threshold": 0.5}), "not a label"),
    ],
)
def test_a_meta_json_that_does_not_match_the_model_is_refused(
    runner, tiny_model, tmp_path, change, problem
):
    model = _copy(tiny_model, tmp_path)
    _edit_meta(model, change)
    result = runner.invoke(app, ["score", "you idiot", "--model", str(model)])
    assert result.exit_code == 2, result.output
    assert problem in result.stderr and "Traceback" not in result.output


def test_promotion_history_is_keyed_on_content_not_on_the_claimed_id(runner, tiny_model, tmp_path):
    first = _copy(tiny_model, tmp_path, "first")
    assert runner.invoke(app, ["models", "promote", str(first), "--force"]).exit_code == 0
    back = runner.invoke(app, ["models", "promote", "default", "--force"])
    assert back.exit_code == 0
    first_id = json.loads((first / "meta.json").read_text())["model_id"]
    look_alike = _copy(tiny_model, tmp_path, "look-alike")
    _edit_meta(look_alike, lambda m: m["thresholds"]["abusive"].update(threshold=0.01))
    assert json.loads((look_alike / "meta.json").read_text())["model_id"] == first_id
    refused = runner.invoke(app, ["models", "promote", str(look_alike)])
    assert refused.exit_code == 2 and "needs evidence" in refused.stderr
    rollback = runner.invoke(app, ["models", "promote", str(first)])  # the real one: a rollback
    assert rollback.exit_code == 0 and "rollback" in rollback.stderr


def test_the_state_files_are_never_written_through_a_symbolic_link(runner, tiny_model, tmp_path):
    victim = tmp_path / "victim"
    victim.write_text('{"precious": 1}\n')
    home_dir().mkdir(parents=True, exist_ok=True)
    for name in (HISTORY_FILE, ACTIVE_FILE):
        (home_dir() / name).symlink_to(victim)
        result = runner.invoke(app, ["models", "promote", str(tiny_model), "--force"])
        assert result.exit_code == 2 and "symbolic link" in result.stderr, result.output
        assert victim.read_text() == '{"precious": 1}\n'
        (home_dir() / name).unlink()


def test_active_json_is_written_to_an_unpredictable_temporary_name(tiny_model, monkeypatch):
    """A predictable name (``active.json.tmp``) planted as a link would be followed."""
    import tempfile

    made = []
    real = tempfile.mkstemp

    def spy(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    from moderation.evaluation.promote import promote

    assert promote(str(tiny_model), force=True)["promoted"]
    assert any(name.startswith(str(home_dir())) for _, name in made)


def test_meta_checks_raise_the_projects_error(tiny_model, tmp_path):
    model = _copy(tiny_model, tmp_path)
    (model / "meta.json").write_text("[1, 2]")
    with pytest.raises(ModerationError):
        load_model_dir(model)
