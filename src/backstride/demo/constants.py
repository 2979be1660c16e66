"""Storyline dates and model constants of the synthetic demo year."""

from __future__ import annotations

#: Days in the synthetic year (``end`` and the 364 days before it).
DAYS = 365
#: The spike long run: days before ``end``.
SPIKE_DAY = 42
#: Spike distance / longest run in the previous 30 days.
SPIKE_RATIO = 1.7
#: Hill block: first and last day, as days before ``end``.
HILL_BLOCK_DAYS = (83, 56)
#: Run streak: first and last day, as days before ``end``.
STREAK_DAYS = (33, 20)
#: Ground contact balance starts drifting left this many days before ``end``.
BALANCE_DRIFT_DAYS = 120
#: Pair 1 is retired once it has passed this distance [m].
SHOE_LIMIT_M = 790_000.0

_STREAK_LONG_KM = 12.0
_PRE_SPIKE_LONG_KM = 14.0
_HILL_LONG_KM = 12.0

_M_PER_DEG_LAT = 111_195.0
_GRAVITY = 9.81

# FIT field resolutions (see demo.export): values are rounded to these steps.
_Q_DISTANCE = 0.01
_Q_SPEED = 0.001
_Q_ALTITUDE = 0.2
_Q_CADENCE_SPM = 2.0 / 128.0
_Q_GCT = 0.1
_Q_BALANCE = 0.01
_Q_VO = 0.1
_Q_RATIO = 0.01
_Q_STEP = 0.1
_SEMICIRCLE_DEG = 180.0 / 2.0**31
