"""Pairs of token ids looked up in numpy: the same answers as a dict, runs expanded in place."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.model.pairs import PairTable, ragged_expand

ids = st.integers(0, 40)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(st.tuples(ids, ids), st.integers(0, 10**6), max_size=300),
    st.lists(st.tuples(ids, ids), max_size=300),
)
def test_a_pair_table_answers_as_a_dict_does(table, queries):
    pairs = list(table)
    built = PairTable(
        np.array([a for a, _ in pairs], dtype=np.int64),
        np.array([b for _, b in pairs], dtype=np.int64),
        np.array([table[p] for p in pairs], dtype=np.int64),
        41,
    )
    asked = queries + pairs  # misses and every key
    first = np.array([a for a, _ in asked], dtype=np.int64)
    second = np.array([b for _, b in asked], dtype=np.int64)
    assert built.lookup(first, second).tolist() == [table.get(p, -1) for p in asked]


def test_many_colliding_keys_are_all_found():
    first = np.arange(5000, dtype=np.int64) // 50
    second = np.arange(5000, dtype=np.int64) % 50
    built = PairTable(first, second, np.arange(5000), 50)
    assert (built.lookup(first, second) == np.arange(5000)).all()
    assert (built.lookup(first + 100, second) == -1).all()  # none of the keys


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 9), st.lists(st.integers(0, 9), min_size=1)), max_size=30))
def test_runs_are_expanded_where_they_stand(items):
    codes = np.array([x if isinstance(x, int) else -1 for x in items], dtype=np.int64)
    doc = np.arange(len(items), dtype=np.int64)
    runs = [x for x in items if isinstance(x, list)]
    at = np.array([i for i, x in enumerate(items) if isinstance(x, list)], dtype=np.int64)
    sizes = np.array([len(r) for r in runs], dtype=np.int64)
    flat = np.array([t for r in runs for t in r], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    got, got_doc = ragged_expand(codes, doc, at, starts, sizes, flat)
    expected = [t for x in items for t in ([x] if isinstance(x, int) else x)]
    expected_doc = [i for i, x in enumerate(items) for _ in ([x] if isinstance(x, int) else x)]
    assert got.tolist() == expected and got_doc.tolist() == expected_doc
