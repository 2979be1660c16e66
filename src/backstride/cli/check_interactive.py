"""The interactive back check: Rich prompts, section by section, red flags first.

:class:`Interview` asks the questions of the knowledge files in their sections
(red flags, pattern, function, contributors, then the optional self-tests) and
screens the answers after **every** answer
(:func:`~backstride.domain.check.screen`):

* ``emergency``: the interview stops at once; nothing more is asked;
* ``same_day``: the current section is finished, then it stops (no pattern, function,
  training or self-test questions after the red flags);
* ``soon`` or above: the self-tests are not offered (their safety note says to do them
  only when the check did not send you to a doctor).

Answering: ``y``/``n`` for yes/no, a number in range, one of the listed choices;
``?`` shows what a question means. Yes/no warning-sign questions need an answer;
every other question can be skipped with Enter (counted as "no" or unknown), and
``skip`` skips the rest of a section (not the red flags). Input ends (Ctrl-D,
closed stdin) or Ctrl-C raise :class:`InterviewAborted` with what was answered so
far, so that the caller can still show any warning already reached.

Input is read with ``Console.input``, i.e. Python's ``input()``: a real terminal
(with line editing) and a pipe (tests feed text through Typer's CliRunner) both work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from backstride.domain.answers import (
    Answers,
    FactValue,
    QType,
    Question,
    Section,
    parse_answers,
)
from backstride.domain.check import Knowledge, screen
from backstride.domain.evidence import SOURCES
from backstride.domain.patterns import match_patterns, match_sensitivities
from backstride.domain.selftests import SelfTest
from backstride.domain.triage import TriageLevel, TriageResult
from backstride.errors import AnswersError

__all__ = ["PSFS_ITEMS", "Interview", "InterviewAborted", "InterviewOutcome"]

#: Most PSFS activities asked for interactively (the answers file accepts the question's
#: own maximum). Three is the common form (Stratford et al. 1995, ``stratford1995``).
PSFS_ITEMS: Final = 3

_YES: Final = frozenset({"y", "yes"})
_NO: Final = frozenset({"n", "no"})
_SKIP_SECTION: Final = "skip"

_TITLES: Final = {
    Section.RED_FLAGS: "1. Warning signs (asked first)",
    Section.PATTERN: "2. Your pain",
    Section.FUNCTION: "3. Pain scores and activities",
    Section.CONTRIBUTORS: "4. Training and daily life",
    Section.SELF_TESTS: "5. Self-tests (optional)",
}


class InterviewAborted(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Input ended or was interrupted; ``raw`` holds the answers given so far."""

    def __init__(self, raw: dict[str, object]) -> None:
        super().__init__("the check was stopped before the end")
        self.raw = raw


class _SkipSection(Exception):  # noqa: N818 - control flow
    """The runner typed ``skip``."""


@dataclass(slots=True)
class InterviewOutcome:
    """What the interview collected.

    Attributes
    ----------
    raw
        Answers as an answers-file mapping (only answered keys).
    stopped
        The triage level that stopped the interview early (``emergency`` or
        ``same_day``), else None.
    stopped_after
        The last question asked before stopping (its key), when it stopped early.
    """

    raw: dict[str, object] = field(default_factory=dict)
    stopped: TriageLevel | None = None
    stopped_after: str | None = None


class Interview:
    """Ask the check's questions on ``console``.

    Parameters
    ----------
    console
        Where prompts are printed (stderr when ``--json`` keeps stdout for the result).
    knowledge
        The loaded knowledge.
    """

    def __init__(self, console: Console, knowledge: Knowledge) -> None:
        self._console = console
        self._kb = knowledge
        self._raw: dict[str, object] = {}

    # -- the flow -----------------------------------------------------------------------

    def run(self) -> InterviewOutcome:
        """Ask everything; stop early on an urgent answer.

        Raises
        ------
        InterviewAborted
            When input ends or Ctrl-C is pressed.
        """
        try:
            return self._run()
        except (EOFError, KeyboardInterrupt):
            self._console.print()
            raise InterviewAborted(dict(self._raw)) from None

    def _run(self) -> InterviewOutcome:
        c = self._console
        c.print(Text("backstride back check", style="bold"))
        c.print("Decision support, not a diagnosis. Warning-sign questions come first. "
                "Answer y or n, or a number; ? explains a question; press Enter to skip a "
                "question (not a warning sign); 'skip' skips the rest of a section.",
                markup=False)
        for section in (Section.RED_FLAGS, Section.PATTERN, Section.FUNCTION,
                        Section.CONTRIBUTORS):
            stop = self._section(section)
            if stop is not None:
                return stop
        if self._screen().level.rank >= TriageLevel.SOON.rank:
            c.print(Text("Self-tests are left out: see a doctor first (advice below).",
                         style="yellow"))
        else:
            self._self_tests()
        return InterviewOutcome(dict(self._raw))

    def _section(self, section: Section) -> InterviewOutcome | None:
        self._console.print(Rule(_TITLES[section], align="left"))
        last: str | None = None
        try:
            for q in self._kb.questions.in_section(section):
                self._ask_into(q, required=section is Section.RED_FLAGS
                               and q.qtype is QType.BOOL)
                last = q.key
                if self._screen().level is TriageLevel.EMERGENCY:
                    return InterviewOutcome(dict(self._raw), TriageLevel.EMERGENCY, q.key)
        except _SkipSection:
            pass
        level = self._screen().level
        if level.urgent:
            return InterviewOutcome(dict(self._raw), level, last)
        return None

    def _screen(self) -> TriageResult:
        return screen(self._answers(), self._kb)

    def _answers(self) -> Answers:
        return parse_answers(self._raw, self._kb.questions)

    # -- one question -------------------------------------------------------------------

    def _ask_into(self, q: Question, *, required: bool) -> None:
        if q.qtype is QType.PSFS:
            items = self._psfs(q)
            if items:
                self._raw[q.key] = items
            return
        value = self.ask(q, required=required)
        if value is not None:
            self._raw[q.key] = value

    def ask(self, q: Question, *, required: bool = False) -> FactValue | None:
        """Ask one question until the answer is valid; None when skipped."""
        hint = self._hint(q, required=required)
        while True:
            text = self._input(Text.assemble((q.prompt, "bold"), " ", (hint, "dim"), " "))
            if text == "?":
                self._console.print(Text(f"{q.meaning} Allowed: {q.allowed()}.", style="cyan"))
                continue
            if not text:
                if required:
                    self._console.print(Text("Please answer y or n: this is a warning-sign "
                                             "question.", style="yellow"))
                    continue
                return None
            if text.lower() == _SKIP_SECTION and not required:
                raise _SkipSection
            try:
                return self._parse(q, text)
            except AnswersError as exc:
                self._console.print(Text(str(exc), style="yellow"))

    def _input(self, prompt: Text) -> str:
        return self._console.input(prompt).strip()

    @staticmethod
    def _hint(q: Question, *, required: bool) -> str:
        skip = "" if required else ", Enter to skip"
        if q.qtype is QType.BOOL:
            return f"[y/n{skip}]"
        if q.qtype is QType.CHOICE:
            return f"[{'/'.join(q.choices)}{skip}]"
        lo = "?" if q.minimum is None else f"{q.minimum:g}"
        hi = "?" if q.maximum is None else f"{q.maximum:g}"
        unit = f" {q.unit}" if q.unit else ""
        return f"[{lo}-{hi}{unit}{skip}]"

    def _parse(self, q: Question, text: str) -> FactValue:
        value: object
        lowered = text.lower()
        if q.qtype is QType.BOOL:
            if lowered not in _YES | _NO:
                raise AnswersError("please answer y or n")
            value = lowered in _YES
        elif q.qtype is QType.CHOICE:
            matches = [c for c in q.choices if c.lower() == lowered]
            value = matches[0] if matches else text
        else:
            value = _number(text)
        parsed = parse_answers({q.key: value}, self._kb.questions)
        return parsed.values[q.key]

    def _psfs(self, q: Question) -> list[dict[str, object]]:
        c = self._console
        most = min(PSFS_ITEMS, q.max_items)
        c.print(Text(f"{q.prompt} Up to {most} here; press Enter when done.", style="bold"))
        items: list[dict[str, object]] = []
        while len(items) < most:
            activity = self._input(Text(f"Activity {len(items) + 1} (Enter when done): "))
            if not activity:
                break
            if activity.lower() == _SKIP_SECTION:
                raise _SkipSection
            score = self._psfs_score(q, activity)
            if score is not None:
                items.append({"activity": activity, "score": score})
        return items

    def _psfs_score(self, q: Question, activity: str) -> int | None:
        lo, hi = int(q.minimum or 0), int(q.maximum or 10)
        while True:
            text = self._input(Text(f'How well can you "{activity}" now, {lo} (cannot) to '
                                    f"{hi} (as before)? "))
            if not text:
                return None
            try:
                parsed = parse_answers({q.key: [{"activity": activity, "score": _number(text)}]},
                                       self._kb.questions)
                return parsed.psfs[0].score
            except AnswersError:
                self._console.print(Text(f"Please give a whole number from {lo} to {hi}, "
                                         "and an activity of at most 80 characters.",
                                         style="yellow"))

    # -- self-tests ---------------------------------------------------------------------

    def _yes(self, prompt: str) -> bool:
        while True:
            text = self._input(Text.assemble((prompt, "bold"), " ", ("[y/N]", "dim"), " "))
            if not text or text.lower() in _NO:
                return False
            if text.lower() in _YES:
                return True

    def _self_tests(self) -> None:
        c, tests = self._console, self._kb.self_tests
        c.print(Rule(_TITLES[Section.SELF_TESTS], align="left"))
        c.print(Panel(Text(tests.safety), title="Before you test", border_style="yellow"))
        if not self._yes("Do the self-tests now? You can skip any test."):
            return
        skip_keys = self._sensitive()
        asked_sex = False
        for test in tests.tests:
            blocked = sorted(set(test.skip_when) & skip_keys)
            if blocked:
                labels = ", ".join(self._sensitivity_label(k) for k in blocked)
                c.print(Text(f"Skipping {test.label}: {labels}.", style="yellow"))
                continue
            self._show_test(test)
            if not self._yes("Do this test now?"):
                continue
            if not asked_sex and any(n.answer_key in test.result_keys
                                     for n in tests.norms):
                asked_sex = True
                self._ask_into(self._kb.questions["sex"], required=False)
            for key in test.result_keys:
                self._ask_into(self._kb.questions[key], required=False)

    def _show_test(self, test: SelfTest) -> None:
        steps = Text()
        for i, step in enumerate(test.instructions, 1):
            steps.append(f"{i}. {step}\n")
        source = SOURCES[test.source_key]
        steps.append(f"Source: {source.citation} [{source.grade.value}]", style="dim")
        self._console.print(Panel(steps, title=test.label, title_align="left"))

    def _sensitive(self) -> set[str]:
        facts = self._answers().facts()
        patterns = match_patterns(facts, self._kb.patterns, self._kb.questions)
        found = match_sensitivities(facts, self._kb.patterns, self._kb.questions, patterns)
        return {m.sensitivity.key for m in found}

    def _sensitivity_label(self, key: str) -> str:
        return next((s.label for s in self._kb.patterns.sensitivities if s.key == key), key)


def _number(text: str) -> object:
    """``"12"`` -> 12, ``"0.5"`` -> 0.5; anything else is returned as text (and rejected)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text

