"""Retraining on a site's labels: `moderation train --base --add`."""

from __future__ import annotations

import json

import pytest

from moderation.cli import app
from moderation.model.retrain import RetrainOptions, retrain

from fixtures.stores import SITE_LABELS


def _site_store(path, rows=SITE_LABELS, labeller="ana"):
    path.write_text(
        "".join(
            json.dumps(
                {"id": cid, "action": "label", "label": label, "text": text, "labeller": labeller}
            )
            + "\n"
            for cid, label, text in rows
        )
    )
    return path


def _fast_config(tmp_path):
    from fixtures.files import FAST_CONFIG

    config = tmp_path / "fast.toml"
    config.write_text(FAST_CONFIG)
    return config


def _retrain(runner, base, stores, out, *options):
    """``moderation train --base BASE --add STORE ... -o OUT OPTIONS``."""
    adds = [arg for store in stores for arg in ("--add", str(store))]
    return runner.invoke(app, ["train", "--base", str(base), *adds, "-o", str(out), *options])


def test_train_base_add_learns_the_site_word_and_records_what_was_added(tmp_path, tiny_model):
    from moderation.model.registry import load_model

    store = _site_store(tmp_path / "site.jsonl")
    meta, _ = retrain(
        [store],
        output=tmp_path / "site-v2",
        base=tiny_model,
        options=RetrainOptions(config_path=_fast_config(tmp_path), method="prior"),
    )
    adaptation = meta.adaptation
    assert adaptation["base_model"] == load_model(tiny_model).id
    assert adaptation["site_labels"] == {"abusive": 3, "civil": 3}
    assert adaptation["added"][0]["file"] == str(store)
    assert meta.training_data["by_source"]["site"] == {"abusive": 3, "civil": 3}
    assert "## Site labels added" in (tmp_path / "site-v2" / "MODEL_CARD.md").read_text()
    before = load_model(tiny_model).score("what a gorp")[0]["scores"]["abusive"]
    after = load_model(tmp_path / "site-v2").score("what a gorp")[0]["scores"]["abusive"]
    assert after > before + 0.1
    assert adaptation["method"] == "prior" and adaptation["strength"] == 0.03
    # the weighted method replays the base's data; an adapted base's own site labels come too
    more = _site_store(tmp_path / "more.jsonl", [("s7", "civil", "Lovely gorp-free day.")])
    weighted, _ = retrain(
        [store],
        output=tmp_path / "site-w",
        base=tiny_model,
        options=RetrainOptions(
            config_path=_fast_config(tmp_path), method="weighted", site_weight=5
        ),
    )
    assert weighted.adaptation["site_weight"] == 5
    again, _ = retrain(
        [more],
        output=tmp_path / "site-v3",
        base=tmp_path / "site-w",
        options=RetrainOptions(config_path=_fast_config(tmp_path), method="weighted"),
    )
    assert again.training_data["by_source"]["site"] == {"abusive": 3, "civil": 4}
    assert load_model(tmp_path / "site-w").score("what a gorp")[0]["scores"]["abusive"] > before


def test_without_method_the_strength_is_chosen_on_the_site_labels_and_recorded(
    tmp_path, tiny_model
):
    from moderation.model.retrain import STRENGTH_GRID

    rows = SITE_LABELS + [
        ("s7", "abusive", "You gorp, nobody asked you."),
        ("s8", "civil", "The library opens at nine on Sundays now."),
        ("s9", "abusive", "Typical gorp nonsense from a gorp."),
        ("s10", "civil", "Is the swimming pool open over the holidays?"),
    ]
    meta, trained = retrain(
        [_site_store(tmp_path / "site.jsonl", rows)],
        output=tmp_path / "auto",
        base=tiny_model,
        options=RetrainOptions(config_path=_fast_config(tmp_path)),
    )
    choice = meta.adaptation["choice"]
    assert meta.adaptation["strength"] == choice["chosen"]["strength"] in STRENGTH_GRID
    assert set(choice["site_roc_auc"]) == {f"prior {s:g}" for s in STRENGTH_GRID}
    best = max(choice["site_roc_auc"].values())
    assert choice["site_roc_auc"][f"prior {choice['chosen']['strength']:g}"] >= best - 0.002
    card = (tmp_path / "auto" / "MODEL_CARD.md").read_text()
    assert "The method was chosen on the site's labels: prior at strength" in card
    assert f"the base itself: {choice['base_site_roc_auc']:.3f}" in card


def test_labels_from_one_article_train_on_ungrouped_folds_and_say_why(tmp_path, tiny_model, runner):
    """Every label from one thread: the grouped folds cannot hold a thread out, which used to
    fail with 'give at least two comments of each label'; now the folds are ungrouped and the
    warning names the real cause."""
    rows = SITE_LABELS + [
        ("s7", "abusive", "You gorp, nobody asked you."),
        ("s8", "civil", "The library opens at nine on Sundays now."),
    ]
    store = tmp_path / "one-article.jsonl"
    store.write_text(
        "".join(
            json.dumps(
                {
                    "id": cid,
                    "action": "label",
                    "label": label,
                    "text": text,
                    "labeller": "ana",
                    "thread_id": "article-1",
                }
            )
            + "\n"
            for cid, label, text in rows
        )
    )
    result = _retrain(
        runner, tiny_model, [store], tmp_path / "one", "--config", str(_fast_config(tmp_path))
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "come from one thread" in said and "ungrouped" in said
    assert (tmp_path / "one" / "meta.json").is_file()


def test_a_label_with_one_comment_is_named(tmp_path, tiny_model, runner):
    store = _site_store(tmp_path / "site.jsonl", SITE_LABELS[:4] + [("s9", "conspiracy", "x y")])
    result = _retrain(
        runner, tiny_model, [store], tmp_path / "m", "--config", str(_fast_config(tmp_path))
    )
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "1 conspiracy" in said and "at least two comments" in said


def test_train_no_base_uses_the_site_labels_alone(tmp_path):
    store = _site_store(tmp_path / "site.jsonl", SITE_LABELS * 1)
    meta, _ = retrain(
        [store],
        output=tmp_path / "alone",
        options=RetrainOptions(no_base=True, config_path=_fast_config(tmp_path)),
    )
    assert meta.training_data["count"] == 6
    assert meta.adaptation["no_base"] is True


def test_train_add_merges_stores_as_labels_merge_does(tmp_path, tiny_model, runner):
    first = _site_store(tmp_path / "ana.jsonl")
    second = _site_store(tmp_path / "ben.jsonl", [("s1", "civil", SITE_LABELS[0][2])], "ben")
    weak = tmp_path / "platform.jsonl"
    weak.write_text(
        "".join(
            json.dumps(
                {
                    "id": cid,
                    "action": "label",
                    "label": label,
                    "text": text,
                    "labeller": "platform:site",
                    "weak": True,
                }
            )
            + "\n"
            for cid, label, text in [
                ("s3", "abusive", SITE_LABELS[2][2]),  # a moderator said civil: gives way
                ("w1", "civil", "The bus timetable changed on Monday."),
            ]
        )
    )
    config = str(_fast_config(tmp_path))
    result = _retrain(runner, tiny_model, [first, second, weak], tmp_path / "m", "--config", config)
    assert result.exit_code == 0, result.output
    assert "1 weak label(s) gave way to a moderator's different label" in result.output
    assert "1 comment(s) labelled differently by moderators in two files are left out" in (
        result.output
    )
    assert "s1: abusive" in result.output and "civil (" in result.output
    # six labels: the held-out figures come with a warning and their intervals
    assert "only 6 labelled examples: the held-out figures are unreliable" in result.output
    assert "95% bootstrap intervals: macro-F1" in result.output
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    adaptation = meta["adaptation"]
    assert adaptation["weak_overridden"] == 1
    assert adaptation["disagreements_left_out"] == 1
    # s1 left out, s3 kept as the moderator's civil, w1 (weak civil) added
    assert adaptation["site_labels"] == {"abusive": 2, "civil": 4}


def test_weighted_retraining_of_a_base_whose_data_changed_is_one_clear_error(tmp_path, runner):
    from moderation.model.train import train_from_files

    from fixtures.files import TINY_EXAMPLES

    examples = tmp_path / "examples.jsonl"
    examples.write_text(TINY_EXAMPLES.read_text())
    train_from_files([examples], output=tmp_path / "base", config_path=_fast_config(tmp_path))
    examples.write_text(TINY_EXAMPLES.read_text().replace("library", "museum"))
    store = _site_store(tmp_path / "site.jsonl")
    result = _retrain(runner, tmp_path / "base", [store], tmp_path / "m", "--method", "weighted")
    assert result.exit_code == 2
    assert "examples.jsonl: changed since the base was trained" in result.output
    assert "--no-base" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--add", "x.jsonl", "--no-base", "--base", "b"], "leave out --base"),
        (["--base", "b"], "give the site's labels with --add"),
        (  # named as --base (it said --model), with where to find a model
            ["--add", "x.jsonl", "--base", "nowhere"],
            "--base nowhere: not a model directory (no meta.json); give one from `moderation "
            "models list`",
        ),
        (["--add", "x.jsonl", "--site-weight", "0"], "--site-weight must be positive"),
        (["--add", "x.jsonl", "--method", "magic"], "--method 'magic': choose one of prior"),
    ],
)
def test_train_site_option_mistakes(tmp_path, runner, args, message):
    store = _site_store(tmp_path / "x.jsonl")
    args = [str(store) if a == "x.jsonl" else a for a in args]
    result = runner.invoke(app, ["train", *args, "-o", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert message in result.output
