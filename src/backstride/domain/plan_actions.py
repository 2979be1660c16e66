"""Plan-level action items: referral, footwear, load, terrain, cadence, habits, recovery.

Each item says what to do, why (the answer, contributor or signal behind it) and the
sources. Referral items come first. Before a doctor has been seen (triage ``soon``)
only referral, habit and recovery items are given; footwear, load, terrain, cadence
and cross-training wait for the full plan.

Sources: referral triggers and options ``nice_cks_red_flags`` (failure to improve
after about a month), ``ostelo2008`` (important change: 2 points or 30%),
``nice_ng59`` (manual therapy only alongside exercise; no routine imaging),
``nice_cks_sciatica``, ``spondylolysis_young``, ``nice_ng65``; shoes ``cook1985``,
``malisoux2015``; load ``nielsen2025``; hills ``levine2007``; cadence
``heiderscheit2011``, ``burns2019``; sitting ``bernstein2017``; recovery ``foster1998``;
cross-training ``maselli2020``, ``malisoux2015``.
"""

from __future__ import annotations

from backstride.domain.plan_basis import (
    CADENCE_SIGNALS,
    HILL_SIGNALS,
    RECOVERY_SIGNALS,
    SHOE_MILEAGE_SIGNALS,
    SPIKE_SIGNALS,
    PlanBasis,
)
from backstride.domain.plan_model import ActionItem
from backstride.domain.triage import TriageLevel

__all__ = ["SHOE_CHECK_KM", "actions"]

#: Shoe distance from which a check is suggested [km] (``cook1985``: 500-800 km).
SHOE_CHECK_KM = 500.0
#: Sleep below this many hours gets its own line [h].
SLEEP_SHORT_H = 7.0

_OPTIONS = ("A physiotherapist is the usual first port of call; a sports doctor for "
            "young runners, bone concerns or anything not settling. A chiropractor or "
            "sports massage therapist can help alongside the exercises, not instead of "
            "them. Scans are only useful when a clinician asks for one, after exercise "
            "has not helped.")


def actions(basis: PlanBasis, *, limited: bool) -> tuple[ActionItem, ...]:
    """All action items for a basis, referral first.

    Parameters
    ----------
    basis
        What the plan is built from.
    limited
        True while the plan is limited to walking and mobility (triage ``soon``).
    """
    items = _referrals(basis) + _habits(basis)
    if not limited:
        items += _footwear(basis) + _training(basis)
    return tuple(items)


def _referrals(b: PlanBasis) -> list[ActionItem]:
    out: list[ActionItem] = []
    if b.triage_level.rank >= TriageLevel.ROUTINE.rank:
        out.append(ActionItem("triage_referral", "referral", b.triage_title, b.triage_advice,
                              " ".join(b.triage_reasons) or "The check's triage.",
                              b.triage_sources or ("finucane2020",)))
    if "stress_fracture_suspect" in b.patterns:
        out.append(ActionItem(
            "sports_doctor", "referral", "See a sports doctor before running again",
            "Pain on arching the back in a young runner needs a sports doctor's "
            "assessment; home tests cannot settle it. No running until then.",
            "You are 20 or under and arching the back hurts.", ("spondylolysis_young",)))
    if "radicular" in b.patterns:
        out.append(ActionItem(
            "leg_symptoms_review", "referral", "Physiotherapy or GP review for the leg",
            "Have the leg symptoms reviewed by a physiotherapist or GP, sooner if they "
            "are not settling over two weeks. Seek help at once if a leg gets weak, "
            "numbness spreads, or both legs are affected.",
            "Pain below the knee or tingling/numbness in the leg.", ("nice_cks_sciatica",)))
    if "inflammatory" in b.patterns:
        out.append(ActionItem(
            "gp_inflammatory", "referral", "Discuss the pattern with your GP",
            "Your answers match an inflammatory back-pain pattern; a GP can consider a "
            "rheumatology referral. Keep exercising meanwhile.",
            "Long morning stiffness, better with movement than rest.", ("nice_ng65",)))
    out.append(ActionItem(
        "when_not_improving", "referral", "When to see someone",
        "See a physiotherapist or sports doctor if the pain has not improved by at least 2 "
        "points (or 30%) after 4 weeks, gets worse over 2 weeks, or leg symptoms are not "
        "improving. " + _OPTIONS,
        "The check-ins track this for you and will say when a trigger is met.",
        ("nice_cks_red_flags", "ostelo2008", "nice_ng59")))
    return out


def _habits(b: PlanBasis) -> list[ActionItem]:
    out: list[ActionItem] = []
    sitting = b.contributor("posture_sitting")
    if sitting is not None:
        hours = b.facts.get("desk_hours_per_day")
        why = f"About {hours:g} hours of sitting a day." if hours else sitting.label + "."
        out.append(ActionItem(
            "posture_breaks", "habit", "Break up sitting",
            "Stand up and move for a minute or two every 30-60 minutes; change position "
            "often; a hip-flexor stretch at lunchtime helps after long sitting.",
            why, ("bernstein2017",)))
    recovery = b.contributor("recovery") or b.flag(RECOVERY_SIGNALS)
    sleep = b.facts.get("sleep_hours")
    if recovery is not None or (sleep is not None and sleep < SLEEP_SHORT_H):
        why = (f"About {sleep:g} hours of sleep a night." if sleep is not None
               and sleep < SLEEP_SHORT_H else "Recovery showed up in your check or training.")
        out.append(ActionItem(
            "recovery", "recovery", "Sleep, food and rest days",
            "Aim for 7-9 hours of sleep; eat regular meals with protein and carbohydrate, "
            "especially after sessions; drink to thirst; keep at least one full rest day "
            "a week.", why, ("foster1998", "expert_practice")))
    return out


def _footwear(b: PlanBasis) -> list[ActionItem]:
    out: list[ActionItem] = []
    km = b.facts.get("shoe_distance_km")
    mileage = b.flag(SHOE_MILEAGE_SIGNALS)
    if mileage is not None or (km is not None and km >= SHOE_CHECK_KM):
        why = (f"About {km:g} km in the main pair." if km is not None
               else mileage.advice if mileage is not None else "")
        out.append(ActionItem(
            "replace_worn_pair", "footwear", "Check or replace the worn pair",
            "Shoes lose some cushioning with distance; check the main pair around "
            "500-800 km and replace it when it is worn. This is about comfort: it has not "
            "been shown to prevent injury.", why, ("cook1985",)))
    pairs = b.facts.get("shoe_pairs")
    rotation = b.flag(("shoe_rotation",))
    if rotation is not None or pairs == 1:
        out.append(ActionItem(
            "rotate_pairs", "footwear", "Rotate two pairs",
            "Alternate two pairs (ideally different models). Runners who did had fewer "
            "injuries in one study; it is an association, not proof.",
            "Only one pair in use." if pairs == 1 else (rotation.advice if rotation else ""),
            ("malisoux2015",)))
    if out or b.contributor("shoes") is not None:
        out.append(ActionItem(
            "shoe_gait_evaluation", "footwear", "Shoe and gait evaluation",
            "Have a physiotherapist or a specialist running shop look at your shoes and "
            "running gait; change one thing at a time.",
            "Shoes came up among your contributors.", ("expert_practice",)))
    return out


def _training(b: PlanBasis) -> list[ActionItem]:
    out: list[ActionItem] = []
    if b.contributor("training_spikes") or b.flag(SPIKE_SIGNALS):
        out.append(ActionItem(
            "longest_run_rule", "load", "Keep every run within 110% of your longest",
            "No run longer than 110% of your longest run in the previous 30 days; the plan "
            "caps every run this way.",
            "A recent jump in distance or in the length of a run.", ("nielsen2025",)))
    if b.contributor("hills") or b.flag(HILL_SIGNALS):
        out.append(ActionItem(
            "flat_routes", "terrain", "Flat routes first, downhill last",
            "Run flat routes until the pain has settled; bring back uphill before downhill, "
            "which arches the low back most.", "Hills came up in your check or training.",
            ("levine2007",)))
    if b.flag(CADENCE_SIGNALS):
        out.append(ActionItem(
            "cadence_cue", "cadence", "Cadence +5%",
            "Take about 5% more steps per minute than your usual at the same easy pace "
            "(e.g. 160 to 168), with a metronome app, built up gradually. Never a fixed "
            "180.", "Your cadence dropped, or your steps lengthened, against your own "
            "baseline.", ("heiderscheit2011", "burns2019")))
    out.append(ActionItem(
        "cross_training", "cross_training", "Cross-train while running is reduced",
        "Cycling, swimming or yoga at an easy effort keep fitness up while running is "
        "built back; the calendar has one or two sessions a week.",
        "Runners with no other weekly aerobic activity report more back pain.",
        ("maselli2020", "malisoux2015")))
    return out
