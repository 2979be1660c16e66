"""Per-second stream models: speed, heart rate, cadence, running dynamics, power."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from backstride.demo.constants import (
    _GRAVITY,
    _Q_ALTITUDE,
    _Q_BALANCE,
    _Q_CADENCE_SPM,
    _Q_DISTANCE,
    _Q_GCT,
    _Q_RATIO,
    _Q_SPEED,
    _Q_STEP,
    _Q_VO,
    _SEMICIRCLE_DEG,
    BALANCE_DRIFT_DAYS,
)
from backstride.demo.planner import _Plan
from backstride.demo.routes import _Route
from backstride.domain.activity import FloatArray, Sport, Streams

if TYPE_CHECKING:
    from backstride.demo.synthetic import RunnerProfile


# ---------------------------------------------------------------- stream model


def _smooth_noise(rng: np.random.Generator, n: int, width: int) -> FloatArray:
    """Unit-variance noise smoothed over about ``width`` samples."""
    width = max(1, width)
    kernel = np.hanning(2 * width + 1)
    kernel /= math.sqrt(float((kernel**2).sum()))
    white = rng.standard_normal(n + 2 * width)
    out: FloatArray = np.convolve(white, kernel, mode="valid")[:n]
    return out


def _lag(x: FloatArray, tau_s: float, initial: float) -> FloatArray:
    """First-order lag (time constant ``tau_s``) of a 1 Hz series starting from ``initial``."""
    m = int(5 * tau_s)
    kernel = np.exp(-np.arange(m) / tau_s)
    kernel /= kernel.sum()
    padded = np.concatenate([np.full(m, initial), x])
    out: FloatArray = np.convolve(padded, kernel)[m : m + len(x)]
    return out


def _q(x: FloatArray, step: float) -> FloatArray:
    out: FloatArray = np.round(x / step) * step
    return out


def _motion(plan: _Plan, route: _Route | None, rng: np.random.Generator,
            variability: float, uphill_cost: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-second speed, route position and signed travel direction (n + 1 samples)."""
    speeds: list[FloatArray] = []
    dirs: list[FloatArray] = []
    bounds: list[tuple[int, int, float]] = []
    start = 0
    for seg in plan.segments:
        n = max(2, round(seg.distance_m / seg.speed_m_s))
        v = seg.speed_m_s * (1.0 + variability * _smooth_noise(rng, n, 40))
        speeds.append(v)
        dirs.append(np.full(n, float(seg.direction)))
        bounds.append((start, start + n, seg.distance_m))
        start += n
    v = np.concatenate(speeds)
    direction = np.concatenate(dirs)
    if route is not None:
        s = np.concatenate([[0.0], np.cumsum(direction * v)])[:-1]
        grade = route.sample(s)[3] * direction
        v = v * np.where(grade > 0, 1.0 - uphill_cost * grade, 1.0 - 0.6 * grade)
    # soften steps between segments, then make every segment exactly its distance
    v = np.convolve(np.concatenate([np.full(3, v[0]), v, np.full(3, v[-1])]),
                    np.ones(7) / 7.0, mode="valid")
    for a, b, dist in bounds:
        v[a:b] *= dist / float(v[a:b].sum())
    s = np.concatenate([[0.0], np.cumsum(direction * v)])
    speed = np.concatenate([v, v[-1:]])
    dir_ext = np.concatenate([direction, direction[-1:]])
    return speed, s, dir_ext


def _activity_streams(plan: _Plan, runner: RunnerProfile, routes: dict[str, _Route],
                      rng: np.random.Generator, end: date) -> Streams:
    route = routes[plan.route] if plan.route else None
    sport = plan.sport
    variability = {Sport.CYCLING: 0.06, Sport.SWIMMING: 0.03}.get(sport, 0.035)
    uphill_cost = 3.0 if sport is Sport.CYCLING else 2.5
    speed, s, direction = _motion(plan, route, rng, variability, uphill_cost)
    n = len(speed)
    t = np.arange(n, dtype=np.float64)
    distance = np.concatenate([[0.0], np.cumsum(speed[:-1])])
    ch: dict[str, FloatArray] = {
        "time_s": t,
        "distance_m": _q(distance, _Q_DISTANCE),
        "speed_m_s": _q(speed, _Q_SPEED),
    }
    grade = np.zeros(n)
    if route is not None:
        lat, lon, alt, g = route.sample(s)
        grade = g * direction
        ch["latitude_deg"] = np.round(lat / _SEMICIRCLE_DEG) * _SEMICIRCLE_DEG
        ch["longitude_deg"] = np.round(lon / _SEMICIRCLE_DEG) * _SEMICIRCLE_DEG
        ch["altitude_m"] = _q(alt + 0.3 * _smooth_noise(rng, n, 120), _Q_ALTITUDE)
    if sport is Sport.SWIMMING:
        return Streams(ch)

    d_before = (end - _plan_day(plan, end)).days
    summer = 4 <= _plan_day(plan, end).month <= 9
    hours = t / 3600.0
    rest, thr = runner.hr_rest_bpm, runner.hr_threshold_bpm
    if sport is Sport.CYCLING:
        m_total = runner.mass_kg + 10.0
        power = (0.5 * 1.2 * 0.32 * speed**3 + 0.005 * m_total * _GRAVITY * speed
                 + m_total * _GRAVITY * speed * np.maximum(grade, -0.02))
        power = np.clip(power * (1 + 0.08 * _smooth_noise(rng, n, 5)), 0.0, 600.0)
        frac = 0.38 + 0.5 * power / 230.0
        ch["power_w"] = _q(power, 1.0)
    else:
        v_eq = speed * np.where(grade > 0, 1.0 + 4.0 * grade, 1.0 + 1.5 * grade)
        frac = np.maximum(v_eq, 0.3) / runner.threshold_speed_m_s
    hr_ss = rest + (thr - rest) * frac
    hr = _lag(hr_ss, 25.0, rest + 30.0)
    drift = (0.065 if summer else 0.035) + float(rng.normal(0, 0.008))
    hr = hr * (1.0 + drift * hours) + float(rng.normal(0, 2.0)) + 1.2 * _smooth_noise(rng, n, 8)
    ch["heart_rate_bpm"] = _q(np.clip(hr, 60.0, runner.hr_max_bpm - 1.0), 1.0)
    if sport is Sport.CYCLING:
        return Streams(ch)

    if sport is Sport.WALKING:
        cad = 112.0 + 6.0 * (speed - 1.4) + 1.0 * _smooth_noise(rng, n, 10)
        ch["cadence_spm"] = _q(np.clip(cad, 90.0, 130.0), _Q_CADENCE_SPM)
        return Streams(ch)

    # running
    long_fatigue = np.clip(hours - 1.0, 0.0, None)
    cad = (143.0 + 7.0 * speed + 20.0 * np.clip(grade, 0.0, None) - 1.5 * long_fatigue
           + float(rng.normal(0, 0.8)) + 1.0 * _smooth_noise(rng, n, 6))
    cad = np.clip(cad, 150.0, 185.0)
    cad = _q(cad, _Q_CADENCE_SPM)
    ch["cadence_spm"] = cad
    gct = 305.0 - 16.0 * speed + 4.0 * hours + float(rng.normal(0, 2.0)) + 2.5 * _smooth_noise(
        rng, n, 4)
    ch["ground_contact_time_ms"] = _q(np.clip(gct, 200.0, 320.0), _Q_GCT)
    drift_pts = 1.5 * max(0.0, (BALANCE_DRIFT_DAYS - d_before) / BALANCE_DRIFT_DAYS)
    balance = 49.7 + drift_pts + float(rng.normal(0, 0.2)) + 0.35 * _smooth_noise(rng, n, 15)
    ch["ground_contact_balance_pct"] = _q(np.clip(balance, 48.0, 53.0), _Q_BALANCE)
    vo = 72.0 + 6.5 * speed + float(rng.normal(0, 1.2)) + 1.2 * _smooth_noise(rng, n, 5)
    vo = _q(np.clip(vo, 70.0, 115.0), _Q_VO)
    ch["vertical_oscillation_mm"] = vo
    step_mm = _q(ch["speed_m_s"] * 60.0 / cad * 1000.0, _Q_STEP)
    ch["step_length_mm"] = step_mm
    ch["vertical_ratio_pct"] = _q(vo / step_mm * 100.0, _Q_RATIO)
    power = runner.mass_kg * speed * (1.05 + _GRAVITY * np.where(grade > 0, grade, 0.5 * grade))
    ch["power_w"] = _q(np.clip(power, 40.0, 700.0), 1.0)
    return Streams(ch)


def _plan_day(plan: _Plan, end: date) -> date:
    """Local calendar day of a planned session."""
    return end - timedelta(days=plan.days_before_end)


