"""Typed, forgiving reads of JSON-ready dictionaries (stored check results, plan dicts).

Renderers (the CLI and the HTML reports) read results that were stored as JSON; a
missing or mistyped entry reads as empty rather than failing the whole page.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Obj", "get_map", "get_maps", "get_str", "get_strs"]

#: A JSON object as read back.
Obj = Mapping[str, object]


def get_str(d: Obj, key: str) -> str:
    """``d[key]`` when it is a string, else ``""``."""
    value = d.get(key)
    return value if isinstance(value, str) else ""


def get_map(d: Obj, key: str) -> Obj:
    """``d[key]`` when it is an object, else an empty mapping."""
    value = d.get(key)
    return value if isinstance(value, Mapping) else {}


def get_maps(d: Obj, key: str) -> list[Obj]:
    """The objects in the list ``d[key]`` (other items and non-lists are skipped)."""
    value = d.get(key)
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def get_strs(d: Obj, key: str) -> list[str]:
    """The items of the list ``d[key]`` as text (empty when it is not a list)."""
    value = d.get(key)
    return [str(v) for v in value] if isinstance(value, list) else []
