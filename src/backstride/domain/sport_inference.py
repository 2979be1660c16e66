"""Sport from a file's own label, or inferred from how the athlete moved.

Two pure functions (stdlib + numpy):

* :func:`sport_from_label` maps the labels files and exports use (GPX ``<type>``
  words, Strava's numeric GPX codes, TCX ``Sport`` attributes, Strava
  ``activities.csv`` "Activity Type" values) to :class:`Sport`; None when the label
  says nothing usable.
* :func:`infer_sport` guesses the sport of an unlabelled recording from its
  movement. The rule is deliberately simple and conservative; when the evidence
  is thin or contradictory it answers :attr:`Sport.OTHER`, never a guess.

Inference rule
--------------
Features (all from the streams):

``v``
    Median moving speed [m/s]: the duration-weighted median of the speeds of the
    intervals between samples that move at least
    :data:`backstride.domain.summary.MOVING_SPEED_M_S` (0.5 m/s). Pauses do not
    drag it down, GPS spikes (a few intervals) do not push it up.
``climb``
    Smoothed ascent (:mod:`backstride.domain.elevation`) per km of distance [m/km].
``cadence``
    Median of the non-zero cadence samples [steps/min], when a cadence channel
    exists.

Decision, in order:

1. Fewer than :data:`MIN_MOVING_S` (60 s) of movement or :data:`MIN_DISTANCE_M`
   (200 m) of distance: OTHER (not enough evidence).
2. ``v`` > :data:`MAX_HUMAN_SPEED_M_S` (15 m/s, 54 km/h median): OTHER
   (a vehicle, not a human-powered session).
3. ``v`` >= :data:`RUN_MAX_M_S` (6.5 m/s, 23 km/h; a 2:34 min/km median pace no
   recreational runner holds): CYCLING.
4. :data:`RUN_MIN_M_S` (1.8 m/s, 9:15 min/km, the slowest jog and faster than a
   brisk walk) <= ``v`` < 6.5 m/s: RUNNING, or TRAIL_RUNNING when ``climb`` >=
   :data:`TRAIL_CLIMB_M_PER_KM` (40 m/km). Exception: a cadence channel whose
   median is below :data:`RUN_MIN_CADENCE_SPM` (130 steps/min, below any running
   gait) contradicts running, and the answer is OTHER (cross-country skiing,
   skating, paddling and rowing move at running speed with low cadence).
5. 0.5 m/s <= ``v`` < 1.8 m/s: WALKING, or HIKING when ``climb`` >=
   :data:`HIKE_CLIMB_M_PER_KM` (50 m/km). A cadence median of 130 steps/min or more
   contradicts walking (a jog on a stop-start course): OTHER.
6. Slower: OTHER.

``exclude`` removes sports a file has already ruled out (a TCX ``Sport="Other"``
says "neither running nor biking"): an excluded answer becomes OTHER. With
``require_cadence`` (used together with that TCX label) WALKING/HIKING also need
a cadence channel in the walking range (80-130 steps/min); a device that labels
a session "Other" and records no steps may just as well have been on water.

The speed bands follow common pace tables: walking 3-6.5 km/h, running
6.5-23 km/h (recreational 8-15 km/h), cycling 15-40 km/h. Runs and rides overlap
between about 4.5 and 6.5 m/s (16-23 km/h); unlabelled files there are taken as
runs, because backstride's users are runners and their unlabelled files come from
running apps. A label always wins over inference.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Final

import numpy as np

from backstride.domain.activity import FloatArray, Sport
from backstride.domain.elevation import ascent_descent
from backstride.domain.summary import MOVING_SPEED_M_S

__all__ = [
    "HIKE_CLIMB_M_PER_KM",
    "MAX_HUMAN_SPEED_M_S",
    "MIN_DISTANCE_M",
    "MIN_MOVING_S",
    "RUN_MAX_M_S",
    "RUN_MIN_CADENCE_SPM",
    "RUN_MIN_M_S",
    "STRAVA_GPX_CODES",
    "TRAIL_CLIMB_M_PER_KM",
    "WALK_MIN_CADENCE_SPM",
    "infer_sport",
    "median_moving_speed_m_s",
    "sport_from_label",
]

MIN_MOVING_S: Final = 60.0
MIN_DISTANCE_M: Final = 200.0
MAX_HUMAN_SPEED_M_S: Final = 15.0
RUN_MAX_M_S: Final = 6.5
RUN_MIN_M_S: Final = 1.8
RUN_MIN_CADENCE_SPM: Final = 130.0
WALK_MIN_CADENCE_SPM: Final = 80.0
TRAIL_CLIMB_M_PER_KM: Final = 40.0
HIKE_CLIMB_M_PER_KM: Final = 50.0

#: Strava's numeric ``<trk><type>`` codes in its GPX exports (1 Ride, 4 Hike, 9 Run,
#: 10 Walk, 16 Swim). Strava does not publish the table; these five agree across
#: independent open-source readers. Unknown numbers fall back to inference.
STRAVA_GPX_CODES: Final[dict[str, Sport]] = {
    "1": Sport.CYCLING,
    "4": Sport.HIKING,
    "9": Sport.RUNNING,
    "10": Sport.WALKING,
    "16": Sport.SWIMMING,
}

# Normalised label (lower case, letters only) -> sport.
_LABELS: Final[dict[str, Sport]] = {
    **{k: Sport.RUNNING for k in (
        "run", "running", "streetrunning", "roadrunning", "trackrunning",
        "jog", "jogging", "indoorrunning",
    )},
    **{k: Sport.TRAIL_RUNNING for k in (
        "trail", "trailrun", "trailrunning", "mountainrun", "mountainrunning",
        "ultrarun", "fellrunning",
    )},
    **{k: Sport.TREADMILL for k in (
        "treadmill", "treadmillrunning", "virtualrun", "indoorrun",
    )},
    **{k: Sport.WALKING for k in (
        "walk", "walking", "casualwalking", "speedwalking", "nordicwalking", "stroll",
    )},
    **{k: Sport.HIKING for k in (
        "hike", "hiking", "mountaineering", "trekking", "snowshoe", "snowshoeing",
    )},
    **{k: Sport.CYCLING for k in (
        "ride", "riding", "bike", "biking", "cycling", "cycle", "roadbiking",
        "roadcycling", "mountainbiking", "mountainbikeride", "mtb", "gravelride",
        "gravelcycling", "ebikeride", "ebiking", "emountainbikeride", "virtualride",
        "indoorcycling", "handcycle", "velomobile", "cyclocross", "trackcycling",
    )},
    **{k: Sport.SWIMMING for k in (
        "swim", "swimming", "lapswimming", "openwaterswimming", "poolswim",
    )},
}


def _normalise(label: str) -> str:
    return re.sub(r"[^a-z0-9]", "", label.lower())


def sport_from_label(label: str | None) -> Sport | None:
    """Map a file or export label to a sport; None when it names none we know.

    Parameters
    ----------
    label
        GPX ``<type>`` text ("running", "Run", "9"), TCX ``Sport`` ("Running",
        "Biking"; "Other" gives None), Strava "Activity Type" ("Trail Run",
        "Virtual Run", "Ride"), FIT-style names ("trail_running").
    """
    if label is None:
        return None
    text = label.strip()
    if not text:
        return None
    if text.isdigit():
        return STRAVA_GPX_CODES.get(str(int(text)))
    return _LABELS.get(_normalise(text))


def median_moving_speed_m_s(time_s: FloatArray, distance_m: FloatArray) -> float | None:
    """Duration-weighted median speed of the moving intervals [m/s], or None."""
    ok = np.isfinite(time_s) & np.isfinite(distance_m)
    t, d = time_s[ok], distance_m[ok]
    if len(t) < 2:
        return None
    dt, dd = np.diff(t), np.diff(d)
    good = dt > 0
    dt, dd = dt[good], dd[good]
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        speed = dd / dt if len(dt) else dt
    moving = speed >= MOVING_SPEED_M_S
    if not moving.any():
        return None
    v, w = speed[moving], dt[moving]
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    return float(v[order][int(np.searchsorted(cum, cum[-1] / 2.0))])


def _moving_seconds(time_s: FloatArray, distance_m: FloatArray) -> float:
    ok = np.isfinite(time_s) & np.isfinite(distance_m)
    t, d = time_s[ok], distance_m[ok]
    if len(t) < 2:
        return 0.0
    dt, dd = np.diff(t), np.diff(d)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        moving = (dt > 0) & (dd / np.where(dt > 0, dt, 1.0) >= MOVING_SPEED_M_S)
    return float(dt[moving].sum())


def infer_sport(
    time_s: FloatArray,
    distance_m: FloatArray,
    altitude_m: FloatArray | None = None,
    cadence_spm: FloatArray | None = None,
    *,
    exclude: Collection[Sport] = (),
    require_cadence: bool = False,
) -> Sport:
    """Infer the sport of an unlabelled recording (rule in the module docstring).

    Parameters
    ----------
    time_s
        Sample times [s].
    distance_m
        Cumulative distance per sample [m] (NaN where unknown).
    altitude_m
        Altitude per sample [m], when recorded.
    cadence_spm
        Cadence per sample [steps/min], when recorded.
    exclude
        Sports the file has ruled out; inferring one of them gives OTHER.
    require_cadence
        WALKING/HIKING additionally need a walking-range cadence channel.
    """
    if len(time_s) < 2 or len(distance_m) != len(time_s):
        return Sport.OTHER
    finite_d = distance_m[np.isfinite(distance_m)]
    total = float(finite_d.max() - finite_d[0]) if len(finite_d) else 0.0
    if total < MIN_DISTANCE_M or _moving_seconds(time_s, distance_m) < MIN_MOVING_S:
        return Sport.OTHER
    v = median_moving_speed_m_s(time_s, distance_m)
    if v is None:
        return Sport.OTHER
    climb = 0.0
    if altitude_m is not None:
        updown = ascent_descent(altitude_m)
        if updown is not None:
            climb = updown[0] / (total / 1000.0)
    cadence: float | None = None
    if cadence_spm is not None:
        cad = cadence_spm[np.isfinite(cadence_spm) & (cadence_spm > 0)]
        cadence = float(np.median(cad)) if len(cad) else None

    if v > MAX_HUMAN_SPEED_M_S:
        guess = Sport.OTHER
    elif v >= RUN_MAX_M_S:
        guess = Sport.CYCLING
    elif v >= RUN_MIN_M_S:
        if cadence is not None and cadence < RUN_MIN_CADENCE_SPM:
            guess = Sport.OTHER
        else:
            guess = Sport.TRAIL_RUNNING if climb >= TRAIL_CLIMB_M_PER_KM else Sport.RUNNING
    elif v >= MOVING_SPEED_M_S:
        too_fast_steps = cadence is not None and cadence >= RUN_MIN_CADENCE_SPM
        no_steps = require_cadence and (cadence is None or cadence < WALK_MIN_CADENCE_SPM)
        if too_fast_steps or no_steps:
            guess = Sport.OTHER
        else:
            guess = Sport.HIKING if climb >= HIKE_CLIMB_M_PER_KM else Sport.WALKING
    else:
        guess = Sport.OTHER
    if guess in exclude or (guess.is_running and any(s.is_running for s in exclude)):
        return Sport.OTHER
    return guess
