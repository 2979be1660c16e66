"""Contributor ranking from answers, self-tests and stored training signals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backstride.domain.answers import parse_answers
from backstride.domain.contributors import (
    CONTRIBUTOR_KEYS,
    SIGNAL_KEYS,
    Contributor,
    rank_contributors,
)
from backstride.domain.selftests import evaluate_self_tests
from backstride.domain.signal import Level, Signal
from backstride.knowledge import load_knowledge

KB = load_knowledge()

# A typical office-working runner, no stored activities.
DESK_RUNNER: dict[str, object] = {
    "age": 38, "desk_hours_per_day": 8, "worse_sitting": True, "strength_sessions_per_week": 0,
    "sleep_hours": 6.5, "shoe_pairs": 1, "single_leg_squat_left": "fail",
}


def signal(key: str, level: Level = Level.WARN) -> Signal:
    return Signal(key=key, level=level, value=1.0, unit="ratio", threshold=1.0,
                  threshold_name=None, explanation=f"{key} explained",
                  advice=f"{key} advice", source_key="nielsen2025")


def rank(raw: dict[str, object], signals: list[Signal] | None = None) -> list[Contributor]:
    answers = parse_answers(raw, KB.questions)
    tests = evaluate_self_tests(answers, KB.self_tests)
    return list(rank_contributors(answers.facts(), tests, signals or [], KB.contributors))


def scores(raw: dict[str, object], signals: list[Signal] | None = None) -> dict[str, float]:
    return {c.key: c.score for c in rank(raw, signals)}


def test_all_eleven_contributors_are_ranked_with_grade_source_and_plan() -> None:
    ranked = rank({})
    assert sorted(c.key for c in ranked) == sorted(CONTRIBUTOR_KEYS)
    assert all(c.score == 0 and c.evidence == () for c in ranked)
    assert [c.key for c in ranked] == list(CONTRIBUTOR_KEYS)  # ties keep file order
    for c in ranked:
        assert c.plan_elements and c.source_key
        d = c.to_dict()
        assert {"key", "score", "evidence", "grade"} <= set(d)


def test_answers_and_self_tests_are_named_in_the_evidence() -> None:
    ranked = {c.key: c for c in rank(DESK_RUNNER)}
    posture = ranked["posture_sitting"]
    assert posture.score > 0.4
    assert any("8 hours" in e for e in posture.evidence)
    assert any(e.startswith("Self-test:") for e in ranked["glutes_hips"].evidence)
    assert ranked["hills"].score == 0 and ranked["training_spikes"].score == 0


def test_stored_spike_and_hill_block_raise_those_contributors_to_the_top() -> None:
    without = rank(DESK_RUNNER)
    top_without = {c.key for c in without[:2]}
    assert not top_without & {"training_spikes", "hills"}
    # the levels the signal engine really gives: a spike warns, hill volume only reaches watch
    stored = [signal("single_run_spike"), signal("hill_volume", Level.WATCH),
              signal("downhill_volume", Level.WATCH), signal("cadence", Level.OK)]
    with_signals = rank(DESK_RUNNER, stored)
    assert with_signals[0].key == "training_spikes"
    position = {c.key: i for i, c in enumerate(with_signals)}
    before = {c.key: i for i, c in enumerate(without)}
    assert position["hills"] < before["hills"] and position["hills"] <= 3
    spikes = next(c for c in with_signals if c.key == "training_spikes")
    assert any("single_run_spike (warn)" in e for e in spikes.evidence)
    assert spikes.grade.value == "moderate"


def test_signal_levels_warn_counts_more_than_watch_and_ok_adds_nothing() -> None:
    base = scores({})
    ok = scores({}, [signal("single_run_spike", Level.OK)])
    watch = scores({}, [signal("single_run_spike", Level.WATCH)])
    warn = scores({}, [signal("single_run_spike", Level.WARN)])
    assert ok == base
    assert 0 < watch["training_spikes"] < warn["training_spikes"]


def test_contested_acwr_weighs_little() -> None:
    acwr = scores({}, [signal("acwr")])["training_spikes"]
    spike = scores({}, [signal("single_run_spike")])["training_spikes"]
    assert 0 < acwr <= 0.15 < spike


def test_the_same_signal_key_counts_once_at_its_worst_level() -> None:
    once = scores({}, [signal("shoe_mileage")])
    twice = scores({}, [signal("shoe_mileage", Level.WATCH), signal("shoe_mileage"),
                        signal("shoe_mileage")])
    assert once == twice


def test_unknown_signal_keys_are_ignored() -> None:
    assert scores({}, [signal("something_new")]) == scores({})


#: Signals shown only as context: the 10% rule is a convention and never above ok.
CONTEXT_ONLY = {"weekly_ten_percent"}


def test_every_signal_the_engine_produces_maps_to_a_contributor() -> None:
    from backstride.domain.signals import SIGNAL_KEYS as ENGINE_KEYS

    assert set(SIGNAL_KEYS) == set(ENGINE_KEYS) == set(KB.contributors.signal_map)
    for key in set(SIGNAL_KEYS) - CONTEXT_ONLY:
        assert KB.contributors.signal_map[key], key
        bump = scores({}, [signal(key)])
        assert any(v > 0 for v in bump.values()), key


@pytest.mark.parametrize(
    ("raw", "key"),
    [({"recent_mileage_increase": True}, "training_spikes"),
     ({"hill_running": True}, "hills"), ({"shoe_distance_km": 900}, "shoes"),
     ({"sleep_hours": 5}, "recovery"), ({"mobility_sessions_per_week": 0},
                                        "hip_flexor_hamstring_tightness"),
     ({"previous_back_injury": True}, "core_endurance"),
     ({"mcgill_flexor_s": 200, "mcgill_extensor_s": 100}, "core_endurance"),
     ({"side_bridge_left_s": 100, "side_bridge_right_s": 50}, "muscle_imbalance"),
     ({"single_leg_bridge_left_reps": 12, "single_leg_bridge_right_reps": 12}, "hamstrings"),
     ({"thomas_left": "positive", "thomas_right": "positive"},
      "hip_flexor_hamstring_tightness")],
)
def test_single_answers_make_their_contributor_lead(raw: dict[str, object], key: str) -> None:
    assert rank(raw)[0].key == key


SIGNALS = st.lists(st.builds(signal, st.sampled_from(SIGNAL_KEYS), st.sampled_from(list(Level))),
                   max_size=8)


@settings(max_examples=100, deadline=None)
@given(SIGNALS, st.builds(signal, st.sampled_from(SIGNAL_KEYS), st.just(Level.WARN)))
def test_scores_stay_in_0_1_and_never_fall_when_evidence_is_added(
        signals: list[Signal], extra: Signal) -> None:
    before = scores(DESK_RUNNER, signals)
    after = scores(DESK_RUNNER, [*signals, extra])
    for key in CONTRIBUTOR_KEYS:
        assert 0 <= before[key] <= after[key] <= 1
