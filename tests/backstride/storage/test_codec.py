"""Stream codec: faithful round trip (float32 tolerance, NaN kept), compact, defensive."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backstride.domain.activity import CHANNELS, Streams
from backstride.storage.codec import CodecError, channel_dtype, decode_streams, encode_streams

FLOAT64 = {"latitude_deg", "longitude_deg"}


@st.composite
def streams(draw: st.DrawFn) -> Streams:
    n = draw(st.integers(min_value=0, max_value=120))
    steps = draw(arrays(np.float64, n, elements=st.floats(0, 1e4, allow_nan=False)))
    start = draw(st.floats(0, 1e5, allow_nan=False))
    channels = {"time_s": start + np.cumsum(steps)}
    others = draw(st.sets(st.sampled_from([c for c in CHANNELS if c != "time_s"])))
    for name in sorted(others):
        channels[name] = draw(
            arrays(np.float64, n, elements=st.floats(allow_nan=True, allow_infinity=True))
        )
    return Streams(channels)


def _assert_faithful(original: Streams, back: Streams) -> None:
    assert list(back) == list(original)
    assert back.n_samples == original.n_samples
    for name in original:
        a, b = original[name], back[name]
        assert b.dtype == np.float64
        assert np.array_equal(np.isnan(a), np.isnan(b)), name
        if name in FLOAT64 or channel_dtype(name, a) == "d":
            assert np.array_equal(a, b, equal_nan=True), name
        else:
            # exactly the float32 value, i.e. within half a float32 ulp (2**-24 relative)
            expected = a.astype(np.float32).astype(np.float64)
            assert np.array_equal(b, expected, equal_nan=True), name
            finite = np.isfinite(a) & (np.abs(a) > np.finfo(np.float32).tiny)
            np.testing.assert_allclose(b[finite], a[finite], rtol=2**-24)


@settings(max_examples=200, deadline=None)
@given(streams())
def test_round_trip_is_faithful(original: Streams) -> None:
    _assert_faithful(original, decode_streams(encode_streams(original)))


def test_empty_streams() -> None:
    back = decode_streams(encode_streams(Streams.empty()))
    assert back.n_samples == 0
    assert list(back) == ["time_s"]


def test_huge_values_fall_back_to_float64() -> None:
    s = Streams({"time_s": np.arange(3.0), "power_w": np.array([1e300, np.nan, 2.0])})
    back = decode_streams(encode_streams(s))
    assert np.array_equal(back["power_w"], s["power_w"], equal_nan=True)


def test_a_one_hour_run_is_compact() -> None:
    n = 3600
    rng = np.random.default_rng(7)
    t = np.arange(n, dtype=float)
    s = Streams({
        "time_s": t,
        "distance_m": np.round(np.cumsum(np.full(n, 2.9) + rng.normal(0, 0.05, n)), 2),
        "heart_rate_bpm": np.round(150 + 8 * np.sin(t / 400)),
        "cadence_spm": np.round(170 + rng.normal(0, 1.5, n)),
        "altitude_m": np.round(300 + np.cumsum(rng.normal(0, 0.05, n)), 1),
        "latitude_deg": np.round(46.05 + np.cumsum(rng.normal(0, 1e-5, n)), 7),
        "longitude_deg": np.round(14.50 + np.cumsum(rng.normal(0, 1e-5, n)), 7),
    })
    blob = encode_streams(s)
    raw = n * 8 * len(s)
    assert len(blob) < raw / 3, f"{len(blob) / n:.1f} bytes per sample"
    _assert_faithful(s, decode_streams(blob))


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "truncated"),
        (b"XYZ" + bytes(20), "not a backstride"),
        (b"BSS\x63" + bytes(20), "version 99"),
    ],
)
def test_foreign_blobs_are_rejected(blob: bytes, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        decode_streams(blob)


def test_damaged_body_is_rejected() -> None:
    blob = encode_streams(Streams({"time_s": np.arange(100.0)}))
    with pytest.raises(CodecError, match="damaged"):
        decode_streams(blob[:-5])
    header_end = blob.index(b"time_s") + len("time_s") + 1
    short = blob[:header_end] + zlib.compress(b"\x00" * 10)
    with pytest.raises(CodecError, match="expected"):
        decode_streams(short)
