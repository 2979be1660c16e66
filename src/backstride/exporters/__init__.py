"""Exports of a plan to other tools: a calendar and watch workouts (bytes out, no file I/O).

:mod:`backstride.exporters.ics`
    :func:`~backstride.exporters.ics.plan_to_ics`: the plan's sessions as an iCalendar
    (RFC 5545) file, one event per session.
:mod:`backstride.exporters.workouts`
    :func:`~backstride.exporters.workouts.plan_workouts`: the plan's distinct run
    sessions as FIT workout files (warm-up, a repeat block of run and walk, cool-down).

The printable report for a physiotherapist is in :mod:`backstride.report.physio`
(HTML) and :mod:`backstride.report.pdf` (PDF through headless Chromium).
"""

from __future__ import annotations

from backstride.exporters.ics import plan_to_ics
from backstride.exporters.workouts import plan_workouts

__all__ = ["plan_to_ics", "plan_workouts"]
