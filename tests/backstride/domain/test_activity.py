"""The Activity contract."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from backstride.domain.activity import CHANNELS, Activity, Sport, Streams, Summary


def test_streams_validate_and_freeze() -> None:
    s = Streams({"time_s": [0, 1, 2], "heart_rate_bpm": [np.nan, 120, 121]})
    assert s.n_samples == 3 and list(s) == ["time_s", "heart_rate_bpm"]
    assert s["time_s"].dtype == np.float64
    with pytest.raises(ValueError, match="read-only"):
        s["time_s"][0] = 5
    with pytest.raises(ValueError, match="unknown"):
        Streams({"time_s": [0], "cadence_rpm": [1]})
    with pytest.raises(ValueError, match="shape"):
        Streams({"time_s": [0, 1], "power_w": [1]})
    with pytest.raises(ValueError, match="non-decreasing"):
        Streams({"time_s": [0, 2, 1]})


def test_running_dynamics_presence() -> None:
    assert not Streams({"time_s": [0, 1], "step_length_mm": [np.nan, np.nan]}).has_running_dynamics
    assert Streams({"time_s": [0, 1], "step_length_mm": [np.nan, 1100]}).has_running_dynamics


def test_activity_requires_utc() -> None:
    summary = Summary(elapsed_s=1.0)
    streams = Streams.empty()
    Activity(Sport.RUNNING, datetime(2024, 1, 1, tzinfo=UTC), summary, streams, "fit")
    Activity(Sport.RUNNING, None, summary, streams, "fit")
    with pytest.raises(ValueError, match="UTC"):
        Activity(Sport.RUNNING, datetime(2024, 1, 1), summary, streams, "fit")
    cet = timezone(timedelta(hours=1))
    with pytest.raises(ValueError, match="UTC"):
        Activity(Sport.RUNNING, datetime(2024, 1, 1, tzinfo=cet), summary, streams, "fit")


def test_summary_rejects_negative_or_nan() -> None:
    with pytest.raises(ValueError, match="distance_m"):
        Summary(elapsed_s=1, distance_m=-1)
    with pytest.raises(ValueError, match="elapsed_s"):
        Summary(elapsed_s=float("nan"))


def test_sport_families() -> None:
    assert Sport.TREADMILL.is_running and not Sport.WALKING.is_running
    assert "cadence_spm" in CHANNELS
