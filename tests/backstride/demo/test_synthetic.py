"""Synthetic demo year: realistic streams and the storylines a coach must find."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, timedelta

import numpy as np
import pytest

from backstride.demo.synthetic import (
    DAYS,
    SyntheticActivity,
    SyntheticYear,
    eu_utc_offset_s,
    synthetic_year,
)
from backstride.domain.activity import CHANNELS, RUNNING_DYNAMICS, Sport
from backstride.domain.elevation import ascent_descent

END = date(2025, 6, 1)


@pytest.fixture(scope="module")
def year() -> SyntheticYear:
    return synthetic_year(END, seed=7)


def days_before(a: SyntheticActivity) -> int:
    return (END - a.day).days


def km(acts: list[SyntheticActivity] | tuple[SyntheticActivity, ...]) -> float:
    return sum(a.distance_m for a in acts) / 1000.0


def ascent_per_km(acts: list[SyntheticActivity]) -> float:
    up = 0.0
    for a in acts:
        updown = ascent_descent(a.streams["altitude_m"])
        assert updown is not None
        up += updown[0]
    return up / km(acts)


# ------------------------------------------------------------- basic shape


def test_year_covers_365_days_in_order(year: SyntheticYear) -> None:
    acts = year.activities
    assert acts[0].day >= END - timedelta(days=DAYS - 1)
    assert acts[-1].day <= END
    starts = [a.start_utc for a in acts]
    assert starts == sorted(starts)
    ids = [a.activity_id for a in acts]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert len({a.day for a in acts}) == len(acts)  # at most one activity a day
    assert all(a.start_utc.tzinfo is UTC for a in acts)


def test_sports_and_mix(year: SyntheticYear) -> None:
    sports = Counter(a.sport for a in year.activities)
    assert sports[Sport.RUNNING] >= 180
    assert sports[Sport.CYCLING] >= 10
    assert 3 <= sports[Sport.SWIMMING] <= 30
    assert 3 <= sports[Sport.WALKING] <= 30
    kinds = Counter(a.kind for a in year.runs)
    for kind in ("easy", "long", "tempo", "intervals", "hills", "spike_long"):
        assert kinds[kind] >= 1, kind


def test_three_to_five_runs_in_most_weeks(year: SyntheticYear) -> None:
    per_week = Counter(days_before(a) // 7 for a in year.runs)
    counts = [per_week.get(w, 0) for w in range(DAYS // 7)]
    in_range = sum(3 <= c <= 5 for c in counts)
    assert in_range >= 0.8 * len(counts)
    assert float(np.median(counts)) == 4


def test_streams_use_canonical_channels_and_si(year: SyntheticYear) -> None:
    for a in year.activities:
        s = a.streams
        assert set(s) <= set(CHANNELS)
        assert np.all(np.diff(s["time_s"]) == 1.0)  # per-second
        assert np.all(np.diff(s["distance_m"]) >= 0)
        assert s["distance_m"][-1] == pytest.approx(a.distance_m)
        if a.sport is Sport.SWIMMING:
            assert "latitude_deg" not in s and a.pool_length_m == 25.0
        else:
            assert s.has("latitude_deg") and s.has("altitude_m") and s.has("heart_rate_bpm")
            lat = s["latitude_deg"]
            assert abs(float(lat.mean()) - year.runner.home_lat_deg) < 0.1
        if a.sport.is_running:
            assert all(s.has(ch) for ch in RUNNING_DYNAMICS)


def test_utc_offsets_follow_eu_daylight_saving(year: SyntheticYear) -> None:
    assert eu_utc_offset_s(date(2025, 3, 29)) == 3600
    assert eu_utc_offset_s(date(2025, 3, 30)) == 7200
    assert eu_utc_offset_s(date(2025, 10, 25)) == 7200
    assert eu_utc_offset_s(date(2025, 10, 26)) == 3600
    for a in year.activities:
        assert a.utc_offset_s == eu_utc_offset_s(a.day)
        assert a.start_utc + timedelta(seconds=a.utc_offset_s) == a.start_local.replace(tzinfo=UTC)


def test_deterministic_for_a_seed(year: SyntheticYear) -> None:
    again = synthetic_year(END, seed=7)
    assert len(again.activities) == len(year.activities)
    assert again.storylines == year.storylines
    for a, b in zip(year.activities, again.activities, strict=True):
        assert (a.activity_id, a.name, a.start_local, a.gear) == (
            b.activity_id, b.name, b.start_local, b.gear)
        for ch in a.streams:
            np.testing.assert_array_equal(a.streams[ch], b.streams[ch])
    other = synthetic_year(END, seed=8)
    assert [a.start_local for a in other.activities] != [a.start_local for a in year.activities]


# --------------------------------------------------------- physiology/form


def test_cadence_in_steps_per_minute_and_rising_with_speed(year: SyntheticYear) -> None:
    cad = np.concatenate([a.streams["cadence_spm"] for a in year.runs])
    lo, mid, hi = np.percentile(cad, [5, 50, 95])
    assert lo >= 155 and hi <= 175 and 160 <= mid <= 167
    by_kind = {k: np.mean([a.streams["cadence_spm"].mean() for a in year.runs if a.kind == k])
               for k in ("recovery", "easy", "tempo", "intervals")}
    assert by_kind["recovery"] < by_kind["easy"] < by_kind["tempo"]
    a = next(a for a in year.runs if a.kind == "intervals")
    fast = a.streams["speed_m_s"] > 4.0
    assert a.streams["cadence_spm"][fast].mean() > a.streams["cadence_spm"][~fast].mean() + 3


def test_running_dynamics_ranges(year: SyntheticYear) -> None:
    def pct(ch: str, q: list[float]) -> np.ndarray:
        return np.percentile(np.concatenate([a.streams[ch] for a in year.runs]), q)

    gct = pct("ground_contact_time_ms", [5, 95])
    assert gct[0] >= 235 and gct[1] <= 275
    vo = pct("vertical_oscillation_mm", [5, 95])
    assert vo[0] >= 84 and vo[1] <= 101
    bal = pct("ground_contact_balance_pct", [1, 99])
    assert bal[0] >= 48.5 and bal[1] <= 52.0
    easy = [a for a in year.runs if a.kind == "easy"]
    vr = np.median(np.concatenate([a.streams["vertical_ratio_pct"] for a in easy]))
    assert 8.0 <= vr <= 9.5
    for a in year.runs[:20]:
        s = a.streams
        step = s["speed_m_s"] * 60.0 / s["cadence_spm"] * 1000.0
        np.testing.assert_allclose(s["step_length_mm"], step, atol=0.06)
        ratio = s["vertical_oscillation_mm"] / s["step_length_mm"] * 100
        np.testing.assert_allclose(s["vertical_ratio_pct"], ratio, atol=0.006)


def test_heart_rate_follows_effort_with_drift(year: SyntheticYear) -> None:
    mean_hr = {k: np.mean([a.streams["heart_rate_bpm"].mean() for a in year.runs if a.kind == k])
               for k in ("easy", "tempo")}
    assert 130 <= mean_hr["easy"] <= 152
    assert mean_hr["tempo"] > mean_hr["easy"] + 5
    for a in [a for a in year.runs if a.kind == "long" and a.route != "Forest hills loop"][:10]:
        hr = a.streams["heart_rate_bpm"]
        n = len(hr)
        assert hr[n // 2 :].mean() > hr[n // 10 : n // 2].mean()  # cardiac drift
    hr_all = np.concatenate([a.streams["heart_rate_bpm"] for a in year.activities
                             if "heart_rate_bpm" in a.streams])
    assert hr_all.min() >= 60 and hr_all.max() < year.runner.hr_max_bpm
    assert np.all(hr_all == np.round(hr_all))


def test_balance_drifts_left_in_the_last_months(year: SyntheticYear) -> None:
    def mean_balance(lo: int, hi: int) -> float:
        acts = [a for a in year.runs if lo <= days_before(a) <= hi]
        return float(np.mean([a.streams["ground_contact_balance_pct"].mean() for a in acts]))

    early = mean_balance(150, 364)
    late = mean_balance(0, 30)
    assert 49.3 <= early <= 50.2
    assert late - early > 1.0
    assert year.storylines.balance_drift_start == END - timedelta(days=120)


# --------------------------------------------------------------- storylines


def test_storyline_a_single_run_spike(year: SyntheticYear) -> None:
    st = year.storylines
    assert st.spike_date == END - timedelta(days=42)
    spike = next(a for a in year.runs if a.day == st.spike_date)
    assert spike.kind == "spike_long"
    prior = [a for a in year.runs if st.spike_date - timedelta(days=30) <= a.day < st.spike_date]
    longest = max(a.distance_m for a in prior)
    ratio = spike.distance_m / longest
    assert ratio == pytest.approx(1.7, abs=0.02)
    assert st.spike_ratio == pytest.approx(ratio, abs=1e-3)
    assert spike.distance_m > max(a.distance_m for a in year.runs if a is not spike)
    # weekly mileage jump around it
    spike_week = [a for a in year.runs if st.spike_week[0] <= a.day <= st.spike_week[1]]
    week_before = [a for a in year.runs
                   if st.spike_week[0] - timedelta(days=7) <= a.day < st.spike_week[0]]
    assert km(spike_week) / km(week_before) > 1.4


def test_storyline_b_hill_block(year: SyntheticYear) -> None:
    first, last = year.storylines.hill_block
    assert (last - first).days == 27
    assert END - timedelta(days=92) <= first and last <= END - timedelta(days=40)
    block = [a for a in year.runs if first <= a.day <= last]
    rest = [a for a in year.runs if not first <= a.day <= last]
    assert all(a.route == "Forest hills loop" for a in block)
    assert sum(a.kind == "hills" for a in block) == 4
    assert not any(a.kind == "hills" for a in rest)
    assert ascent_per_km(block) > 3 * ascent_per_km(rest)
    assert ascent_per_km(rest) < 6  # mostly flat otherwise


def test_storyline_c_one_shoe_change_near_800_km(year: SyntheticYear) -> None:
    pair1, pair2 = year.runner.shoes
    gears = [a.gear for a in year.runs]
    change = gears.index(pair2)
    assert set(gears[:change]) == {pair1} and set(gears[change:]) == {pair2}  # never rotated
    first_km = km([a for a in year.runs if a.gear == pair1])
    assert 790 <= first_km <= 830
    assert year.storylines.first_pair_m == pytest.approx(first_km * 1000)
    assert year.storylines.shoe_change_date == year.runs[change].day
    assert km([a for a in year.runs if a.gear == pair2]) < 800
    assert all(a.gear == year.runner.bike for a in year.activities if a.sport is Sport.CYCLING)
    assert all(a.gear is None for a in year.activities
               if a.sport in (Sport.SWIMMING, Sport.WALKING))


def test_storyline_d_run_streak(year: SyntheticYear) -> None:
    first, last = year.storylines.streak
    run_days = {a.day for a in year.runs}
    streak = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    assert len(streak) == 14
    assert all(d in run_days for d in streak)
    assert first - timedelta(days=1) not in run_days or last + timedelta(days=1) not in run_days
    # elsewhere the runner rests at least once every 4 days
    longest_other = 0
    current = 0
    for i in range(DAYS):
        d = END - timedelta(days=DAYS - 1 - i)
        current = current + 1 if d in run_days and not first <= d <= last else 0
        longest_other = max(longest_other, current)
    assert longest_other <= 4
