"""Training signals: graded, explained findings from the runner's own history.

:func:`compute_signals` is the one entry point. It builds the daily and weekly
series once (:func:`backstride.domain.load.build_history`) and asks every signal
family in turn; each module documents its rule, thresholds and source.

Missing data: a family whose measure the history never contained (running
dynamics, cadence, shoe names, altitude) is *omitted*; otherwise every signal is
always present, with level ok, ``value`` None and an explanation saying what is
missing when there is not enough data yet. The result is sorted worst first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Final

from backstride.domain.load import TrainingHistory, build_history
from backstride.domain.signal import Signal
from backstride.domain.signals import (
    acwr,
    cadence,
    dynamics,
    hills,
    monotony,
    ramp,
    recovery,
    shoes,
    spike,
)
from backstride.domain.training import RunnerProfile, Session

__all__ = ["SIGNAL_KEYS", "compute_signals", "signals_from_history"]

#: Every signal key, in the order used to break ties between equal levels.
SIGNAL_KEYS: Final = (
    "single_run_spike", "single_run_spike_history", "weekly_ramp", "hill_volume",
    "downhill_volume", "monotony", "strain", "rest_days", "run_streak", "cadence",
    "step_length", "gct_balance", "gct_balance_shift", "vertical_oscillation",
    "vertical_ratio", "shoe_mileage", "shoe_rotation", "cross_training", "acwr",
    "weekly_ten_percent",
)


def _sort_key(s: Signal) -> tuple[int, int, int]:
    return (-s.level.rank, SIGNAL_KEYS.index(s.key), -(s.on.toordinal() if s.on else 0))


def signals_from_history(
    history: TrainingHistory,
    thresholds: Mapping[str, float],
    *,
    gear_assignments: Mapping[int, str] | None = None,
) -> list[Signal]:
    """Every signal of an already built history, worst first."""
    out: list[Signal] = []
    for family in (spike, ramp, acwr, monotony, hills, cadence, dynamics, recovery):
        out += family.signals(history, thresholds)
    out += shoes.signals(history, thresholds, gear_assignments)
    return sorted(out, key=_sort_key)


def compute_signals(
    sessions: Iterable[Session],
    as_of: date,
    thresholds: Mapping[str, float],
    *,
    gear_assignments: Mapping[int, str] | None = None,
    profile: RunnerProfile | None = None,
) -> list[Signal]:
    """All training signals of a runner's history on a local day, worst first.

    Parameters
    ----------
    sessions
        Every stored activity as a :class:`Session` (any order, any sport);
        sessions after ``as_of`` are ignored.
    as_of
        The runner's local day the signals are for (usually today).
    thresholds
        Values in force, normally :class:`backstride.domain.thresholds.Thresholds`.
    gear_assignments
        Activity id to shoe name, set by the runner; overrides the file's gear.
    profile
        Heart-rate profile for TRIMP loads; default :class:`RunnerProfile()`.

    Returns
    -------
    list of Signal
        Sorted by level (warn, watch, ok), then a fixed family order
        (:data:`SIGNAL_KEYS`), then most recent first.
    """
    history = build_history(sessions, as_of, profile)
    return signals_from_history(history, thresholds, gear_assignments=gear_assignments)
