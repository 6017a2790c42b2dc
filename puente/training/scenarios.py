"""The practice-call scenarios: curriculum shipped with the code, one JSON file per scenario
in `scenarios/`, loaded, validated and cached here. The engine that plays and scores them
is `puente.training.practice_engine`.

A scenario is refused at load, with every problem named, when a node points to a node that
does not exist, a node cannot be reached from the start, a node cannot reach an end, the
nodes form a cycle (a call must always end: a caller may repeat themselves, but as a new
node), a text lacks a language, or a code is unknown (checked against the real picklists,
the indicator checklist and the engine's tags and conditions). Its version is a short hash
of its content, so a practice call keeps the meaning its score had.

The schema (every text is {"en": "…", "es": "…"}, both present and not empty; no key
outside those listed is accepted, so a misspelt key is an error, not a silent default):

    slug            the file's name: lower-case letters, digits and hyphens, at most 80
    order           an integer: the curriculum's order (then the slug)
    title, summary  texts
    topics          Topic codes (below), at least one
    difficulty      "introductory" | "intermediate" | "advanced"
    pass_mark       1..100
    caller          phone       E.164 and fictional: US +1 NPA 555-01xx; Mexico +52 with a
                                subscriber number that cannot be assigned (0555…, 055…)
                    country     "US" | "MX", the phone's country
                    language    "en" | "es": the language the call is taken in
                    primary_language  optional, core Language code the caller speaks
                                (an interpreter scenario: "mix")
                    signaler_type     optional, core SignalerType code
                    channel     optional, core Channel code ("phone" when absent)
    start           the first node's id
    nodes           {id: node}; ids are lower-case letters, digits and "_", at most 80
        say         {"kind": "say", "speaker": Speaker code (default "caller"), "text",
                     "note"?: text (what the trainee hears besides the words),
                     "choices": [{"id", "text", "next", "verdict": good|acceptable|poor,
                                  "feedback", "tags"?: [Tag codes], "critical"?: bool}]}
                    "critical" only on a poor choice: it fails the call whatever the score.
        record      {"kind": "record", "screen": intake|screening|case|referral,
                     "text": what to record now, "branches"?: [{"when": {condition:
                     argument, …}, "next"}], "next": the default}
                    Branches are tried in order; a branch is taken when all its
                    conditions hold. Conditions (practice_engine.CONDITIONS):
                    contact_recorded, screened, imminent_danger, case_opened,
                    cross_border_referral, interpreter_used, referral_made, reported:
                    true|false; level_at_least, level_below: a level; level_in: levels;
                    reason, signaler_type: a code or a list; legal_frame: a code;
                    service_in, authority_in, indicator_in: a list of codes (any).
        end         {"kind": "end", "text", "note"?, "speaker"?, "hung_up"?: bool}
    expectations    every key optional; each present is a scored criterion
                    reason, signaler_type   a code or a list of acceptable codes
                    screened                true
                    legal_frame             a LegalFrame code
                    level                   acceptable IndicatorLevel codes, the first
                                            the one named (one step away: half points)
                    indicators              indicator codes that should be recorded
                    required_questions      asked:… tags some choice offers
                    emergency_steps         {"tags": step:… tags some choice offers,
                                             "imminent_danger": true, "authority_reports":
                                             [agency or [agencies, any of which]]}
                    referral_fit            {"services": [any fits], "avoid"?: [...]}
                                            or {"none": true}
                    cross_border, case_opened   true|false
                    interpreter             true (the caller needs one)
                    weights                 {criterion: 1..100}, for criteria present
                                            (and "conduct", always scored)
    ideal           {"choices": {say node: choice}, "recorded": {Recorded fields}}: a way
                    through that must pass with full marks (the tests hold it to that)
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.core.choices import Channel, Language, label_for
from puente.training import practice_engine as engine
from puente.training.practice_engine import (
    CONDITIONS,
    CRITERIA,
    END,
    FLAGS,
    KINDS,
    LANGUAGES,
    QUESTION_PREFIX,
    RECORD,
    SAY,
    SCREENS,
    STEP_PREFIX,
    VERDICTS,
    Branch,
    Choice,
    EmergencySteps,
    Expectations,
    Ideal,
    Node,
    Recorded,
    ReferralFit,
    Scenario,
    Speaker,
    known_codes,
)

FOLDER = Path(__file__).resolve().parent / "scenarios"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NODE_ID = re.compile(r"^[a-z0-9_]+$")
MAX_ID = 80  # PracticeCall.scenario and .node
# Fictional numbers only. U.S.: 555-0100 to 555-0199 in any area code are reserved for
# fiction (NANPA). Mexico reserves none, so, as the demo hotline does
# (puente.sampledata.demo), a subscriber number that cannot be assigned: after the area
# code it never starts with 0 (IFT's numbering plan).
FICTIONAL_PHONE = {
    "US": re.compile(r"^\+1[2-9]\d{2}55501\d{2}$"),
    "MX": re.compile(r"^\+52(?:\d{2}0555|\d{3}055)\d{4}$"),
}


class Topic(models.TextChoices):
    SEX_TRAFFICKING = "sex_trafficking", _("Sex trafficking")
    LABOUR_TRAFFICKING = "labour_trafficking", _("Labor trafficking")
    MINOR = "minor", _("A minor")
    IMMINENT_DANGER = "imminent_danger", _("Imminent danger")
    NON_TRAFFICKING = "non_trafficking", _("Not trafficking")
    CROSS_BORDER = "cross_border", pgettext_lazy("practice topic", "Across the border")
    INTERPRETER = "interpreter", _("Interpreter needed")
    THIRD_PARTY = "third_party", _("Someone calling about another person")
    LAW_ENFORCEMENT = "law_enforcement", _("A law-enforcement caller")


class Difficulty(models.TextChoices):
    INTRODUCTORY = "introductory", _("Introductory")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


def topic_label(code: str) -> str:
    return label_for(Topic, code)


def difficulty_label(code: str) -> str:
    return label_for(Difficulty, code)


class ScenarioError(ValueError):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


class _Reader:
    """Reads one scenario's JSON, collecting every problem rather than stopping at the
    first, so an author fixes a file in one pass."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def fail(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    def obj(self, value: Any, where: str, required: set[str], optional: set[str]) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be an object")
            return {}
        for key in sorted(required - value.keys()):
            self.fail(where, f"{key!r} is missing")
        for key in sorted(value.keys() - required - optional):
            self.fail(where, f"unknown key {key!r}")
        return value

    def text(self, value: Any, where: str) -> dict[str, str]:
        if not isinstance(value, dict):
            self.fail(where, "must be a text in both languages")
            return {lang: "" for lang in LANGUAGES}
        for lang in LANGUAGES:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.fail(where, f"the {lang!r} text is missing")
        for key in sorted(value.keys() - set(LANGUAGES)):
            self.fail(where, f"unknown language {key!r}")
        return {lang: str(value.get(lang) or "") for lang in LANGUAGES}

    def boolean(self, value: Any, where: str) -> bool:
        if not isinstance(value, bool):
            self.fail(where, "must be true or false")
            return False
        return value

    def integer(self, value: Any, where: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(where, f"must be a whole number from {low} to {high}")
            return low
        return value

    def code(self, value: Any, where: str, kind: str) -> str:
        if not isinstance(value, str) or value not in known_codes(kind):
            self.fail(where, f"unknown {kind.replace('_', ' ')} {value!r}")
            return ""
        return value

    def codes(self, value: Any, where: str, kind: str, *, single: bool = False) -> tuple[str, ...]:
        """A list of codes (or, with `single`, one code standing for a list of one)."""
        if single and isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.fail(where, "must be a list of codes, not empty")
            return ()
        found = [self.code(item, f"{where}[{i}]", kind) for i, item in enumerate(value)]
        if len(set(found)) != len(found):
            self.fail(where, "names a code twice")
        return tuple(code for code in found if code)

    def choice_of(self, value: Any, where: str, allowed: Iterable[str], what: str) -> str:
        allowed = tuple(allowed)
        if value not in allowed:
            self.fail(where, f"unknown {what} {value!r} (one of {', '.join(allowed)})")
            return ""
        return str(value)


TOP_KEYS = {
    "slug",
    "order",
    "title",
    "summary",
    "topics",
    "difficulty",
    "pass_mark",
    "caller",
    "start",
    "nodes",
    "expectations",
    "ideal",
}
RECORDED_FIELDS = {
    "contact_recorded": "bool",
    "reason": "reason",
    "signaler_type": "signaler_type",
    "imminent_danger": "bool",
    "screened": "bool",
    "level": "level",
    "legal_frame": "legal_frame",
    "indicators": "indicator",
    "case_opened": "bool",
    "referral_services": "service",
    "cross_border_referral": "bool",
    "authority_reports": "agency",
    "interpreter_used": "bool",
}
SET_FIELDS = {"indicators", "referral_services", "authority_reports"}


def version_of(data: Any) -> str:
    """A short hash of the content, blind to key order and whitespace."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def _caller(r: _Reader, value: Any) -> dict[str, str]:
    raw = r.obj(
        value,
        "caller",
        {"phone", "country", "language"},
        {"primary_language", "signaler_type", "channel"},
    )
    country = r.choice_of(raw.get("country"), "caller.country", FICTIONAL_PHONE, "country")
    phone = raw.get("phone")
    if country and not (isinstance(phone, str) and FICTIONAL_PHONE[country].match(phone)):
        r.fail(
            "caller.phone",
            f"{phone!r} is not a fictional {country} number in E.164 "
            "(U.S. +1 NPA 555-01xx; Mexico +52 with a subscriber number starting 0555 or 055)",
        )
    caller = {
        "phone": str(phone or ""),
        "country": country,
        "language": r.choice_of(raw.get("language"), "caller.language", LANGUAGES, "language"),
        "channel": r.choice_of(
            raw.get("channel", "phone"), "caller.channel", Channel.values, "channel"
        ),
    }
    if "primary_language" in raw:
        caller["primary_language"] = r.choice_of(
            raw["primary_language"], "caller.primary_language", Language.values, "language"
        )
    if "signaler_type" in raw:
        caller["signaler_type"] = r.code(
            raw["signaler_type"], "caller.signaler_type", "signaler_type"
        )
    return caller


def _choice(r: _Reader, value: Any, where: str) -> Choice:
    raw = r.obj(value, where, {"id", "text", "next", "verdict", "feedback"}, {"tags", "critical"})
    choice_id = raw.get("id")
    if not isinstance(choice_id, str) or not NODE_ID.match(choice_id) or len(choice_id) > MAX_ID:
        r.fail(f"{where}.id", f"{choice_id!r} is not an id (a-z, 0-9, _)")
        choice_id = ""
    verdict = r.choice_of(raw.get("verdict"), f"{where}.verdict", VERDICTS, "verdict")
    critical = r.boolean(raw.get("critical", False), f"{where}.critical")
    if critical and verdict != engine.POOR:
        r.fail(f"{where}.critical", "only a poor choice can be critical")
    tags = raw.get("tags", [])
    return Choice(
        id=choice_id,
        text=r.text(raw.get("text"), f"{where}.text"),
        next=str(raw.get("next") or ""),
        verdict=verdict,
        feedback=r.text(raw.get("feedback"), f"{where}.feedback"),
        tags=frozenset(r.codes(tags, f"{where}.tags", "tag")) if tags else frozenset(),
        critical=critical,
    )


def _condition(r: _Reader, name: Any, arg: Any, where: str) -> tuple[str, Any] | None:
    condition = CONDITIONS.get(name)
    if condition is None:
        r.fail(where, f"unknown condition {name!r}")
        return None
    if condition.argument == "bool":
        return name, r.boolean(arg, f"{where}.{name}")
    if condition.many:
        return name, frozenset(r.codes(arg, f"{where}.{name}", condition.argument, single=True))
    return name, r.code(arg, f"{where}.{name}", condition.argument)


def _node(r: _Reader, node_id: str, value: Any) -> Node:
    where = f"nodes.{node_id}"
    if not NODE_ID.match(node_id) or len(node_id) > MAX_ID:
        r.fail(where, "a node id is a-z, 0-9 and _, at most 80 long")
    kind = value.get("kind") if isinstance(value, dict) else None
    if kind == SAY:
        raw = r.obj(value, where, {"kind", "text", "choices"}, {"speaker", "note"})
        choices_raw = raw.get("choices")
        if not isinstance(choices_raw, list) or not choices_raw:
            r.fail(f"{where}.choices", "a say node needs at least one choice")
            choices_raw = []
        choices = tuple(
            _choice(r, item, f"{where}.choices[{i}]") for i, item in enumerate(choices_raw)
        )
        ids = [c.id for c in choices]
        if len(set(ids)) != len(ids):
            r.fail(f"{where}.choices", "two choices share an id")
        return Node(
            id=node_id,
            kind=SAY,
            speaker=r.choice_of(
                raw.get("speaker", "caller"), f"{where}.speaker", Speaker.values, "speaker"
            ),
            text=r.text(raw.get("text"), f"{where}.text"),
            note=r.text(raw["note"], f"{where}.note") if "note" in raw else None,
            choices=choices,
        )
    if kind == RECORD:
        raw = r.obj(value, where, {"kind", "screen", "text", "next"}, {"branches"})
        branches = []
        branches_raw = raw.get("branches", [])
        if not isinstance(branches_raw, list):
            r.fail(f"{where}.branches", "must be a list")
            branches_raw = []
        for i, item in enumerate(branches_raw):
            bwhere = f"{where}.branches[{i}]"
            braw = r.obj(item, bwhere, {"when", "next"}, set())
            when = braw.get("when")
            if not isinstance(when, dict) or not when:
                r.fail(f"{bwhere}.when", "needs at least one condition")
                when = {}
            tests = [_condition(r, name, arg, f"{bwhere}.when") for name, arg in when.items()]
            branches.append(
                Branch(
                    when=tuple(t for t in tests if t is not None), next=str(braw.get("next") or "")
                )
            )
        return Node(
            id=node_id,
            kind=RECORD,
            screen=r.choice_of(raw.get("screen"), f"{where}.screen", SCREENS, "screen"),
            text=r.text(raw.get("text"), f"{where}.text"),
            branches=tuple(branches),
            next=str(raw.get("next") or ""),
        )
    if kind == END:
        raw = r.obj(value, where, {"kind", "text"}, {"note", "speaker", "hung_up"})
        return Node(
            id=node_id,
            kind=END,
            speaker=r.choice_of(raw["speaker"], f"{where}.speaker", Speaker.values, "speaker")
            if "speaker" in raw
            else "",
            text=r.text(raw.get("text"), f"{where}.text"),
            note=r.text(raw["note"], f"{where}.note") if "note" in raw else None,
            hung_up=r.boolean(raw.get("hung_up", False), f"{where}.hung_up"),
        )
    r.fail(f"{where}.kind", f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    return Node(id=node_id, kind=END, text={lang: "" for lang in LANGUAGES})


def _check_graph(r: _Reader, start: str, nodes: dict[str, Node]) -> None:
    for node in nodes.values():
        for target in node.successors():
            if target not in nodes:
                r.fail(f"nodes.{node.id}", f"goes to {target!r}, which is not a node")
    if start not in nodes:
        r.fail("start", f"{start!r} is not a node")
    if r.problems:
        return  # the checks below need every edge to land
    reachable: set[str] = set()
    stack = [start]
    while stack:
        node_id = stack.pop()
        if node_id not in reachable:
            reachable.add(node_id)
            stack.extend(nodes[node_id].successors())
    unreachable = sorted(nodes.keys() - reachable)
    if unreachable:
        r.fail("nodes", f"cannot be reached from the start: {', '.join(unreachable)}")
    # Which nodes can reach an end: grow the set backwards from the ends.
    ending = {node_id for node_id, node in nodes.items() if node.kind == END}
    if not ending:
        r.fail("nodes", "no end node")
    grew = True
    while grew:
        grew = False
        for node in nodes.values():
            if node.id not in ending and any(t in ending for t in node.successors()):
                ending.add(node.id)
                grew = True
    stuck = sorted(reachable - ending)
    if stuck:
        r.fail("nodes", f"no end can be reached from: {', '.join(stuck)}")
    cycle = _find_cycle(nodes)
    if cycle:
        r.fail("nodes", f"a cycle: {' -> '.join(cycle)} (a call must always end)")


def _find_cycle(nodes: dict[str, Node]) -> list[str]:
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(nodes, WHITE)
    for root in sorted(nodes):
        if colour[root] != WHITE:
            continue
        # Iterative depth-first search; `trail` is the current path.
        trail: list[str] = [root]
        pending: list[list[str]] = [list(nodes[root].successors())]
        colour[root] = GREY
        while trail:
            if not pending[-1]:
                colour[trail.pop()] = BLACK
                pending.pop()
                continue
            target = pending[-1].pop()
            if colour[target] == GREY:
                return trail[trail.index(target) :] + [target]
            if colour[target] == WHITE:
                colour[target] = GREY
                trail.append(target)
                pending.append(list(nodes[target].successors()))
    return []


def _offered(nodes: dict[str, Node]) -> set[str]:
    return {tag for node in nodes.values() for choice in node.choices for tag in choice.tags}


def _tags(r: _Reader, value: Any, where: str, prefix: str, offered: set[str]) -> tuple[str, ...]:
    tags = r.codes(value, where, "tag")
    for tag in tags:
        if not tag.startswith(prefix):
            r.fail(where, f"{tag!r} is not a {prefix}… tag")
        elif tag not in offered:
            r.fail(where, f"{tag!r} is offered by no choice: no call could meet it")
    return tags


def _expectations(r: _Reader, value: Any, nodes: dict[str, Node]) -> Expectations:
    criteria = set(CRITERIA) - {"conduct"}
    raw = r.obj(value, "expectations", set(), criteria | {"weights"})
    offered = _offered(nodes)
    e: dict[str, Any] = {}
    for key in ("reason", "signaler_type"):
        if key in raw:
            e[key] = r.codes(raw[key], f"expectations.{key}", key, single=True)
    for key, (_fact, _if_expected, if_not_expected) in FLAGS.items():
        if key in raw:
            e[key] = r.boolean(raw[key], f"expectations.{key}")
            if raw[key] is False and if_not_expected is None:
                r.fail(f"expectations.{key}", "can only be expected to be true")
    if "legal_frame" in raw:
        e["legal_frame"] = r.code(raw["legal_frame"], "expectations.legal_frame", "legal_frame")
    if "level" in raw:
        e["level"] = r.codes(raw["level"], "expectations.level", "level", single=True)
    if "indicators" in raw:
        e["indicators"] = r.codes(raw["indicators"], "expectations.indicators", "indicator")
    if "required_questions" in raw:
        e["required_questions"] = _tags(
            r,
            raw["required_questions"],
            "expectations.required_questions",
            QUESTION_PREFIX,
            offered,
        )
    if "emergency_steps" in raw:
        where = "expectations.emergency_steps"
        steps = r.obj(
            raw["emergency_steps"], where, set(), {"tags", "imminent_danger", "authority_reports"}
        )
        reports = []
        for i, item in enumerate(steps.get("authority_reports", [])):
            reports.append(r.codes(item, f"{where}.authority_reports[{i}]", "agency", single=True))
        e["emergency_steps"] = EmergencySteps(
            tags=_tags(r, steps["tags"], f"{where}.tags", STEP_PREFIX, offered)
            if "tags" in steps
            else (),
            imminent_danger=r.boolean(
                steps.get("imminent_danger", False), f"{where}.imminent_danger"
            ),
            authority_reports=tuple(reports),
        )
        if not (e["emergency_steps"].tags or e["emergency_steps"].imminent_danger or reports):
            r.fail(where, "expects no step at all")
    if "referral_fit" in raw:
        where = "expectations.referral_fit"
        fit = r.obj(raw["referral_fit"], where, set(), {"services", "avoid", "none"})
        none = r.boolean(fit.get("none", False), f"{where}.none")
        if none == ("services" in fit):
            r.fail(where, 'either "services" (any of which fits) or "none": true')
        e["referral_fit"] = ReferralFit(
            services=r.codes(fit["services"], f"{where}.services", "service")
            if "services" in fit
            else (),
            avoid=r.codes(fit["avoid"], f"{where}.avoid", "service") if "avoid" in fit else (),
            none=none,
        )
    present = [code for code in CRITERIA if code in e] + (
        ["conduct"] if any(n.kind == SAY for n in nodes.values()) else []
    )
    weights = {code: CRITERIA[code][1] for code in present}
    for code, weight in r.obj(
        raw.get("weights", {}), "expectations.weights", set(), set(present)
    ).items():
        weights[code] = r.integer(weight, f"expectations.weights.{code}", 1, 100)
    if not weights:
        r.fail("expectations", "nothing to score")
    return Expectations(**e, weights=weights)


def _recorded(r: _Reader, value: Any) -> Recorded:
    raw = r.obj(value, "ideal.recorded", set(), set(RECORDED_FIELDS))
    fields: dict[str, Any] = {}
    for key, kind in RECORDED_FIELDS.items():
        if key not in raw:
            continue
        where = f"ideal.recorded.{key}"
        if kind == "bool":
            fields[key] = r.boolean(raw[key], where)
        elif key in SET_FIELDS:
            fields[key] = frozenset(r.codes(raw[key], where, kind)) if raw[key] else frozenset()
        else:
            fields[key] = r.code(raw[key], where, kind)
    return Recorded(**fields)


def _ideal(r: _Reader, value: Any, nodes: dict[str, Node]) -> Ideal:
    raw = r.obj(value, "ideal", {"choices", "recorded"}, set())
    choices = raw.get("choices")
    if not isinstance(choices, dict):
        r.fail("ideal.choices", "must be an object")
        choices = {}
    for node_id, choice_id in choices.items():
        node = nodes.get(node_id)
        if node is None or node.kind != SAY:
            r.fail("ideal.choices", f"{node_id!r} is not a say node")
        elif choice_id not in {c.id for c in node.choices}:
            r.fail("ideal.choices", f"{choice_id!r} is not a choice of {node_id!r}")
    return Ideal(choices=dict(choices), recorded=_recorded(r, raw.get("recorded")))


def parse(data: Any, *, source: str = "scenario") -> Scenario:
    """A validated Scenario from a scenario's JSON data; ScenarioError names every
    problem found."""
    r = _Reader(source)
    raw = r.obj(data, "scenario", TOP_KEYS, set())
    if r.problems and not raw:
        raise ScenarioError(source, r.problems)
    slug = raw.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > MAX_ID:
        r.fail("slug", f"{slug!r}: lower-case letters, digits and hyphens, at most {MAX_ID}")
    topics = _topics(r, raw.get("topics"))
    nodes_raw = raw.get("nodes")
    if not isinstance(nodes_raw, dict) or not nodes_raw:
        r.fail("nodes", "must be an object of nodes, not empty")
        nodes_raw = {}
    nodes = {str(node_id): _node(r, str(node_id), value) for node_id, value in nodes_raw.items()}
    start = str(raw.get("start") or "")
    _check_graph(r, start, nodes)
    expectations = _expectations(r, raw.get("expectations", {}), nodes)
    ideal = _ideal(r, raw.get("ideal"), nodes)
    scenario = Scenario(
        slug=str(slug or ""),
        version=version_of(data),
        order=r.integer(raw.get("order"), "order", 0, 10_000),
        titles=r.text(raw.get("title"), "title"),
        summaries=r.text(raw.get("summary"), "summary"),
        topics=topics,
        difficulty=r.choice_of(
            raw.get("difficulty"), "difficulty", Difficulty.values, "difficulty"
        ),
        pass_mark=r.integer(raw.get("pass_mark"), "pass_mark", 1, 100),
        caller=_caller(r, raw.get("caller")),
        start=start,
        nodes=nodes,
        expectations=expectations,
        ideal=ideal,
    )
    if not r.problems:
        try:
            engine.walk(scenario, ideal.choices, ideal.recorded)
        except engine.PracticeError as exc:
            r.fail("ideal", f"does not reach an end: {exc}")
    if r.problems:
        raise ScenarioError(source, r.problems)
    return scenario


def _topics(r: _Reader, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        r.fail("topics", "at least one topic")
        return ()
    found = []
    for i, code in enumerate(value):
        if code not in Topic.values:
            r.fail(f"topics[{i}]", f"unknown topic {code!r}")
        else:
            found.append(code)
    return tuple(found)


def load_file(path: Path) -> Scenario:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ScenarioError(path.name, [f"not JSON: {exc}"]) from exc
    scenario = parse(data, source=path.name)
    if scenario.slug != path.stem:
        raise ScenarioError(path.name, [f"slug {scenario.slug!r} differs from the file's name"])
    return scenario


def load_folder(folder: Path) -> list[Scenario]:
    """Every scenario of a folder, in curriculum order."""
    library = [load_file(path) for path in sorted(folder.glob("*.json"))]
    return sorted(library, key=lambda s: (s.order, s.slug))


@functools.cache
def _library() -> tuple[Scenario, ...]:
    return tuple(load_folder(FOLDER))


def all_scenarios() -> list[Scenario]:
    """The shipped scenarios in curriculum order, each validated when first loaded."""
    return list(_library())


def get(slug: str) -> Scenario:
    for scenario in _library():
        if scenario.slug == slug:
            return scenario
    raise KeyError(slug)
