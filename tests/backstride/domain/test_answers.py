"""Answers: validation errors name the key; missing means no/unknown; conditions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backstride.domain.answers import (
    REQUIRED_KEYS,
    AllOf,
    AnyOf,
    AtLeast,
    FactValue,
    Leaf,
    Not,
    Op,
    PsfsItem,
    QType,
    answers_template,
    condition_keys,
    evaluate,
    parse_answers,
    supporting_keys,
)
from backstride.errors import AnswersError, InputError
from backstride.knowledge import load_knowledge

KB = load_knowledge()
Q = KB.questions


def test_every_required_key_is_accepted() -> None:
    for key in REQUIRED_KEYS:
        assert key in Q, key


def test_missing_keys_mean_no_or_unknown() -> None:
    answers = parse_answers({}, Q)
    assert not answers.flag("fever")
    assert answers.number("age") is None
    assert answers.choice("aslr_left") is None
    assert answers.facts() == {}


def test_null_and_comment_keys_are_ignored() -> None:
    answers = parse_answers({"fever": None, "_note": "anything", "age": 40}, Q)
    assert answers.values == {"age": 40}


def test_unknown_key_is_an_error_naming_it() -> None:
    with pytest.raises(AnswersError, match="'saddle_numbnes'") as info:
        parse_answers({"saddle_numbnes": True}, Q)
    assert "saddle_numbness" in str(info.value)  # suggestion
    assert isinstance(info.value, InputError)


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("pain_now", 11, "0 to 10"),
        ("pain_now", -1, "0 to 10"),
        ("pain_now", 3.5, "whole number"),
        ("pain_now", "3", "whole number"),
        ("pain_now", True, "whole number"),
        ("fever", "yes", "true or false"),
        ("fever", 1, "true or false"),
        ("age", 150, "10 to 100"),
        ("weeks_since_onset", -2, "0 to 1040"),
        ("morning_stiffness_minutes", float("nan"), "0 to 1440"),
        ("aslr_left", "bad", "'good' or 'average' or 'poor'"),
        ("thomas_right", True, "'negative' or 'positive'"),
        ("psfs", [{"activity": "run", "score": 12}], "up to 5"),
        ("psfs", [{"activity": "", "score": 2}], "up to 5"),
        ("psfs", [{"activity": "run", "score": 2, "x": 1}], "up to 5"),
        ("psfs", [{"activity": "a", "score": 1}] * 6, "up to 5"),
    ],
)
def test_bad_values_name_the_key_and_allowed_values(key: str, value: object,
                                                    allowed: str) -> None:
    with pytest.raises(AnswersError) as info:
        parse_answers({key: value}, Q)
    message = str(info.value)
    assert repr(key) in message
    assert allowed in message


def test_not_a_mapping_is_an_error() -> None:
    with pytest.raises(AnswersError, match="JSON object"):
        parse_answers([1, 2], Q)  # type: ignore[arg-type]


def test_int_valued_float_is_accepted_for_int_and_int_for_float() -> None:
    answers = parse_answers({"pain_now": 4.0, "weeks_since_onset": 3}, Q)
    assert answers.values["pain_now"] == 4 and isinstance(answers.values["pain_now"], int)
    assert answers.number("weeks_since_onset") == 3.0


def test_psfs_parses_and_round_trips() -> None:
    raw = {"psfs": [{"activity": " run 10 km ", "score": 4}], "pain_now": 3}
    answers = parse_answers(raw, Q)
    assert answers.psfs == (PsfsItem("run 10 km", 4),)
    again = parse_answers(json.loads(json.dumps(answers.to_dict())), Q)
    assert again == answers


def test_onset_age_is_derived() -> None:
    facts = parse_answers({"age": 52, "weeks_since_onset": 104.355}, Q).facts()
    assert facts["onset_age_years"] == pytest.approx(50.0)
    assert parse_answers({"age": 52}, Q).facts()["onset_age_years"] == 52


def test_template_lists_every_key_and_parses_as_is() -> None:
    template = answers_template(Q)
    assert set(Q) <= set(template)
    help_ = template["_help"]
    assert isinstance(help_, dict)
    for key, q in Q.items():
        assert q.allowed() in help_[key]
    json.dumps(template)
    assert parse_answers(template, Q).values == {}


def test_prompts_are_questions_and_every_numeric_question_has_a_range() -> None:
    for q in Q.values():
        assert q.prompt.strip() and q.meaning.strip() and q.label.strip()
        if q.qtype in (QType.INT, QType.FLOAT):
            assert q.minimum is not None and q.maximum is not None
            assert q.minimum < q.maximum


@given(st.data())
def test_any_in_range_value_is_accepted(data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(Q)))
    q = Q[key]
    if q.qtype is QType.BOOL:
        value: object = data.draw(st.booleans())
    elif q.qtype is QType.CHOICE:
        value = data.draw(st.sampled_from(q.choices))
    elif q.qtype is QType.INT:
        assert q.minimum is not None and q.maximum is not None
        value = data.draw(st.integers(int(q.minimum), int(q.maximum)))
    elif q.qtype is QType.FLOAT:
        assert q.minimum is not None and q.maximum is not None
        value = data.draw(st.floats(q.minimum, q.maximum))
    else:
        value = [{"activity": "run", "score": data.draw(st.integers(0, 10))}]
    parse_answers({key: value}, Q)


# --- conditions -----------------------------------------------------------------------


def test_leaf_comparisons_are_false_on_missing_facts() -> None:
    for op in (Op.TRUE, Op.GT, Op.GE, Op.LT, Op.LE, Op.EQ, Op.NE):
        assert not evaluate(Leaf("age", op, 1), {})
    assert evaluate(Leaf("age", Op.MISSING), {})
    assert not evaluate(Leaf("age", Op.MISSING), {"age": 3})


def test_leaf_ops() -> None:
    facts: dict[str, FactValue] = {"age": 30, "fever": True, "aslr_left": "poor",
                                   "spasm": False}
    assert evaluate(Leaf("fever"), facts)
    assert not evaluate(Leaf("spasm"), facts)
    assert evaluate(Leaf("spasm", Op.EQ, False), facts)
    assert evaluate(Leaf("age", Op.GT, 29), facts) and not evaluate(Leaf("age", Op.GT, 30), facts)
    assert evaluate(Leaf("age", Op.GE, 30), facts) and evaluate(Leaf("age", Op.LE, 30), facts)
    assert evaluate(Leaf("age", Op.LT, 31), facts)
    assert evaluate(Leaf("aslr_left", Op.IN, ("poor", "average")), facts)
    assert evaluate(Leaf("aslr_left", Op.NE, "good"), facts)
    assert not evaluate(Leaf("aslr_left", Op.GT, 1), facts)  # text never compares


def test_combinators_and_supporting_keys() -> None:
    cond = AllOf((Leaf("a"), AnyOf((Leaf("b"), Leaf("c"))), Not(Leaf("d"))))
    facts = {"a": True, "c": True}
    assert evaluate(cond, facts)
    assert supporting_keys(cond, facts) == ["a", "c"]
    assert not evaluate(cond, {**facts, "d": True})
    assert condition_keys(cond) == {"a", "b", "c", "d"}
    two = AtLeast(2, (Leaf("a"), Leaf("b"), Leaf("c")))
    assert evaluate(two, {"a": True, "c": True})
    assert not evaluate(two, {"a": True})
    assert supporting_keys(two, {"a": True, "c": True}) == ["a", "c"]
    assert supporting_keys(two, {"a": True}) == []
