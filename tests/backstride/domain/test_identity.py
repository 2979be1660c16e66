"""Content fingerprint: same content, same key, whatever the name, container or metadata."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import numpy as np

from backstride.domain.activity import Activity, Sport, Streams, Summary
from backstride.domain.identity import fingerprint

T0 = datetime(2023, 9, 2, 13, 15, 24, tzinfo=UTC)


def _activity(**changes: object) -> Activity:
    t = np.arange(0.0, 600.0, 1.0)
    base = Activity(
        sport=Sport.RUNNING,
        start_utc=T0,
        summary=Summary(elapsed_s=599.0, distance_m=1797.0, avg_hr_bpm=150.0),
        streams=Streams(
            {"time_s": t, "distance_m": t * 3.0, "heart_rate_bpm": np.full(600, 150.0)}
        ),
        source_format="fit",
        device="garmin",
        gear="shoe A",
        name="Lunch Run",
        warnings=("truncated tail",),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_is_sha256_hex_and_deterministic() -> None:
    key = fingerprint(_activity())
    assert len(key) == 64
    assert int(key, 16) >= 0
    assert fingerprint(_activity()) == key


def test_ignores_metadata_that_is_not_content() -> None:
    key = fingerprint(_activity())
    assert fingerprint(_activity(gear="shoe B", name="renamed", device="other",
                                 warnings=(), source_format="fit")) == key
    # an equal copy of the arrays (as decoding the same bytes again would give)
    copy = _activity()
    arrays = {name: values.copy() for name, values in copy.streams.items()}
    rebuilt = dataclasses.replace(copy, streams=Streams(arrays))
    assert fingerprint(rebuilt) == key


def test_changes_with_content() -> None:
    key = fingerprint(_activity())
    t = np.arange(0.0, 600.0, 1.0)
    variants = [
        _activity(sport=Sport.WALKING),
        _activity(start_utc=T0 + timedelta(seconds=1)),
        _activity(start_utc=None),
        _activity(leg_index=1),
        _activity(summary=Summary(elapsed_s=599.0, distance_m=1797.5, avg_hr_bpm=150.0)),
        _activity(streams=Streams({"time_s": t, "distance_m": t * 3.0 + 1e-9})),
        _activity(streams=Streams({"time_s": t})),
    ]
    keys = {fingerprint(v) for v in variants}
    assert key not in keys
    assert len(keys) == len(variants)


def test_heart_rate_stream_alone_does_not_change_the_key() -> None:
    # only time and distance are hashed from the streams; the summary carries the rest
    a = _activity()
    b = dataclasses.replace(a, streams=Streams({"time_s": a.streams["time_s"],
                                                "distance_m": a.streams["distance_m"]}))
    assert fingerprint(a) == fingerprint(b)
