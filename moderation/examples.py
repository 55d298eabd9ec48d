"""Labelled examples live in :mod:`moderation.labels.examples` (the label lifecycle's package);
this name is kept so that code importing ``moderation.examples`` keeps working."""

from moderation.labels.examples import (
    KINDS,
    Example,
    ExampleSet,
    labelled_kind,
    read_labelled,
    unique_examples,
)

__all__ = ["KINDS", "Example", "ExampleSet", "labelled_kind", "read_labelled", "unique_examples"]
