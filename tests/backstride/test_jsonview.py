"""Forgiving typed reads of stored JSON."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backstride.jsonview import get_map, get_maps, get_str, get_strs

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def test_reads_what_is_there_and_empty_otherwise() -> None:
    d = {"s": "x", "m": {"a": 1}, "ms": [{"a": 1}, 3, "no"], "ss": [1, "b"], "n": 5}
    assert get_str(d, "s") == "x" and get_str(d, "n") == "" and get_str(d, "gone") == ""
    assert get_map(d, "m") == {"a": 1} and get_map(d, "s") == {}
    assert get_maps(d, "ms") == [{"a": 1}] and get_maps(d, "m") == []
    assert get_strs(d, "ss") == ["1", "b"] and get_strs(d, "s") == []


@given(st.dictionaries(st.text(), JSON, max_size=6), st.text())
def test_never_raises_on_any_json(d: dict[str, object], key: str) -> None:
    assert isinstance(get_str(d, key), str)
    assert isinstance(get_map(d, key), dict | type(d))
    assert all(isinstance(m, dict) for m in get_maps(d, key))
    assert all(isinstance(s, str) for s in get_strs(d, key))
