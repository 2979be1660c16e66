"""Pain and function scores, and change between two checks.

Only licence-free measures are used (``shared/evidence.md`` section 3): the 0-10
numeric pain rating (three readings: now, worst this week, during running) and the
Patient-Specific Functional Scale (PSFS: up to 5 activities the runner names, each
0 = cannot do, 10 = as before). No items of STarT Back, Oswestry or Roland-Morris.

Minimal important differences (the thresholds below which a change is treated as
noise):

* pain: 2 points **or** 30% of the earlier value (Ostelo et al. 2008; Childs et al. 2005,
  ``ostelo2008``). The same size is used for worsening (a cautious choice);
* PSFS mean: 2 points; a single activity: 3 points (Stratford et al. 1995,
  ``stratford1995``). Activities are matched by name, ignoring case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from backstride.domain.answers import Answers, PsfsItem

__all__ = [
    "PAIN_MEASURES",
    "PAIN_MID_FRACTION",
    "PAIN_MID_POINTS",
    "PSFS_ITEM_MID",
    "PSFS_MEAN_MID",
    "Change",
    "ChangeReport",
    "FunctionScores",
    "Status",
    "compare",
    "scores_from_answers",
]

#: Pain: smallest important change in points (``ostelo2008``).
PAIN_MID_POINTS = 2.0
#: Pain: smallest important change as a fraction of the earlier value (``ostelo2008``).
PAIN_MID_FRACTION = 0.30
#: PSFS mean: smallest important change in points (``stratford1995``).
PSFS_MEAN_MID = 2.0
#: PSFS single activity: smallest important change in points (``stratford1995``).
PSFS_ITEM_MID = 3.0

#: Pain readings (answer key, plain label).
PAIN_MEASURES: tuple[tuple[str, str], ...] = (
    ("pain_now", "pain now"),
    ("worst_pain_week", "worst pain this week"),
    ("pain_during_run", "pain during running"),
)


class Status(StrEnum):
    """Direction of a change beyond the minimal important difference."""

    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    WORSE = "worse"


@dataclass(frozen=True, slots=True)
class FunctionScores:
    """Pain and function on one day.

    Attributes
    ----------
    on
        Date of the check.
    pain
        Answer key (``pain_now``, ``worst_pain_week``, ``pain_during_run``) to 0-10;
        only answered readings are present.
    psfs
        PSFS activities (may be empty).
    """

    on: date
    pain: Mapping[str, int]
    psfs: tuple[PsfsItem, ...] = ()

    @property
    def psfs_mean(self) -> float | None:
        """Mean PSFS score (0-10, higher is better), None without activities."""
        if not self.psfs:
            return None
        return sum(i.score for i in self.psfs) / len(self.psfs)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, accepted back by :meth:`from_dict` (for stored checks)."""
        mean = self.psfs_mean
        return {"on": self.on.isoformat(), "pain": dict(self.pain),
                "psfs": [{"activity": i.activity, "score": i.score} for i in self.psfs],
                "psfs_mean": None if mean is None else round(mean, 2)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> FunctionScores:
        """Rebuild from :meth:`to_dict` output (e.g. a stored earlier check).

        Raises
        ------
        ValueError
            When the mapping does not have the shape :meth:`to_dict` produces.
        """
        on, pain, psfs = data.get("on"), data.get("pain"), data.get("psfs", [])
        if not isinstance(on, str) or not isinstance(pain, Mapping) or not isinstance(
                psfs, list):
            raise ValueError("not a stored function score")
        items = tuple(PsfsItem(str(i["activity"]), int(i["score"])) for i in psfs)
        return cls(date.fromisoformat(on), {str(k): int(v) for k, v in pain.items()}, items)


def scores_from_answers(answers: Answers, on: date) -> FunctionScores:
    """Collect the pain readings and PSFS from the answers."""
    pain = {key: int(v) for key, _ in PAIN_MEASURES
            if (v := answers.number(key)) is not None}
    return FunctionScores(on=on, pain=pain, psfs=answers.psfs)


@dataclass(frozen=True, slots=True)
class Change:
    """Change of one measure between two checks.

    Attributes
    ----------
    measure
        ``pain_now``, ``psfs_mean``, ``psfs:<activity>``...
    label
        Plain name.
    previous, current
        The two values.
    status
        improved, unchanged or worse, against the minimal important difference.
    text
        One sentence.
    """

    measure: str
    label: str
    previous: float
    current: float
    status: Status
    text: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"measure": self.measure, "label": self.label, "previous": self.previous,
                "current": self.current, "delta": round(self.current - self.previous, 2),
                "status": self.status.value, "text": self.text}


@dataclass(frozen=True, slots=True)
class ChangeReport:
    """All changes since an earlier check; ``overall`` is worse if anything got worse."""

    previous_on: date
    changes: tuple[Change, ...]
    overall: Status
    text: str

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"previous_on": self.previous_on.isoformat(), "overall": self.overall.value,
                "text": self.text, "changes": [c.to_dict() for c in self.changes]}


def compare(previous: FunctionScores, current: FunctionScores) -> ChangeReport:
    """Compare two checks against the minimal important differences.

    Pain (lower is better) changes when it moves by at least 2 points or 30% of the
    earlier value; the PSFS mean (higher is better) by at least 2 points, a single
    activity named in both checks by at least 3 points. Measures present in only one
    check are skipped.
    """
    changes = [*_pain_changes(previous, current), *_psfs_changes(previous, current)]
    statuses = {c.status for c in changes}
    if Status.WORSE in statuses:
        overall = Status.WORSE
    elif Status.IMPROVED in statuses:
        overall = Status.IMPROVED
    else:
        overall = Status.UNCHANGED
    return ChangeReport(previous.on, tuple(changes), overall,
                        _summary(overall, previous.on, changes))


def _pain_changes(previous: FunctionScores, current: FunctionScores) -> list[Change]:
    out: list[Change] = []
    for key, label in PAIN_MEASURES:
        if key in previous.pain and key in current.pain:
            before, now = float(previous.pain[key]), float(current.pain[key])
            status = _pain_status(before, now)
            out.append(Change(key, label, before, now, status,
                              _text(label, before, now, status, "points out of 10")))
    return out


def _pain_status(before: float, now: float) -> Status:
    delta = now - before
    threshold = min(PAIN_MID_POINTS, PAIN_MID_FRACTION * before) if before > 0 else (
        PAIN_MID_POINTS)
    if delta != 0 and abs(delta) >= threshold:
        return Status.WORSE if delta > 0 else Status.IMPROVED
    return Status.UNCHANGED


def _psfs_changes(previous: FunctionScores, current: FunctionScores) -> list[Change]:
    out: list[Change] = []
    before_mean, now_mean = previous.psfs_mean, current.psfs_mean
    if before_mean is not None and now_mean is not None:
        status = _psfs_status(before_mean, now_mean, PSFS_MEAN_MID)
        out.append(Change("psfs_mean", "activity score (mean)", before_mean, now_mean,
                          status, _text("activity score (mean)", before_mean, now_mean,
                                        status, "out of 10")))
    out.extend(_psfs_items(previous.psfs, current.psfs))
    return out


def _psfs_items(previous: Sequence[PsfsItem], current: Sequence[PsfsItem]) -> list[Change]:
    earlier = {i.activity.casefold(): i for i in previous}
    out: list[Change] = []
    for item in current:
        old = earlier.get(item.activity.casefold())
        if old is None:
            continue
        label = f'"{item.activity}"'
        status = _psfs_status(old.score, item.score, PSFS_ITEM_MID)
        out.append(Change(f"psfs:{item.activity}", label, float(old.score),
                          float(item.score), status,
                          _text(label, old.score, item.score, status, "out of 10")))
    return out


def _psfs_status(before: float, now: float, mid: float) -> Status:
    delta = now - before
    if abs(delta) >= mid:
        return Status.IMPROVED if delta > 0 else Status.WORSE
    return Status.UNCHANGED


def _text(label: str, before: float, now: float, status: Status, unit: str) -> str:
    moved = {Status.IMPROVED: "improved", Status.WORSE: "got worse",
             Status.UNCHANGED: "has not changed by an important amount"}[status]
    return f"{label.capitalize()} {moved}: {before:g} -> {now:g} {unit}."


def _summary(overall: Status, previous_on: date, changes: Sequence[Change]) -> str:
    since = f"since your check on {previous_on.isoformat()}"
    if not changes:
        return f"No measure was answered in both this check and the one {since}."
    if overall is Status.WORSE:
        return (f"Something got worse {since}. If pain keeps rising, or a new symptom "
                "appears, see a physiotherapist or GP.")
    if overall is Status.IMPROVED:
        return f"Improved by an important amount {since}."
    return f"No change big enough to matter {since}."
