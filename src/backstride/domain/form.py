"""Running-form metrics of one activity, computed once from its streams.

The storage layer calls :func:`form_metrics` at import time and stores the
:class:`FormMetrics` (see :meth:`FormMetrics.as_dict`); the signals never read
streams again.

Steady running only
-------------------
Form numbers mean little while walking, standing at a crossing or warming up,
so every median here is taken over *steady running* samples only:

* speed at least :data:`STEADY_MIN_SPEED_M_S` (1.9 m/s, 8:46 min/km). Adults
  switch from walking to running at about 2 m/s (the preferred transition speed,
  Hreljac 1993, MSSE 25:1158); the limit sits a little lower so slow joggers
  keep their data;
* cadence at least :data:`STEADY_MIN_CADENCE_SPM` (130 steps/min) when a cadence
  channel exists: brisk walking rarely goes above it, running rarely below;
* not in the first or last :data:`EDGE_TRIM_S` (60 s), or 10% of the activity
  when that is shorter (warm-up start, stopping the watch);
* each sample weighs the time to the next one, capped at
  :data:`MAX_SAMPLE_WEIGHT_S` (10 s) so a paused watch does not count.

Fewer than :data:`MIN_STEADY_S` (30 s) of steady running gives no metrics.

Similar speeds
--------------
Cadence rises with speed (evidence.md section 6, Burns 2019), so a runner's
cadence is only comparable at similar speeds. Each activity therefore also keeps
cadence and step length per speed band of :data:`BAND_WIDTH_M_S` (0.25 m/s);
signals compare band with band (source key ``heiderscheit2011``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from backstride.domain.activity import FloatArray, Sport, Streams
from backstride.domain.summary import cumulative_distance_m

__all__ = [
    "BAND_WIDTH_M_S",
    "FormMetrics",
    "SpeedBand",
    "derived_speed_m_s",
    "form_metrics",
    "robust_max_hr_bpm",
    "weighted_median",
]

#: Slowest speed counted as running [m/s] (see the module docstring).
STEADY_MIN_SPEED_M_S: Final = 1.9
#: Lowest cadence counted as running [steps/min].
STEADY_MIN_CADENCE_SPM: Final = 130.0
#: Time dropped at each end of the activity [s] ...
EDGE_TRIM_S: Final = 60.0
#: ... or this fraction of the duration, whichever is shorter.
EDGE_TRIM_FRACTION: Final = 0.1
#: Longest time one sample can stand for [s] (pauses and gaps count no more).
MAX_SAMPLE_WEIGHT_S: Final = 10.0
#: Least steady running for any metric [s].
MIN_STEADY_S: Final = 30.0
#: Width of a speed band [m/s].
BAND_WIDTH_M_S: Final = 0.25
#: Least steady running in a band before the band is kept [s].
MIN_BAND_S: Final = 20.0
#: Samples in the rolling median that smooths heart rate before its maximum.
HR_MEDIAN_SAMPLES: Final = 5


@dataclass(frozen=True, slots=True)
class SpeedBand:
    """Cadence and step length within one speed band of one activity.

    Attributes
    ----------
    speed_m_s
        Lower edge of the band [m/s]; the band is ``[speed_m_s, speed_m_s + 0.25)``.
    seconds
        Steady running time in the band [s].
    cadence_spm
        Time-weighted median cadence [steps/min], None without a cadence channel.
    step_length_m
        Time-weighted median step length [m], None when it cannot be known.
    """

    speed_m_s: float
    seconds: float
    cadence_spm: float | None
    step_length_m: float | None


@dataclass(frozen=True, slots=True)
class FormMetrics:
    """Steady-running form of one activity (time-weighted medians).

    Attributes
    ----------
    steady_s
        Steady running time the medians are taken over [s].
    speed_m_s
        Median speed [m/s].
    cadence_spm
        Median cadence [steps/min].
    step_length_m
        Median step length [m]: the ``step_length_mm`` channel when present,
        otherwise speed x 60 / cadence.
    ground_contact_time_ms
        Median ground contact time [ms].
    ground_contact_balance_pct
        Median share of ground contact time on the left foot [%] (50 = even).
    vertical_oscillation_mm
        Median vertical oscillation [mm].
    vertical_ratio_pct
        Median vertical ratio (oscillation / step length) [%].
    max_hr_bpm
        Highest heart rate of the whole activity, see :func:`robust_max_hr_bpm`.
    bands
        Cadence and step length per speed band, slowest first.
    """

    steady_s: float
    speed_m_s: float
    cadence_spm: float | None = None
    step_length_m: float | None = None
    ground_contact_time_ms: float | None = None
    ground_contact_balance_pct: float | None = None
    vertical_oscillation_mm: float | None = None
    vertical_ratio_pct: float | None = None
    max_hr_bpm: float | None = None
    bands: tuple[SpeedBand, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (bands as a list of dicts) for storage."""
        out = asdict(self)
        out["bands"] = [asdict(b) for b in self.bands]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FormMetrics:
        """Rebuild from :meth:`as_dict` output."""
        fields = dict(data)
        bands = tuple(SpeedBand(**b) for b in fields.pop("bands", ()))
        return cls(**fields, bands=bands)


def weighted_median(values: FloatArray, weights: FloatArray) -> float | None:
    """Weighted median of the finite values with positive weight, or None.

    The lower weighted median: the smallest value whose cumulative weight
    reaches half of the total.
    """
    ok = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    if not ok.any():
        return None
    v, w = values[ok], weights[ok]
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    return float(v[order][int(np.searchsorted(cum, 0.5 * cum[-1]))])


def _sample_weights(time_s: FloatArray) -> FloatArray:
    """Seconds each sample stands for: time to the next sample, capped [s]."""
    if len(time_s) < 2:
        return np.zeros(len(time_s))
    dt = np.diff(time_s)
    w: FloatArray = np.clip(np.append(dt, dt[-1]), 0.0, MAX_SAMPLE_WEIGHT_S)
    return w


def derived_speed_m_s(streams: Streams) -> FloatArray | None:
    """Speed per sample [m/s]: the speed channel, else from distance or positions.

    Derived speed is the central difference of cumulative distance over time;
    NaN where the time step is zero.
    """
    if streams.has("speed_m_s"):
        return streams["speed_m_s"]
    t = streams["time_s"]
    if streams.has("distance_m"):
        dist = streams["distance_m"]
    elif streams.has("latitude_deg") and streams.has("longitude_deg"):
        dist = cumulative_distance_m(streams["latitude_deg"], streams["longitude_deg"])
    else:
        return None
    n = len(t)
    if n < 2:
        return None
    lo = np.maximum(np.arange(n) - 1, 0)
    hi = np.minimum(np.arange(n) + 1, n - 1)
    dt = t[hi] - t[lo]
    dd = dist[hi] - dist[lo]
    out = np.full(n, np.nan)
    ok = (dt > 0) & np.isfinite(dd)
    out[ok] = dd[ok] / dt[ok]
    return out


def robust_max_hr_bpm(streams: Streams) -> float | None:
    """Highest heart rate of an activity [bpm], ignoring single-sample spikes.

    The maximum of a rolling median over :data:`HR_MEDIAN_SAMPLES` finite,
    non-zero samples, so one bad reading from a loose strap does not count.
    Works for any sport (the load module uses it for TRIMP).
    """
    if not streams.has("heart_rate_bpm"):
        return None
    hr = streams["heart_rate_bpm"]
    hr = hr[np.isfinite(hr) & (hr > 0)]
    if len(hr) == 0:
        return None
    if len(hr) < HR_MEDIAN_SAMPLES:
        return float(np.median(hr))
    windows = np.lib.stride_tricks.sliding_window_view(hr, HR_MEDIAN_SAMPLES)
    return float(np.median(windows, axis=1).max())


def _steady_mask(streams: Streams, speed: FloatArray) -> NDArray[np.bool_]:
    """Boolean mask of steady running samples (see the module docstring)."""
    t = streams["time_s"]
    duration = float(t[-1] - t[0])
    trim = min(EDGE_TRIM_S, EDGE_TRIM_FRACTION * duration)
    with np.errstate(invalid="ignore"):
        mask: NDArray[np.bool_] = (
            (speed >= STEADY_MIN_SPEED_M_S) & (t >= t[0] + trim) & (t <= t[-1] - trim)
        )
        if streams.has("cadence_spm"):
            mask &= streams["cadence_spm"] >= STEADY_MIN_CADENCE_SPM
    return mask


def _median_of(
    streams: Streams, name: str, mask: NDArray[np.bool_], w: FloatArray
) -> float | None:
    """Weighted median of a channel over the mask, non-zero samples only."""
    if not streams.has(name):
        return None
    values = streams[name][mask]
    with np.errstate(invalid="ignore"):
        keep = values > 0
    return weighted_median(values[keep], w[mask][keep])


def _step_length_m(streams: Streams, speed: FloatArray) -> FloatArray | None:
    """Step length per sample [m]: the channel, or speed x 60 / cadence."""
    if streams.has("step_length_mm"):
        raw = streams["step_length_mm"]
        with np.errstate(invalid="ignore"):
            out: FloatArray = np.where(raw > 0, raw / 1000.0, np.nan)
        return out
    if not streams.has("cadence_spm"):
        return None
    cad = streams["cadence_spm"]
    with np.errstate(divide="ignore", invalid="ignore"):
        steps: FloatArray = np.where(cad > 0, speed * 60.0 / cad, np.nan)
    return steps


def _bands(
    speed: FloatArray, cadence: FloatArray | None, step: FloatArray | None, w: FloatArray
) -> tuple[SpeedBand, ...]:
    """Per-band medians over the (already masked) steady samples."""
    band = np.floor(speed / BAND_WIDTH_M_S).astype(np.int64)
    out: list[SpeedBand] = []
    for b in np.unique(band):
        sel = band == b
        seconds = float(w[sel].sum())
        if seconds < MIN_BAND_S:
            continue
        cad = weighted_median(cadence[sel], w[sel]) if cadence is not None else None
        stl = weighted_median(step[sel], w[sel]) if step is not None else None
        out.append(SpeedBand(round(float(b) * BAND_WIDTH_M_S, 6), seconds, cad, stl))
    return tuple(out)


def form_metrics(streams: Streams, sport: Sport) -> FormMetrics | None:
    """Steady-running form of one activity.

    Parameters
    ----------
    streams
        The activity's channels (SI units, cadence in steps/min).
    sport
        Only running sports (road, trail, treadmill) give metrics.

    Returns
    -------
    FormMetrics or None
        None for other sports, without speed, distance or positions, or with
        less than :data:`MIN_STEADY_S` of steady running.
    """
    if not sport.is_running or streams.n_samples < 2:
        return None
    speed = derived_speed_m_s(streams)
    if speed is None:
        return None
    w = _sample_weights(streams["time_s"])
    mask = _steady_mask(streams, speed)
    steady_s = float(w[mask].sum())
    if steady_s < MIN_STEADY_S:
        return None
    step = _step_length_m(streams, speed)
    cadence = streams["cadence_spm"] if streams.has("cadence_spm") else None
    median_speed = weighted_median(speed[mask], w[mask])
    if median_speed is None or not math.isfinite(median_speed):
        return None
    return FormMetrics(
        steady_s=steady_s,
        speed_m_s=median_speed,
        cadence_spm=_median_of(streams, "cadence_spm", mask, w),
        step_length_m=(
            weighted_median(step[mask], w[mask]) if step is not None else None
        ),
        ground_contact_time_ms=_median_of(streams, "ground_contact_time_ms", mask, w),
        ground_contact_balance_pct=_median_of(streams, "ground_contact_balance_pct", mask, w),
        vertical_oscillation_mm=_median_of(streams, "vertical_oscillation_mm", mask, w),
        vertical_ratio_pct=_median_of(streams, "vertical_ratio_pct", mask, w),
        max_hr_bpm=robust_max_hr_bpm(streams),
        bands=_bands(
            speed[mask],
            cadence[mask] if cadence is not None else None,
            step[mask] if step is not None else None,
            w[mask],
        ),
    )
