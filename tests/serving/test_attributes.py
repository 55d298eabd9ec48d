"""Which Perspective attribute is answered by what, for a model with or without heads, and the
flag-threshold scale."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderation.serving.attributes import (
    UNSUPPORTED,
    AttributeSource,
    attribute_sources,
    flag_threshold_scale,
    unsupported_for,
)


def stand_in_model(labels=("civil", "abusive"), heads=None, head_thresholds=None):
    return SimpleNamespace(
        labels=list(labels),
        thresholds={"abusive": 0.6, "conspiracy": 0.7},
        heads=SimpleNamespace(names=heads) if heads is not None else None,
        meta=SimpleNamespace(head_thresholds=head_thresholds or {}),
    )


def test_attributes_come_from_the_models_labels_and_heads():
    model = stand_in_model(heads=["THREAT", "NOT_AN_ATTRIBUTE"], head_thresholds={"THREAT": 0.4})
    sources = attribute_sources(model)
    assert sorted(sources) == ["ABUSIVE", "CIVIL", "THREAT", "TOXICITY"]
    assert sources["TOXICITY"] == AttributeSource("TOXICITY", "label", "abusive", 0.6)
    assert sources["CIVIL"].threshold is None
    assert sources["THREAT"].describe() == {"from": "head:THREAT", "flag_threshold": 0.4}


def test_a_model_without_heads_or_a_label_leaves_those_attributes_unsupported():
    model = stand_in_model(labels=("civil", "conspiracy"))
    assert sorted(attribute_sources(model)) == ["CIVIL", "CONSPIRACY"]
    unsupported = unsupported_for(model)
    assert {"ABUSIVE", "TOXICITY", "THREAT", "INSULT"} <= set(unsupported)
    assert "CIVIL" not in unsupported and set(UNSUPPORTED) <= set(unsupported)


def test_attribute_sources_are_worked_out_once_per_loaded_model():
    model = stand_in_model()
    first = attribute_sources(model)
    model.labels.append("conspiracy")
    assert attribute_sources(model) is first  # the same model: the same answer
    assert "CONSPIRACY" in attribute_sources(stand_in_model(("civil", "conspiracy")))


def test_the_scale_puts_the_threshold_on_0_8_and_leaves_no_threshold_alone():
    assert flag_threshold_scale(0.3, 0.3) == pytest.approx(0.8)
    assert flag_threshold_scale(0.3, None) == 0.3
    assert flag_threshold_scale(0.0, 0.5) == pytest.approx(0.0, abs=1e-9)
    assert flag_threshold_scale(1.0, 0.5) == pytest.approx(1.0)
    assert flag_threshold_scale(0.5, 0.5) == pytest.approx(0.8)
    assert flag_threshold_scale(0.2, 0.9) < flag_threshold_scale(0.2, 0.5)


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 0.99))
def test_the_scale_is_monotone_and_stays_a_probability(a, b, threshold):
    low, high = sorted((a, b))
    mapped_low, mapped_high = (
        flag_threshold_scale(low, threshold),
        flag_threshold_scale(high, threshold),
    )
    assert 0 <= mapped_low <= mapped_high <= 1
    assert not math.isnan(mapped_low)
