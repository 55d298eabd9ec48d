"""What `moderation serve` counts, in Prometheus' text format."""

from __future__ import annotations

from moderation.serving.prometheus import Metrics


def test_the_request_histogram_counts_each_answer_once_and_sums_its_seconds():
    metrics = Metrics()
    for seconds in (0.0004, 0.003, 0.003, 7.25):
        metrics.observe("score", 200, seconds)
    lines = metrics.render("m1").splitlines()
    pid = f'pid="{metrics.pid}"'
    assert f'moderation_request_seconds_bucket{{{pid},endpoint="score",le="0.001"}} 1' in lines
    assert f'moderation_request_seconds_bucket{{{pid},endpoint="score",le="0.005"}} 3' in lines
    assert f'moderation_request_seconds_bucket{{{pid},endpoint="score",le="+Inf"}} 4' in lines
    assert f'moderation_request_seconds_sum{{{pid},endpoint="score"}} 7.256400' in lines
    assert f'moderation_request_seconds_count{{{pid},endpoint="score"}} 4' in lines


def test_render_counts_requests_comments_flags_decisions_and_languages():
    metrics = Metrics()
    metrics.observe("analyze", 200, 0.01)
    metrics.observe("analyze", 200, 0.02)
    metrics.observe("analyze", 400, 0.001)
    metrics.scored(3, ["abusive", "abusive", "conspiracy"])
    metrics.scored(2, [])
    metrics.decisions["civil"] += 4
    metrics.language("de", "scored")
    metrics.language("de", "scored")
    metrics.language('x"y\\z\nw', "rejected")
    metrics.reloads = 2
    lines = metrics.render("m1", {"en": "m1", "de": "m-de"}).splitlines()
    pid = f'pid="{metrics.pid}"'
    assert f'moderation_requests_total{{{pid},endpoint="analyze",status="200"}} 2' in lines
    assert f'moderation_requests_total{{{pid},endpoint="analyze",status="400"}} 1' in lines
    assert f"moderation_comments_scored_total{{{pid}}} 5" in lines
    assert f'moderation_flags_total{{{pid},label="abusive"}} 2' in lines
    assert f'moderation_flags_total{{{pid},label="conspiracy"}} 1' in lines
    assert f'moderation_decisions_total{{{pid},label="civil"}} 4' in lines
    assert f'moderation_language_comments_total{{{pid},language="de",outcome="scored"}} 2' in lines
    escaped = 'language="x\\"y\\\\z w",outcome="rejected"'
    assert f"moderation_language_comments_total{{{pid},{escaped}}} 1" in lines
    assert f"moderation_model_reloads_total{{{pid}}} 2" in lines
    assert f'moderation_model_info{{{pid},model="m1"}} 1' in lines
    assert f'moderation_language_model_info{{{pid},language="de",model="m-de"}} 1' in lines
    assert f'moderation_language_model_info{{{pid},language="en",model="m1"}} 1' in lines


def test_render_of_nothing_counted_is_every_help_and_type_once():
    text = Metrics().render("m1")
    assert text.endswith("\n")
    helps = [line for line in text.splitlines() if line.startswith("# HELP")]
    types = [line for line in text.splitlines() if line.startswith("# TYPE")]
    assert len(helps) == len(types) == len({line.split()[2] for line in helps}) == 9
    samples = [line for line in text.splitlines() if not line.startswith("#")]
    assert [line.split("{")[0] for line in samples] == [
        "moderation_comments_scored_total",
        "moderation_model_reloads_total",
        "moderation_model_info",
    ]
