"""Practice calls: playing a scenario and scoring the call. Pure: no database, no HTTP.

A scenario (loaded and validated by `puente.training.scenarios`, schema documented there)
is a graph of nodes, walked from its start to an end:

- **say**: someone on the line speaks (the caller, an interpreter, the supervisor) and the
  trainee picks one of the choices. A choice carries what it does (tags: `asked:…` for a
  question asked, `step:…` for a step taken), how good it is (a verdict: good, acceptable,
  poor), why (feedback in both languages), and where the call goes next: a caller who is
  pressed too early hangs up, one whose safety was checked says more.
- **record**: the trainee records in the real intake, screening, case and referral screens
  (which, during a practice call, write to the sandbox). What they recorded comes back as
  `Recorded`, and the node's branches are tried in order against it: the call goes on
  differently when the level was recorded high, or no one was called for a caller in
  danger.
- **end**: the caller's closing words, or the line going dead.

The graph has no cycle (the loader refuses one), so every call ends within as many turns
as the scenario has nodes, whatever the trainee chooses and records.

`score` holds the call against the scenario's expectations: each criterion (the level of
indicators, the questions that had to be asked, the emergency steps, the fit of the
referral…) earns its weight, or part of it, with feedback; and each turn is reviewed with
its own feedback. Every text of the result is written in both languages, so a stored
result reads the same later in either. Codes are never shown: levels, services, agencies
and indicators are named by their translated labels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from puente.core.choices import (
    IndicatorLevel,
    LegalFrame,
    ReasonForContact,
    SignalerType,
    label_for,
)
from puente.directory.choices import Service
from puente.referrals.choices import AgencyType
from puente.screening import indicators as ind

LANGUAGES = ("en", "es")

SAY, RECORD, END = "say", "record", "end"
KINDS = (SAY, RECORD, END)
# Which real screen a record node sends the trainee to first.
SCREENS = ("intake", "screening", "case", "referral")

GOOD, ACCEPTABLE, POOR = "good", "acceptable", "poor"
VERDICTS = (GOOD, ACCEPTABLE, POOR)
# What a choice costs of the conduct criterion: a poor choice half of it, an acceptable
# one a tenth. Two poor choices leave nothing of it; the other criteria still count.
POOR_COST = 0.5
ACCEPTABLE_COST = 0.1


class PracticeError(ValueError):
    pass


class UnknownNode(PracticeError):
    pass


class InvalidChoice(PracticeError):
    pass


class WrongKind(PracticeError):
    """`choose` on a node that is not a "say", `proceed` on one that is not a "record"."""


class Speaker(models.TextChoices):
    CALLER = "caller", pgettext_lazy("practice call", "Caller")
    INTERPRETER = "interpreter", pgettext_lazy("practice call", "Interpreter")
    SUPERVISOR = "supervisor", pgettext_lazy("practice call", "Your supervisor")
    DISPATCHER = "dispatcher", pgettext_lazy("practice call", "911 dispatcher")
    OFFICER = "officer", pgettext_lazy("practice call", "Officer")


class Verdict(models.TextChoices):
    GOOD = GOOD, pgettext_lazy("practice choice", "Good")
    ACCEPTABLE = ACCEPTABLE, pgettext_lazy("practice choice", "Acceptable")
    POOR = POOR, pgettext_lazy("practice choice", "Poor")


class Tag(models.TextChoices):
    """What a choice does. `asked:` tags are the questions a scenario can require;
    `step:` tags the safety, emergency and consent steps. The labels complete "Questions
    you did not ask: …" and "Steps you missed: …", so they start in lower case."""

    # Questions
    ASKED_SAFE_NOW = "asked:safe_now", _("whether the person is safe and can talk right now")
    ASKED_LOCATION = "asked:location", _("where the person is now (address, business, city)")
    ASKED_INJURIES = "asked:injuries", _("whether anyone is hurt or needs medical care")
    ASKED_AGE = "asked:age", _("the age of the person at risk")
    ASKED_OTHERS = (
        "asked:others_at_risk",
        _("whether others (children, coworkers) are in the same situation"),
    )
    ASKED_CAN_LEAVE = "asked:can_leave", _("whether the person can leave or come and go freely")
    ASKED_DOCUMENTS = "asked:documents", _("who holds the person's identity documents")
    ASKED_DEBT = "asked:debt", _("whether the person owes a debt, and to whom")
    ASKED_PAY = "asked:pay", _("whether and how the person is paid")
    ASKED_THREATS = "asked:threats", _("whether anyone has threatened the person or their family")
    ASKED_RECRUITMENT = (
        "asked:recruitment",
        _("how the person was recruited and what they were promised"),
    )
    ASKED_COMMERCIAL_SEX = (
        "asked:commercial_sex",
        _("whether the person is made to have sex for money (plainly, without details)"),
    )
    ASKED_WORK_CONDITIONS = "asked:work_conditions", _("the hours, days off and living conditions")
    ASKED_NEEDS = "asked:needs", _("what the person needs and wants")
    ASKED_SAFE_CONTACT = "asked:safe_contact", _("a safe way and time to reach the person again")
    ASKED_HOW_KNOWN = "asked:how_known", _("how the caller knows what they are reporting")
    ASKED_IDENTIFIERS = (
        "asked:identifiers",
        _("names, numbers, ads, addresses or businesses involved"),
    )
    ASKED_HAPPENING_NOW = "asked:happening_now", _("whether it is happening now")
    ASKED_VERIFICATION = (
        "asked:verification",
        _("the officer's name, agency, badge number and a callback number"),
    )
    ASKED_LANGUAGE = (
        "asked:language",
        _("the language, and its variant, the person speaks best"),
    )
    ASKED_REQUEST = "asked:request", _("what exactly the caller is asking for")
    ASKED_SOMEONE_KNOWN = (
        "asked:someone_known",
        _("whether the question is about someone the caller knows"),
    )
    # Steps
    STEP_OFFER_911 = "step:offer_911", _("offer 911: call for the person or help them call")
    STEP_CALL_911 = "step:call_911", _("call emergency services (911)")
    STEP_STAY_ON_LINE = "step:stay_on_line", _("stay on the line until help arrives")
    STEP_CODE_WORD = "step:code_word", _("agree on a code word or a safe time")
    STEP_SAFETY_PLAN = "step:safety_plan", _("make a safety plan with the person")
    STEP_SUPERVISOR = "step:supervisor", _("bring in your supervisor")
    STEP_CONFIDENTIALITY = (
        "step:explain_confidentiality",
        _("explain confidentiality and its two exceptions"),
    )
    STEP_REPORTING_DUTY = (
        "step:explain_reporting_duty",
        _("say honestly, before asking for names, that a minor's situation must be reported"),
    )
    STEP_CONSENT_REFERRAL = "step:consent_referral", _("ask for consent before referring")
    STEP_CONSENT_REPORT = (
        "step:consent_report",
        _("ask for consent before reporting to the authorities"),
    )
    STEP_CONSENT_CROSS_BORDER = (
        "step:consent_cross_border",
        _("ask for consent before sending the case to the partner hotline"),
    )
    STEP_OPTIONS = "step:explain_options", _("explain the options and let the person decide")
    STEP_LIMITS = "step:explain_limits", _("explain what the hotline can and cannot do")
    STEP_INTERPRETER = "step:interpreter", _("connect the contracted interpretation service")
    STEP_BRIEF_INTERPRETER = (
        "step:brief_interpreter",
        _(
            "brief the interpreter: confidential, everything in the first person, no "
            "summaries, say at once if they know anyone"
        ),
    )
    STEP_VICTIM_CENTRED = (
        "step:victim_centred",
        _(
            "recommend a victim-centered approach: professional interpreters, no interviews "
            "in front of suspects, services first"
        ),
    )
    STEP_VERIFY_CALLBACK = (
        "step:verify_callback",
        _("verify the officer through the agency's main number before sharing anything"),
    )
    STEP_NO_RESCUE = "step:no_rescue", _("advise against any attempt to rescue the person")
    STEP_IMMIGRATION_OPTIONS = (
        "step:immigration_options",
        _("say that protections exist whatever the person's immigration status"),
    )
    STEP_CONTINUED_PRESENCE = (
        "step:continued_presence",
        _("tell the officer that federal law enforcement can request Continued Presence"),
    )
    STEP_OUTREACH_REQUEST = (
        "step:outreach_request",
        _("take the details of the training request for the outreach team"),
    )
    STEP_LEAVE_DOOR_OPEN = (
        "step:leave_door_open",
        _("tell a silent caller how to reach the hotline again"),
    )
    STEP_FOLLOW_UP = "step:follow_up", _("agree on a follow-up")


QUESTION_PREFIX, STEP_PREFIX = "asked:", "step:"

# The criteria a scenario can expect, in the order a result lists them, with the weight
# each carries unless the scenario sets its own. "conduct" (the choices made during the
# call) is always scored when the scenario has choices.
CRITERIA: dict[str, tuple[Promise, int]] = {
    "reason": (_("Reason for contact"), 5),
    "signaler_type": (_("Who contacted the hotline"), 5),
    "screened": (_("Screening"), 5),
    "legal_frame": (_("Legal frame"), 5),
    "level": (_("Level of indicators"), 20),
    "indicators": (_("Indicators recorded"), 10),
    "required_questions": (_("Required questions"), 20),
    "emergency_steps": (_("Safety and required steps"), 20),
    "referral_fit": (_("Referral"), 15),
    "cross_border": (_("Referral across the border"), 10),
    "case_opened": (_("Case"), 5),
    "interpreter": (_("Interpreter"), 10),
    "conduct": (_("How you handled the call"), 20),
}


@dataclass(frozen=True)
class Recorded:
    """What the trainee recorded in the sandbox during the call (the lead fills it from
    the sandbox database)."""

    contact_recorded: bool = False
    reason: str = ""  # puente.core.choices.ReasonForContact code
    signaler_type: str = ""  # puente.core.choices.SignalerType code
    imminent_danger: bool = False
    screened: bool = False
    # IndicatorLevel code: the latest screening's level (override or computed), else the
    # contact's level_of_indicators.
    level: str = ""
    legal_frame: str = ""  # core.choices.LegalFrame code ("us_tvpa"/"mx_lgt")
    indicators: frozenset[str] = frozenset()  # puente/screening/indicators.py codes
    case_opened: bool = False
    referral_services: frozenset[str] = frozenset()  # puente.directory.choices.Service codes
    cross_border_referral: bool = False  # referred to the partner hotline across the border
    authority_reports: frozenset[str] = frozenset()  # puente.referrals.choices.AgencyType codes
    interpreter_used: bool = False

    def __post_init__(self) -> None:
        # The sets may be given as any iterable (a list from a query): held as frozensets.
        for name in ("indicators", "referral_services", "authority_reports"):
            object.__setattr__(self, name, frozenset(getattr(self, name) or ()))


# What each kind of code a scenario names must be one of.
CODE_LISTS: dict[str, Callable[[], Iterable[str]]] = {
    "level": lambda: IndicatorLevel.values,
    "reason": lambda: ReasonForContact.values,
    "signaler_type": lambda: SignalerType.values,
    "legal_frame": lambda: LegalFrame.values,
    "service": lambda: Service.values,
    "agency": lambda: AgencyType.values,
    "indicator": lambda: ind.BY_CODE.keys(),
    "tag": lambda: Tag.values,
}


def known_codes(kind: str) -> frozenset[str]:
    return frozenset(CODE_LISTS[kind]())


def _rank(level: str) -> int:
    return IndicatorLevel.rank(level) if level in IndicatorLevel.values else -1


@dataclass(frozen=True)
class Condition:
    """One test a record node's branch can make of what was recorded. `argument` is
    "bool" or a kind of CODE_LISTS; `many`: a list of codes, any of which will do."""

    argument: str
    test: Callable[[Recorded, Any], bool]
    many: bool = False


# The declarative vocabulary of branch conditions: {"level_at_least": "moderate"},
# {"imminent_danger": true}, {"service_in": ["shelter_emergency_housing"]}…
CONDITIONS: dict[str, Condition] = {
    "contact_recorded": Condition("bool", lambda r, v: bool(r.contact_recorded) == v),
    "screened": Condition("bool", lambda r, v: bool(r.screened) == v),
    "imminent_danger": Condition("bool", lambda r, v: bool(r.imminent_danger) == v),
    "case_opened": Condition("bool", lambda r, v: bool(r.case_opened) == v),
    "cross_border_referral": Condition("bool", lambda r, v: bool(r.cross_border_referral) == v),
    "interpreter_used": Condition("bool", lambda r, v: bool(r.interpreter_used) == v),
    "referral_made": Condition("bool", lambda r, v: bool(r.referral_services) == v),
    "reported": Condition("bool", lambda r, v: bool(r.authority_reports) == v),
    "level_at_least": Condition("level", lambda r, v: _rank(r.level) >= _rank(v)),
    "level_below": Condition("level", lambda r, v: _rank(r.level) < _rank(v)),
    "level_in": Condition("level", lambda r, v: r.level in v, many=True),
    "reason": Condition("reason", lambda r, v: r.reason in v, many=True),
    "signaler_type": Condition("signaler_type", lambda r, v: r.signaler_type in v, many=True),
    "legal_frame": Condition("legal_frame", lambda r, v: r.legal_frame == v),
    "service_in": Condition("service", lambda r, v: bool(r.referral_services & v), many=True),
    "authority_in": Condition("agency", lambda r, v: bool(r.authority_reports & v), many=True),
    "indicator_in": Condition("indicator", lambda r, v: bool(r.indicators & v), many=True),
}


# -- The scenario, as the loader builds it ------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: str
    text: dict[str, str]
    next: str
    verdict: str
    feedback: dict[str, str]
    tags: frozenset[str] = frozenset()
    # A mistake that fails the call whatever the score (promising a minor to keep a
    # secret, sending a family to rescue someone): only a poor choice can be one.
    critical: bool = False


@dataclass(frozen=True)
class Branch:
    """Taken when every condition holds. Arguments of a `many` condition are frozensets."""

    when: tuple[tuple[str, Any], ...]
    next: str

    def holds(self, recorded: Recorded) -> bool:
        return all(CONDITIONS[name].test(recorded, arg) for name, arg in self.when)


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    text: dict[str, str]
    note: dict[str, str] | None = None  # what the trainee hears or sees besides the words
    speaker: str = ""
    choices: tuple[Choice, ...] = ()
    screen: str = ""
    branches: tuple[Branch, ...] = ()
    next: str = ""  # a record node's default
    hung_up: bool = False  # an end where the caller hung up or the line went dead

    def successors(self) -> list[str]:
        if self.kind == SAY:
            return [choice.next for choice in self.choices]
        if self.kind == RECORD:
            return [branch.next for branch in self.branches] + [self.next]
        return []


@dataclass(frozen=True)
class EmergencySteps:
    tags: tuple[str, ...] = ()
    imminent_danger: bool = False
    # Each entry is one report that must be made, to an agency of any of these types.
    authority_reports: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ReferralFit:
    services: tuple[str, ...] = ()  # a referral to any of these fits
    avoid: tuple[str, ...] = ()  # a referral to one of these costs half the points
    none: bool = False  # no referral is needed, and making one misses the point


@dataclass(frozen=True)
class Expectations:
    reason: tuple[str, ...] = ()
    signaler_type: tuple[str, ...] = ()
    screened: bool | None = None
    legal_frame: str = ""
    level: tuple[str, ...] = ()  # acceptable levels; the first is the one named
    indicators: tuple[str, ...] = ()
    required_questions: tuple[str, ...] = ()
    emergency_steps: EmergencySteps | None = None
    referral_fit: ReferralFit | None = None
    cross_border: bool | None = None
    case_opened: bool | None = None
    interpreter: bool | None = None
    weights: dict[str, int] = field(default_factory=dict)  # every criterion scored

    def criteria(self) -> list[str]:
        """The criteria this scenario scores, in CRITERIA order."""
        return [code for code in CRITERIA if code in self.weights]


@dataclass(frozen=True)
class Ideal:
    """A way through the call that passes: the choice at each say node it meets and
    the facts recorded. Proves the scenario can be passed; a trainer can show it."""

    choices: dict[str, str]
    recorded: Recorded


def language_of(language: str) -> str:
    code = (language or "").lower()[:2]
    return code if code in LANGUAGES else "en"


@dataclass(frozen=True)
class Scenario:
    slug: str
    version: str
    order: int
    titles: dict[str, str]
    summaries: dict[str, str]
    topics: tuple[str, ...]
    difficulty: str
    pass_mark: int
    caller: dict[str, str]
    start: str
    nodes: dict[str, Node]
    expectations: Expectations
    ideal: Ideal

    def title(self, language: str) -> str:
        return self.titles[language_of(language)]

    def summary(self, language: str) -> str:
        return self.summaries[language_of(language)]

    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise UnknownNode(f"{self.slug}: no node {node_id!r}") from None


# -- Playing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """What happens at one node, in one language. `choices` are (choice id, text)."""

    node: str
    kind: str
    text: str
    speaker: str = ""
    speaker_label: str = ""
    note: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    screen: str = ""
    hung_up: bool = False


def turn(scenario: Scenario, node_id: str, language: str) -> Turn:
    node = scenario.node(node_id)
    lang = language_of(language)
    speaker_label = ""
    if node.speaker:
        with translation.override(lang):
            speaker_label = label_for(Speaker, node.speaker)
    return Turn(
        node=node.id,
        kind=node.kind,
        text=node.text[lang],
        speaker=node.speaker,
        speaker_label=speaker_label,
        note=node.note[lang] if node.note else "",
        choices=tuple((choice.id, choice.text[lang]) for choice in node.choices),
        screen=node.screen,
        hung_up=node.hung_up,
    )


def choose(scenario: Scenario, node_id: str, choice_id: str) -> str:
    """The node the call goes to when the trainee makes this choice here."""
    node = scenario.node(node_id)
    if node.kind != SAY:
        raise WrongKind(f"{scenario.slug}: {node_id!r} offers no choices")
    for choice in node.choices:
        if choice.id == choice_id:
            return choice.next
    raise InvalidChoice(f"{scenario.slug}: {choice_id!r} is not offered at {node_id!r}")


def proceed(scenario: Scenario, node_id: str, recorded: Recorded) -> str:
    """The node after a record node: the first branch whose conditions all hold, else
    the node's default."""
    node = scenario.node(node_id)
    if node.kind != RECORD:
        raise WrongKind(f"{scenario.slug}: {node_id!r} is not a record node")
    for branch in node.branches:
        if branch.holds(recorded):
            return branch.next
    return node.next


def walk(
    scenario: Scenario, choices: Mapping[str, str], recorded: Recorded
) -> tuple[list[dict[str, str]], str]:
    """The path through the call given a choice per say node and the facts recorded, and
    the end it reaches. A say node without a choice raises InvalidChoice."""
    path: list[dict[str, str]] = []
    node_id = scenario.start
    for _step in range(len(scenario.nodes) + 1):
        node = scenario.node(node_id)
        if node.kind == END:
            return path, node_id
        if node.kind == SAY:
            choice_id = choices.get(node_id, "")
            next_id = choose(scenario, node_id, choice_id)
            path.append({"node": node_id, "choice": choice_id})
            node_id = next_id
        else:
            node_id = proceed(scenario, node_id, recorded)
    raise PracticeError(f"{scenario.slug}: the walk does not end")  # the loader forbids cycles


def ideal_path(scenario: Scenario) -> list[dict[str, str]]:
    return walk(scenario, scenario.ideal.choices, scenario.ideal.recorded)[0]


# -- Scoring ------------------------------------------------------------------------------

# A criterion's fraction of its weight (0..1), whether it is met, and its feedback,
# rendered in whichever language is active when it is called.
Judgement = tuple[float, bool, Callable[[], str]]


def _list(labels: Iterable[str]) -> str:
    return "; ".join(labels)


def _alternatives(labels: list[str]) -> str:
    """“A”, “B” or “C”: labels such as "Shelter / emergency housing" or "Local or
    municipal police" hold commas, slashes and "or" of their own, hence the quotes."""
    if len(labels) <= 1:
        return "".join(labels)
    quoted = [pgettext("quoted label", "“%(label)s”") % {"label": label} for label in labels]
    return f"{', '.join(quoted[:-1])} {gettext('or')} {quoted[-1]}"


def _labels(choices: type[models.TextChoices], codes: Iterable[str]) -> list[str]:
    return [label_for(choices, code) for code in codes]


def _indicator_label(code: str) -> str:
    indicator = ind.BY_CODE.get(code)
    return str(indicator.label) if indicator else code


def _tag_label(code: str) -> str:
    return label_for(Tag, code)


def _one_of(
    choices: type[models.TextChoices], recorded: str, expected: tuple[str, ...], what: str
) -> Judgement:
    def render() -> str:
        wanted = _alternatives(_labels(choices, expected))
        if not recorded:
            return str(MISSING[what]) % {"expected": wanted}
        values = {"recorded": label_for(choices, recorded), "expected": wanted}
        return str(RIGHT[what] if recorded in expected else WRONG[what]) % values

    met = recorded in expected
    return (1.0 if met else 0.0), met, render


# The messages of the "one of these codes" criteria, translated when rendered.
MISSING = {
    "reason": _("You did not record a reason for contact; this call is %(expected)s."),
    "signaler_type": _("You did not record who contacted the hotline: %(expected)s."),
    "legal_frame": _("You did not record a legal frame; this call is screened under %(expected)s."),
}
RIGHT = {
    "reason": _("You recorded the reason for contact as %(recorded)s, as expected."),
    "signaler_type": _("You recorded who contacted the hotline as %(recorded)s, as expected."),
    "legal_frame": _("You screened under %(recorded)s, as expected."),
}
WRONG = {
    "reason": _("You recorded the reason for contact as %(recorded)s; this call is %(expected)s."),
    "signaler_type": _(
        "You recorded who contacted the hotline as %(recorded)s; it was %(expected)s."
    ),
    "legal_frame": _("You screened under %(recorded)s; this call is screened under %(expected)s."),
}


def _level(recorded: Recorded, expected: tuple[str, ...]) -> Judgement:
    wanted = _rank(expected[0])
    distance = min(abs(_rank(recorded.level) - _rank(level)) for level in expected)
    if not recorded.level:
        fraction = 0.0
    elif recorded.level in expected:
        fraction = 1.0
    else:
        fraction = 0.5 if distance == 1 else 0.0

    def render() -> str:
        names = {
            "recorded": label_for(IndicatorLevel, recorded.level),
            "expected": _alternatives(_labels(IndicatorLevel, expected)),
        }
        if not recorded.level:
            return (
                gettext(
                    "You did not record a level of indicators; the scenario expects %(expected)s."
                )
                % names
            )
        if fraction == 1.0:
            return (
                gettext(
                    "You recorded the level of indicators as %(recorded)s, as the scenario expects."
                )
                % names
            )
        if fraction:
            return (
                gettext(
                    "You recorded the level of indicators as %(recorded)s; the scenario expects "
                    "%(expected)s. One step away: half the points."
                )
                % names
            )
        direction = (
            gettext("The caller described more than you recorded: look again at the indicators.")
            if _rank(recorded.level) < wanted
            else gettext("You recorded more than the caller described: record only what you heard.")
        )
        return (
            gettext(
                "You recorded the level of indicators as %(recorded)s; the scenario expects %(expected)s."
            )
            % names
            + " "
            + direction
        )

    return fraction, fraction == 1.0, render


def _flag(done: bool, expected: bool, right: Promise, wrong: Promise) -> Judgement:
    met = done == expected
    return (1.0 if met else 0.0), met, lambda: str(right if met else wrong)


# The yes-or-no criteria: the recorded fact each reads, and its feedback (met, missed)
# when the scenario expects it, then when it expects it not to happen. Without the
# second, only "true" can be expected (the loader refuses "false").
FLAGS: dict[str, tuple[str, tuple[Promise, Promise], tuple[Promise, Promise] | None]] = {
    "screened": (
        "screened",
        (
            _("You screened the person for indicators."),
            _("You did not screen the person for indicators."),
        ),
        None,
    ),
    "cross_border": (
        "cross_border_referral",
        (
            _("You referred the case to the partner hotline across the border."),
            _("The case needed a referral to the partner hotline across the border, with consent."),
        ),
        (
            _("No referral across the border was needed, and you made none."),
            _("This case did not need a referral across the border."),
        ),
    ),
    "case_opened": (
        "case_opened",
        (_("You opened a case."), _("This call needed a case: you did not open one.")),
        (
            _("No case was needed, and you opened none."),
            _("This call did not need a case; you opened one."),
        ),
    ),
    "interpreter": (
        "interpreter_used",
        (
            _("You recorded that an interpreter was used."),
            _("The caller needed an interpreter; you did not record one."),
        ),
        None,
    ),
}


def _indicators(recorded: Recorded, expected: tuple[str, ...]) -> Judgement:
    missing = [code for code in expected if code not in recorded.indicators]
    fraction = 1 - len(missing) / len(expected)

    def render() -> str:
        if not missing:
            return gettext("You recorded the indicators the caller described.")
        return gettext("Indicators the caller described that you did not record: %(missing)s.") % {
            "missing": _list(_indicator_label(code) for code in missing)
        }

    return fraction, not missing, render


def _questions(asked: set[str], expected: tuple[str, ...]) -> Judgement:
    missing = [tag for tag in expected if tag not in asked]
    fraction = 1 - len(missing) / len(expected)

    def render() -> str:
        if not missing:
            return gettext("You asked every question this call needs.")
        return gettext("Questions you did not ask: %(missing)s.") % {
            "missing": _list(_tag_label(tag) for tag in missing)
        }

    return fraction, not missing, render


def _report_to(agencies: tuple[str, ...]) -> str:
    return gettext("a report to %(agencies)s") % {
        "agencies": _alternatives(_labels(AgencyType, agencies))
    }


def _mark_imminent_danger() -> str:
    return gettext("mark the contact as imminent danger")


def _emergency(tags: set[str], recorded: Recorded, expected: EmergencySteps) -> Judgement:
    # Each item: whether it was done, and its name (rendered in the active language).
    items: list[tuple[bool, Callable[[], str]]] = [
        (tag in tags, partial(_tag_label, tag)) for tag in expected.tags
    ]
    if expected.imminent_danger:
        items.append((recorded.imminent_danger, _mark_imminent_danger))
    for agencies in expected.authority_reports:
        made = bool(recorded.authority_reports & set(agencies))
        items.append((made, partial(_report_to, agencies)))
    missed = [name for done, name in items if not done]
    fraction = 1 - len(missed) / len(items) if items else 1.0

    def render() -> str:
        if not missed:
            return gettext("You took every step this call needs.")
        return gettext("Steps you missed: %(missing)s.") % {"missing": _list(n() for n in missed)}

    return fraction, not missed, render


def _referral(recorded: Recorded, expected: ReferralFit) -> Judgement:
    made = sorted(recorded.referral_services)

    def names(codes: Iterable[str]) -> str:
        return _alternatives(_labels(Service, codes))

    if expected.none:
        met = not made
        return (
            (1.0 if met else 0.0),
            met,
            lambda: (
                gettext("No referral was needed, and you made none.")
                if met
                else gettext("No referral was needed here; you referred to %(recorded)s.")
                % {"recorded": names(made)}
            ),
        )
    fitting = [code for code in made if code in expected.services]
    avoided = [code for code in made if code in expected.avoid]
    fraction = (1.0 if fitting else 0.0) * (0.5 if avoided else 1.0)

    def render() -> str:
        wanted = names(expected.services)
        if not made:
            text = gettext("You made no referral; this caller needed %(expected)s.") % {
                "expected": wanted
            }
        elif fitting:
            text = gettext("You referred to %(recorded)s: a good fit.") % {
                "recorded": names(fitting)
            }
        else:
            text = gettext("You referred to %(recorded)s; this caller needed %(expected)s.") % {
                "recorded": names(made),
                "expected": wanted,
            }
        if avoided:
            text += " " + gettext(
                "You also referred to %(avoided)s, which this caller did not want or need: "
                "half the points."
            ) % {"avoided": names(avoided)}
        return text

    return fraction, fraction == 1.0, render


def _conduct(steps: list[dict[str, Any]]) -> Judgement:
    counts = {verdict: sum(1 for s in steps if s["verdict"] == verdict) for verdict in VERDICTS}
    fraction = max(0.0, 1 - POOR_COST * counts[POOR] - ACCEPTABLE_COST * counts[ACCEPTABLE])

    def render() -> str:
        return (
            gettext("Good choices: %(good)s; acceptable: %(acceptable)s; poor: %(poor)s.") % counts
        )

    return fraction, counts[POOR] == 0, render


def _in_both(render: Callable[[], str]) -> dict[str, str]:
    texts = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            texts[lang] = render()
    return texts


def _steps(scenario: Scenario, path: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The choices made, each with its verdict and feedback. Entries at record nodes (or
    naming a node or choice the scenario no longer has, if it changed during the call)
    are left out."""
    steps = []
    for entry in path:
        node = scenario.nodes.get(str(entry.get("node", "")))
        if node is None or node.kind != SAY:
            continue
        choice = next((c for c in node.choices if c.id == entry.get("choice")), None)
        if choice is None:
            continue
        steps.append(
            {
                "node": node.id,
                "choice": choice.id,
                "said": dict(choice.text),
                "verdict": choice.verdict,
                "feedback": dict(choice.feedback),
                "critical": choice.critical,
                "tags": sorted(choice.tags),
            }
        )
    return steps


def _judge(
    code: str, expected: Expectations, recorded: Recorded, steps: list[dict[str, Any]]
) -> Judgement:
    tags: set[str] = {tag for step in steps for tag in step["tags"]}
    if code in FLAGS:
        field_name, if_expected, if_not_expected = FLAGS[code]
        wanted = bool(getattr(expected, code))
        right, wrong = if_expected if wanted else (if_not_expected or if_expected)
        return _flag(bool(getattr(recorded, field_name)), wanted, right, wrong)
    if code == "reason":
        return _one_of(ReasonForContact, recorded.reason, expected.reason, code)
    if code == "signaler_type":
        return _one_of(SignalerType, recorded.signaler_type, expected.signaler_type, code)
    if code == "legal_frame":
        return _one_of(LegalFrame, recorded.legal_frame, (expected.legal_frame,), code)
    if code == "level":
        return _level(recorded, expected.level)
    if code == "indicators":
        return _indicators(recorded, expected.indicators)
    if code == "required_questions":
        return _questions(tags, expected.required_questions)
    if code == "emergency_steps" and expected.emergency_steps:
        return _emergency(tags, recorded, expected.emergency_steps)
    if code == "referral_fit" and expected.referral_fit:
        return _referral(recorded, expected.referral_fit)
    return _conduct(steps)


def score(scenario: Scenario, path: list[dict[str, Any]], recorded: Recorded) -> dict[str, Any]:
    """The call held against the scenario's expectations. JSON-serialisable:

    {"scenario", "version", "score" (0..100), "passed", "pass_mark", "critical_error",
     "summary": {en, es},
     "criteria": [{"code", "label": {en, es}, "met", "points", "weight", "feedback": {en, es}}],
     "steps": [{"node", "choice", "said": {en, es}, "verdict", "feedback": {en, es},
                "critical", "tags"}]}
    """
    expected = scenario.expectations
    steps = _steps(scenario, path)
    judged = {code: _judge(code, expected, recorded, steps) for code in expected.criteria()}
    criteria = []
    earned = total = 0.0
    for code, (fraction, met, render) in judged.items():
        weight = expected.weights[code]
        fraction = min(1.0, max(0.0, fraction))
        earned += weight * fraction
        total += weight
        criteria.append(
            {
                "code": code,
                "label": _in_both(partial(str, CRITERIA[code][0])),
                "met": met,
                "points": round(weight * fraction, 1),
                "weight": weight,
                "feedback": _in_both(render),
            }
        )
    points = int(100 * earned / total + 0.5) if total else 100
    critical = any(step["critical"] for step in steps)
    passed = points >= scenario.pass_mark and not critical

    def summary() -> str:
        text = gettext("Score %(score)s of 100; the pass mark is %(pass_mark)s.") % {
            "score": points,
            "pass_mark": scenario.pass_mark,
        }
        if critical:
            text += " " + gettext(
                "A critical mistake fails the call whatever the score: see the steps."
            )
        return text

    return {
        "scenario": scenario.slug,
        "version": scenario.version,
        "score": points,
        "passed": passed,
        "pass_mark": scenario.pass_mark,
        "critical_error": critical,
        "summary": _in_both(summary),
        "criteria": criteria,
        "steps": steps,
    }


def verdict_label(code: str) -> str:
    return label_for(Verdict, code)


def speaker_label(code: str) -> str:
    return label_for(Speaker, code)


def tag_label(code: str) -> str:
    return _tag_label(code)
