"""The one named registry of thresholds: defaults, help text and sources.

Each :class:`Threshold` has a name, a default value with its unit, help text a
runner can read, and a source key into :mod:`backstride.domain.evidence`.
:class:`Thresholds` holds the values in force; configuration overrides defaults
by name (unknown names are an error, so a typo never silently does nothing).
All thresholds are listed in one table here, so the registry never depends on
which modules happen to be imported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from backstride.domain.evidence import SOURCES, Source
from backstride.errors import ConfigError

__all__ = ["REGISTRY", "Threshold", "Thresholds"]


@dataclass(frozen=True, slots=True)
class Threshold:
    """A named threshold.

    Attributes
    ----------
    name
        Dotted identifier, e.g. ``spike.watch_ratio``.
    default
        Default value, in ``unit``.
    unit
        Unit of the value (``ratio``, ``km``, ``%``, ``spm``...).
    help
        One or two sentences, in our own words, saying what it means.
    source_key
        Key into :data:`backstride.domain.evidence.SOURCES`.
    """

    name: str
    default: float
    unit: str
    help: str
    source_key: str

    @property
    def source(self) -> Source:
        """The cited source."""
        return SOURCES[self.source_key]


def _t(name: str, default: float, unit: str, help: str, source_key: str) -> Threshold:
    return Threshold(name, float(default), unit, help, source_key)


_ALL: tuple[Threshold, ...] = (
    # Single-run spike: session distance / longest run in the previous 30 days.
    _t("spike.window_days", 30, "days", "Look-back window for the longest previous run.",
       "nielsen2025"),
    _t("spike.watch_ratio", 1.10, "ratio", "A run longer than this multiple of your longest "
       "run in the previous 30 days is worth watching.", "nielsen2025"),
    _t("spike.warn_ratio", 1.30, "ratio", "Above this multiple the injury risk rose clearly "
       "in a large cohort of runners.", "nielsen2025"),
    _t("spike.strong_ratio", 2.00, "ratio", "More than double your recent longest run: the "
       "highest-risk group in that cohort.", "nielsen2025"),
    _t("spike.recent_days", 14, "days", "Runs from this many most recent days decide the "
       "level of the single-run spike signal.", "backstride"),
    _t("spike.history_days", 42, "days", "The worst spike of this many days is also shown, as "
       "history.", "backstride"),
    # Weekly ramp.
    _t("ramp.two_week_pct", 30, "%", "Weekly distance rising more than this over two weeks "
       "(soft warning; the evidence is weak).", "nielsen2014"),
    _t("ramp.ten_pct_rule", 10, "%", "The popular 10%-a-week rule: a convention, not shown "
       "to prevent injury.", "buist2008"),
    # ACWR (context only, contested).
    _t("acwr.acute_days", 7, "days", "Acute window of the EWMA load.", "williams2017"),
    _t("acwr.chronic_days", 28, "days", "Chronic window of the EWMA load (uncoupled).",
       "williams2017"),
    _t("acwr.high", 1.5, "ratio", "The team-sport 'danger zone'. Contested; shown only as "
       "context, never as an alarm.", "impellizzeri2020"),
    # Monotony and strain.
    _t("monotony.watch", 2.0, "ratio", "Weekly mean daily load / its standard deviation; "
       "above this the week is very uniform (practitioner convention).", "foster1998"),
    _t("strain.peak_ratio", 1.0, "ratio", "This week's strain above this multiple of your own "
       "highest weekly strain of the previous weeks is flagged (no fixed cut-off exists).",
       "foster1998"),
    _t("strain.lookback_weeks", 12, "weeks", "How many previous weeks your own strain peak is "
       "taken from.", "backstride"),
    _t("rest.min_days_per_week", 1, "days", "Fewer rest days than this in a week is flagged.",
       "foster1998"),
    _t("streak.watch_days", 7, "days", "Consecutive days with a run before it is flagged.",
       "foster1998"),
    _t("streak.window_days", 28, "days", "Look-back window for the longest streak of run days.",
       "backstride"),
    # Hills.
    _t("hills.grade_pct", 5, "%", "Grade above which time counts as hill running.",
       "levine2007"),
    _t("hills.session_climb_m_per_km", 20, "m/km", "A run climbing more than this per km "
       "counts as a hill session.", "levine2007"),
    _t("hills.rise_ratio", 1.5, "ratio", "Last 4 weeks' climbing versus the 4 weeks before: "
       "a rise above this is flagged.", "levine2007"),
    _t("hills.window_days", 28, "days", "Recent hill volume is this many days, compared with "
       "the same number of days before.", "backstride"),
    _t("hills.min_base_m", 100, "m", "The earlier period's climbing counts as at least this "
       "much, so a first small hill after flat running is not a huge ratio.", "backstride"),
    # Cadence and stride.
    _t("cadence.low_pct", 5, "%", "Cadence this much below your own baseline at a similar "
       "speed is flagged.", "heiderscheit2011"),
    _t("cadence.increase_pct", 5, "%", "Suggested gradual increase over your own cadence "
       "(5-10% in the lab study).", "heiderscheit2011"),
    _t("stride.long_pct", 5, "%", "Step length this much above your own baseline at a "
       "similar speed suggests overstriding (proxy).", "lieberman2015"),
    _t("form.recent_days", 14, "days", "Runs from this many most recent days are compared "
       "with your own baseline.", "backstride"),
    _t("form.baseline_days", 180, "days", "Your baseline is built from the runs of this many "
       "days before the recent ones.", "backstride"),
    _t("form.min_baseline_runs", 3, "runs", "A speed band needs this many baseline runs before "
       "it is used for comparison.", "backstride"),
    # Running dynamics.
    _t("gct_balance.shift_pct_points", 2.0, "percentage points", "A sustained shift of ground "
       "contact balance from your own baseline (heuristic; no injury threshold exists).",
       "joubert2020"),
    _t("gct_balance.deviation_pct_points", 1.5, "percentage points", "Sustained distance from "
       "50/50 balance worth noticing (heuristic).", "joubert2020"),
    _t("gct_balance.min_runs", 3, "runs", "A balance finding needs this many recent runs "
       "with balance data (one odd run is not a pattern).", "backstride"),
    _t("dynamics.trend_pct", 10, "%", "A rise of vertical oscillation or vertical ratio by "
       "more than this over your own baseline is pointed out (heuristic).", "backstride"),
    # Shoes.
    _t("shoes.check_km", 500, "km", "Distance at which to start checking a pair (the "
       "500-800 km convention rests on one lab study).", "cook1985"),
    _t("shoes.replace_km", 800, "km", "Distance past which a pair is flagged as worn.",
       "cook1985"),
    _t("shoes.active_days", 90, "days", "A pair used within this many days counts as in use.",
       "backstride"),
    _t("shoes.min_pairs", 2, "pairs", "Fewer pairs than this in use at the same time is pointed "
       "out (rotation was associated with fewer injuries).", "malisoux2015"),
    # Recovery and cross-training.
    _t("cross.min_minutes_per_week", 30, "min", "Weekly non-running aerobic exercise below "
       "which cross-training is suggested.", "maselli2020"),
    _t("cross.window_days", 28, "days", "Cross-training is averaged over this many days.",
       "backstride"),
)

_REGISTRY: dict[str, Threshold] = {th.name: th for th in _ALL}
#: Read-only view of every threshold, by name.
REGISTRY: Mapping[str, Threshold] = MappingProxyType(_REGISTRY)


class Thresholds(Mapping[str, float]):
    """Threshold values in force: registry defaults plus overrides.

    Parameters
    ----------
    overrides
        Name to value. Unknown names raise :class:`~backstride.errors.ConfigError`.
    """

    __slots__ = ("_values",)

    def __init__(self, overrides: Mapping[str, float] | None = None) -> None:
        values = {name: th.default for name, th in _REGISTRY.items()}
        for name, value in (overrides or {}).items():
            if name not in _REGISTRY:
                raise ConfigError(f"unknown threshold {name!r}")
            values[name] = float(value)
        self._values = values

    def __getitem__(self, name: str) -> float:
        return self._values[name]

    def threshold(self, name: str) -> Threshold:
        """The registry entry (help text, unit, source) for ``name``."""
        return _REGISTRY[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)
