"""The threshold registry: every entry documented and sourced; overrides by name."""

from __future__ import annotations

import pytest

from backstride.domain.evidence import SOURCES, Grade
from backstride.domain.thresholds import REGISTRY, Thresholds
from backstride.errors import ConfigError


def test_every_threshold_has_help_unit_and_a_known_source() -> None:
    assert REGISTRY
    for name, th in REGISTRY.items():
        assert th.name == name
        assert th.help.strip() and th.unit.strip(), name
        assert th.source_key in SOURCES, name


def test_overrides_apply_by_name_and_unknown_names_fail() -> None:
    t = Thresholds({"spike.warn_ratio": 1.25})
    assert t["spike.warn_ratio"] == 1.25
    assert t["spike.watch_ratio"] == REGISTRY["spike.watch_ratio"].default
    assert set(t) == set(REGISTRY)
    with pytest.raises(ConfigError, match=r"spike\.warn_rato"):
        Thresholds({"spike.warn_rato": 1.2})


def test_contested_measures_are_graded_contested() -> None:
    assert REGISTRY["acwr.high"].source.grade is Grade.CONTESTED
    # strong evidence that the rule has no effect
    assert REGISTRY["ramp.ten_pct_rule"].source.grade is Grade.STRONG
    assert "convention" in REGISTRY["ramp.ten_pct_rule"].help
