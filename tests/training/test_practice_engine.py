"""The practice-call engine: what each kind of node does, how a record node branches on
what the trainee recorded, and how a call is scored (each criterion on its own, the
choices made, critical mistakes), in both languages and without a raw code in sight.

The scenario here is a small one written for the tests, so each rule is seen alone; the
shipped scenarios are tested in test_scenarios.py."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from typing import Any

import pytest
from django.utils import translation

from puente.core.choices import LegalFrame, ReasonForContact, SignalerType
from puente.directory.choices import Service
from puente.referrals.choices import AgencyType
from puente.screening import indicators as ind
from puente.training import practice_engine as engine
from puente.training import scenarios
from puente.training.practice_engine import Recorded


def T(en: str, es: str) -> dict[str, str]:
    return {"en": en, "es": es}


def choice(id: str, next: str, verdict: str = "good", tags=(), critical=False) -> dict:
    data: dict[str, Any] = {
        "id": id,
        "text": T(f"{id} (en)", f"{id} (es)"),
        "next": next,
        "verdict": verdict,
        "feedback": T(f"feedback on {id}", f"comentario sobre {id}"),
    }
    if tags:
        data["tags"] = list(tags)
    if critical:
        data["critical"] = True
    return data


def tiny() -> dict:
    """A crisis call in four turns: a say node, another, a record node that branches,
    and four ends."""
    return {
        "slug": "tiny-crisis",
        "order": 1,
        "title": T("A tiny crisis", "Una crisis pequeña"),
        "summary": T("For the tests.", "Para las pruebas."),
        "topics": ["imminent_danger"],
        "difficulty": "introductory",
        "pass_mark": 70,
        "caller": {"phone": "+17135550100", "country": "US", "language": "en"},
        "start": "opening",
        "nodes": {
            "opening": {
                "kind": "say",
                "text": T("Help, please.", "Ayuda, por favor."),
                "note": T("Whispering.", "Susurra."),
                "choices": [
                    choice("ask_safe", "where", tags=["asked:safe_now"]),
                    choice("greet", "where"),
                    choice("vague", "where", "acceptable", tags=["asked:safe_now"]),
                    choice("rush", "hung_up", "poor"),
                ],
            },
            "where": {
                "kind": "say",
                "speaker": "caller",
                "text": T("Room 112.", "Cuarto 112."),
                "choices": [
                    choice("offer_911", "record", tags=["step:offer_911", "asked:location"]),
                    choice(
                        "offer_911_rudely",
                        "record",
                        "poor",
                        tags=["step:offer_911", "asked:location"],
                    ),
                    choice("climb_out", "record", "poor", critical=True),
                ],
            },
            "record": {
                "kind": "record",
                "screen": "case",
                "text": T("Record it.", "Regístrelo."),
                "branches": [
                    {
                        "when": {"imminent_danger": True, "level_at_least": "moderate"},
                        "next": "end_flagged",
                    },
                    {"when": {"service_in": "shelter_emergency_housing"}, "next": "end_shelter"},
                ],
                "next": "end_other",
            },
            "hung_up": {
                "kind": "record",
                "screen": "intake",
                "text": T("Gone.", "Colgó."),
                "next": "end_gone",
            },
            "end_flagged": {
                "kind": "end",
                "speaker": "supervisor",
                "text": T("Flagged.", "Marcado."),
            },
            "end_shelter": {"kind": "end", "text": T("Sheltered.", "En refugio.")},
            "end_other": {"kind": "end", "text": T("Other.", "Otro.")},
            "end_gone": {
                "kind": "end",
                "text": T("The line is dead.", "Se cortó."),
                "hung_up": True,
            },
        },
        "expectations": {
            "reason": ["crisis"],
            "signaler_type": "potential_victim",
            "screened": True,
            "legal_frame": "us_tvpa",
            "level": ["high"],
            "indicators": ["confinement", "commercial_sex_third_party"],
            "required_questions": ["asked:safe_now", "asked:location"],
            "emergency_steps": {
                "tags": ["step:offer_911"],
                "imminent_danger": True,
                "authority_reports": [["local_police", "state_police"]],
            },
            "referral_fit": {
                "services": ["shelter_emergency_housing"],
                "avoid": ["law_enforcement"],
            },
            "cross_border": False,
            "case_opened": True,
            "interpreter": True,
        },
        "ideal": {
            "choices": {"opening": "ask_safe", "where": "offer_911"},
            "recorded": {
                "contact_recorded": True,
                "reason": "crisis",
                "signaler_type": "potential_victim",
                "imminent_danger": True,
                "screened": True,
                "level": "high",
                "legal_frame": "us_tvpa",
                "indicators": ["confinement", "commercial_sex_third_party"],
                "case_opened": True,
                "referral_services": ["shelter_emergency_housing"],
                "authority_reports": ["local_police"],
                "interpreter_used": True,
            },
        },
    }


@pytest.fixture
def scenario() -> engine.Scenario:
    return scenarios.parse(tiny(), source="tiny")


IDEAL_PATH = [{"node": "opening", "choice": "ask_safe"}, {"node": "where", "choice": "offer_911"}]


def ideal_facts(scenario: engine.Scenario) -> Recorded:
    return scenario.ideal.recorded


def criterion(result: dict, code: str) -> dict:
    return next(c for c in result["criteria"] if c["code"] == code)


# -- Playing --------------------------------------------------------------------------


def test_a_say_node_gives_the_callers_words_and_the_choices_in_the_language_asked(scenario):
    turn = engine.turn(scenario, "opening", "es")
    assert turn.kind == "say"
    assert turn.text == "Ayuda, por favor."
    assert turn.note == "Susurra."
    assert turn.choices[0] == ("ask_safe", "ask_safe (es)")
    assert [choice_id for choice_id, _text in turn.choices] == [
        "ask_safe",
        "greet",
        "vague",
        "rush",
    ]
    assert turn.speaker == "caller" and turn.speaker_label == "Persona que llama"
    assert engine.turn(scenario, "opening", "en").speaker_label == "Caller"


def test_a_regional_language_code_reads_as_its_language_and_an_unknown_one_as_english(scenario):
    assert engine.turn(scenario, "opening", "es-mx").text == "Ayuda, por favor."
    assert engine.turn(scenario, "opening", "fr").text == "Help, please."


def test_a_record_node_tells_the_trainee_what_to_record_and_on_which_screen(scenario):
    turn = engine.turn(scenario, "record", "en")
    assert (turn.kind, turn.screen, turn.text, turn.choices) == ("record", "case", "Record it.", ())


def test_an_end_node_says_whether_the_caller_hung_up(scenario):
    assert engine.turn(scenario, "end_gone", "en").hung_up is True
    supervisor = engine.turn(scenario, "end_flagged", "es")
    assert supervisor.hung_up is False and supervisor.speaker_label == "Su supervisor(a)"


def test_a_choice_leads_to_its_node(scenario):
    assert engine.choose(scenario, "opening", "ask_safe") == "where"
    assert engine.choose(scenario, "opening", "rush") == "hung_up"


def test_a_choice_not_offered_at_the_node_is_refused(scenario):
    with pytest.raises(engine.InvalidChoice):
        engine.choose(scenario, "opening", "offer_911")  # a choice of another node
    with pytest.raises(engine.InvalidChoice):
        engine.choose(scenario, "opening", "")


def test_choosing_at_a_node_that_offers_no_choices_is_refused(scenario):
    with pytest.raises(engine.WrongKind):
        engine.choose(scenario, "record", "ask_safe")


def test_an_unknown_node_is_refused(scenario):
    with pytest.raises(engine.UnknownNode):
        engine.turn(scenario, "nowhere", "en")
    with pytest.raises(engine.UnknownNode):
        engine.choose(scenario, "nowhere", "ask_safe")


def test_a_record_node_takes_the_first_branch_whose_conditions_all_hold(scenario):
    flagged = Recorded(imminent_danger=True, level="high", referral_services={Service.SHELTER})
    # Both branches hold: the first wins.
    assert engine.proceed(scenario, "record", flagged) == "end_flagged"
    # One condition of the first branch fails: the second is tried.
    assert engine.proceed(scenario, "record", replace(flagged, level="low")) == "end_shelter"
    assert (
        engine.proceed(scenario, "record", replace(flagged, imminent_danger=False)) == "end_shelter"
    )


def test_a_record_node_falls_back_to_its_default(scenario):
    assert engine.proceed(scenario, "record", Recorded()) == "end_other"
    assert engine.proceed(scenario, "hung_up", Recorded(imminent_danger=True)) == "end_gone"


def test_proceeding_from_a_node_that_is_not_a_record_node_is_refused(scenario):
    with pytest.raises(engine.WrongKind):
        engine.proceed(scenario, "opening", Recorded())


def test_the_sets_of_what_was_recorded_may_be_given_as_lists():
    recorded = Recorded(indicators=["confinement"], referral_services=["legal"])  # type: ignore[arg-type]
    assert recorded.indicators == frozenset({"confinement"})
    assert recorded.referral_services == frozenset({"legal"})


# Each condition with an argument, facts for which it holds and facts for which it fails.
CONDITION_CASES: dict[str, tuple[Any, Recorded, Recorded]] = {
    "contact_recorded": (True, Recorded(contact_recorded=True), Recorded()),
    "screened": (True, Recorded(screened=True), Recorded()),
    "imminent_danger": (False, Recorded(), Recorded(imminent_danger=True)),
    "case_opened": (True, Recorded(case_opened=True), Recorded()),
    "cross_border_referral": (True, Recorded(cross_border_referral=True), Recorded()),
    "interpreter_used": (True, Recorded(interpreter_used=True), Recorded()),
    "referral_made": (False, Recorded(), Recorded(referral_services={Service.LEGAL})),
    "reported": (True, Recorded(authority_reports={AgencyType.FEDERAL}), Recorded()),
    "level_at_least": ("moderate", Recorded(level="moderate"), Recorded(level="low")),
    "level_below": ("high", Recorded(), Recorded(level="high")),
    "level_in": ("low,none", Recorded(level="none"), Recorded(level="high")),
    "reason": ("crisis,tip", Recorded(reason="tip"), Recorded(reason="services")),
    "signaler_type": (
        "family_friend",
        Recorded(signaler_type="family_friend"),
        Recorded(signaler_type="potential_victim"),
    ),
    "legal_frame": ("mx_lgt", Recorded(legal_frame="mx_lgt"), Recorded(legal_frame="us_tvpa")),
    "service_in": (
        "legal,labour_rights",
        Recorded(referral_services={Service.LABOUR_RIGHTS, Service.MEDICAL}),
        Recorded(referral_services={Service.MEDICAL}),
    ),
    "authority_in": (
        "child_welfare",
        Recorded(authority_reports={AgencyType.CHILD_WELFARE}),
        Recorded(authority_reports={AgencyType.LOCAL_POLICE}),
    ),
    "indicator_in": (
        "confinement",
        Recorded(indicators={"confinement", "isolation"}),
        Recorded(indicators={"isolation"}),
    ),
}


def test_every_condition_is_tested_here():
    assert set(CONDITION_CASES) == set(engine.CONDITIONS)


@pytest.mark.parametrize("name", sorted(CONDITION_CASES))
def test_each_condition_holds_or_not_on_what_was_recorded(name):
    argument, holds, fails = CONDITION_CASES[name]
    if isinstance(argument, str) and engine.CONDITIONS[name].many:
        argument = argument.split(",")
    data = tiny()
    branches = data["nodes"]["record"]["branches"]
    branches[0] = {"when": {name: argument}, "next": "end_flagged"}
    scenario = scenarios.parse(data, source="tiny")
    assert engine.proceed(scenario, "record", holds) == "end_flagged"
    assert engine.proceed(scenario, "record", fails) == "end_other"


def test_a_walk_follows_the_choices_and_the_facts_to_an_end(scenario):
    path, end = engine.walk(scenario, {"opening": "ask_safe", "where": "climb_out"}, Recorded())
    assert path == [
        {"node": "opening", "choice": "ask_safe"},
        {"node": "where", "choice": "climb_out"},
    ]
    assert end == "end_other"
    assert engine.ideal_path(scenario) == IDEAL_PATH


# -- Scoring --------------------------------------------------------------------------


def test_the_ideal_call_scores_full_marks_and_passes(scenario):
    result = engine.score(scenario, IDEAL_PATH, ideal_facts(scenario))
    assert result["score"] == 100 and result["passed"] is True
    assert result["critical_error"] is False
    assert all(c["met"] and c["points"] == c["weight"] for c in result["criteria"])
    assert [c["code"] for c in result["criteria"]] == [
        "reason",
        "signaler_type",
        "screened",
        "legal_frame",
        "level",
        "indicators",
        "required_questions",
        "emergency_steps",
        "referral_fit",
        "cross_border",
        "case_opened",
        "interpreter",
        "conduct",
    ]
    assert result["scenario"] == "tiny-crisis" and result["version"] == scenario.version
    assert result["summary"] == {
        "en": "Score 100 of 100; the pass mark is 70.",
        "es": "Puntuación: 100 de 100; la calificación aprobatoria es 70.",
    }


def _spoil(code: str, facts: Recorded) -> tuple[list[dict], Recorded]:
    """The ideal call with exactly one criterion missed."""
    path = copy.deepcopy(IDEAL_PATH)
    spoilt = {
        "reason": lambda: replace(facts, reason=ReasonForContact.TIP),
        "signaler_type": lambda: replace(facts, signaler_type=SignalerType.COMMUNITY_MEMBER),
        "screened": lambda: replace(facts, screened=False),
        "legal_frame": lambda: replace(facts, legal_frame=LegalFrame.MX_LGT),
        "level": lambda: replace(facts, level="none"),
        "indicators": lambda: replace(facts, indicators=frozenset({"confinement"})),
        "emergency_steps": lambda: replace(facts, imminent_danger=False),
        "referral_fit": lambda: replace(facts, referral_services=frozenset()),
        "cross_border": lambda: replace(facts, cross_border_referral=True),
        "case_opened": lambda: replace(facts, case_opened=False),
        "interpreter": lambda: replace(facts, interpreter_used=False),
    }
    if code == "required_questions":
        path[0]["choice"] = "greet"  # a good choice that does not ask whether she is safe
        return path, facts
    if code == "conduct":
        path[1]["choice"] = "offer_911_rudely"  # the same step, taken poorly
        return path, facts
    return path, spoilt[code]()


@pytest.mark.parametrize("code", list(engine.CRITERIA))
def test_each_criterion_fails_on_its_own(scenario, code):
    path, facts = _spoil(code, ideal_facts(scenario))
    result = engine.score(scenario, path, facts)
    missed = criterion(result, code)
    assert missed["met"] is False and missed["points"] < missed["weight"]
    others = [c for c in result["criteria"] if c["code"] != code]
    assert all(c["met"] and c["points"] == c["weight"] for c in others)
    total = sum(c["weight"] for c in result["criteria"])
    lost = missed["weight"] - missed["points"]
    assert result["score"] == round(100 * (total - lost) / total)
    assert result["score"] < 100


def test_a_level_one_step_away_earns_half_the_points(scenario):
    result = engine.score(scenario, IDEAL_PATH, replace(ideal_facts(scenario), level="moderate"))
    level = criterion(result, "level")
    assert level["points"] == level["weight"] / 2 and level["met"] is False
    assert level["feedback"]["en"] == (
        "You recorded the level of indicators as Moderate; the scenario expects High. "
        "One step away: half the points."
    )
    assert level["feedback"]["es"].startswith(
        "Registró el nivel de indicadores como Moderado; el escenario espera Alto."
    )


def test_a_level_further_away_earns_nothing_and_says_which_way_it_is_wrong(scenario):
    result = engine.score(scenario, IDEAL_PATH, replace(ideal_facts(scenario), level="low"))
    level = criterion(result, "level")
    assert level["points"] == 0
    assert "The caller described more than you recorded" in level["feedback"]["en"]


def test_no_level_recorded_earns_nothing(scenario):
    result = engine.score(scenario, IDEAL_PATH, replace(ideal_facts(scenario), level=""))
    level = criterion(result, "level")
    assert level["points"] == 0
    assert level["feedback"]["en"] == (
        "You did not record a level of indicators; the scenario expects High."
    )


def test_each_poor_choice_costs_half_the_conduct_points_and_an_acceptable_one_a_tenth(scenario):
    facts = ideal_facts(scenario)
    weight = scenario.expectations.weights["conduct"]

    def conduct(path: list[dict]) -> float:
        return criterion(engine.score(scenario, path, facts), "conduct")["points"]

    assert conduct(IDEAL_PATH) == weight
    one_acceptable = [{"node": "opening", "choice": "vague"}, IDEAL_PATH[1]]
    assert conduct(one_acceptable) == pytest.approx(weight * 0.9)
    one_poor = [IDEAL_PATH[0], {"node": "where", "choice": "offer_911_rudely"}]
    assert conduct(one_poor) == weight / 2
    two_poor = one_poor + [{"node": "where", "choice": "climb_out"}]
    assert conduct(two_poor) == 0


def test_a_critical_mistake_fails_the_call_whatever_the_score(scenario):
    path = [IDEAL_PATH[0], {"node": "where", "choice": "climb_out"}]
    # Everything else went right: the score stays above the pass mark.
    result = engine.score(scenario, path, ideal_facts(scenario))
    assert result["score"] >= scenario.pass_mark
    assert result["passed"] is False and result["critical_error"] is True
    assert result["steps"][1]["critical"] is True
    assert "A critical mistake fails the call" in result["summary"]["en"]
    assert "Un error crítico reprueba la llamada" in result["summary"]["es"]


def test_a_referral_the_caller_did_not_want_costs_half_the_referral_points(scenario):
    facts = replace(
        ideal_facts(scenario),
        referral_services=frozenset({Service.SHELTER, Service.LAW_ENFORCEMENT}),
    )
    referral = criterion(engine.score(scenario, IDEAL_PATH, facts), "referral_fit")
    assert referral["points"] == referral["weight"] / 2 and referral["met"] is False
    assert "“Law enforcement response”" not in referral["feedback"]["en"]  # one label: no quotes
    assert "Law enforcement response" in referral["feedback"]["en"]


def test_a_call_that_needed_no_referral_loses_the_points_when_one_is_made():
    data = tiny()
    data["expectations"]["referral_fit"] = {"none": True}
    data["ideal"]["recorded"]["referral_services"] = []
    scenario = scenarios.parse(data, source="tiny")
    facts = replace(scenario.ideal.recorded, referral_services=frozenset({Service.LEGAL}))
    referral = criterion(engine.score(scenario, IDEAL_PATH, facts), "referral_fit")
    assert referral["points"] == 0
    assert referral["feedback"] == {
        "en": "No referral was needed here; you referred to Legal services.",
        "es": "Aquí no se necesitaba ninguna canalización; canalizó a Servicios jurídicos.",
    }


def test_steps_review_each_choice_with_what_was_said_and_why(scenario):
    result = engine.score(scenario, IDEAL_PATH, ideal_facts(scenario))
    assert result["steps"][0] == {
        "node": "opening",
        "choice": "ask_safe",
        "said": {"en": "ask_safe (en)", "es": "ask_safe (es)"},
        "verdict": "good",
        "feedback": {"en": "feedback on ask_safe", "es": "comentario sobre ask_safe"},
        "critical": False,
        "tags": ["asked:safe_now"],
    }


def test_steps_leave_out_record_nodes_and_what_the_scenario_no_longer_has(scenario):
    path = [
        *IDEAL_PATH,
        {"node": "record", "choice": ""},
        {"node": "gone_since", "choice": "x"},
        {"node": "opening", "choice": "removed_since"},
    ]
    result = engine.score(scenario, path, ideal_facts(scenario))
    assert [step["choice"] for step in result["steps"]] == ["ask_safe", "offer_911"]
    assert result["score"] == 100


def _all_wrong(scenario) -> dict:
    facts = Recorded(
        reason=ReasonForContact.TIP,
        signaler_type=SignalerType.COMMUNITY_MEMBER,
        level="low",
        legal_frame=LegalFrame.MX_LGT,
        referral_services=frozenset({Service.LAW_ENFORCEMENT, Service.BASIC_NEEDS}),
        cross_border_referral=True,
    )
    return engine.score(scenario, [{"node": "opening", "choice": "rush"}], facts)


def test_the_result_is_written_in_both_languages_and_stored_as_json(scenario):
    result = _all_wrong(scenario)
    assert json.loads(json.dumps(result)) == result
    for item in result["criteria"]:
        for text in (item["feedback"], item["label"]):
            assert set(text) == {"en", "es"} and all(text.values())
            assert text["en"] != text["es"]
    reason = criterion(result, "reason")["feedback"]
    assert reason == {
        "en": "You recorded the reason for contact as Tip; this call is Crisis / emergency.",
        "es": "Registró el motivo del contacto como Denuncia; esta llamada es Crisis / emergencia.",
    }


def test_feedback_names_picklist_values_by_their_labels_never_by_their_codes(scenario):
    result = _all_wrong(scenario)
    codes = (
        set(Service.values)
        | set(AgencyType.values)
        | set(ReasonForContact.values)
        | set(SignalerType.values)
        | set(LegalFrame.values)
        | set(ind.BY_CODE)
        | set(engine.Tag.values)
    )
    # Codes made of several words or a prefix can only be codes; single words ("tip",
    # "crisis") are also plain English, so the Spanish text is where they would show.
    telling = {code for code in codes if "_" in code or ":" in code}
    for item in result["criteria"]:
        for lang, text in item["feedback"].items():
            found = [c for c in telling if re.search(rf"(?<![\w:]){re.escape(c)}(?![\w:])", text)]
            assert found == [], (item["code"], lang, text)
            if lang == "es":
                for code in ("high", "low", "moderate", "tip", "crisis"):
                    assert not re.search(rf"\b{code}\b", text), (item["code"], text)
    steps = criterion(result, "emergency_steps")["feedback"]
    assert "Offer 911" not in steps["en"] and "offer 911: call for the person" in steps["en"]
    assert "«Policía local o municipal» o «Policía o fiscalía estatal»" in steps["es"]
    assert "“Local or municipal police” or “State police or state prosecutor”" in steps["en"]
    questions = criterion(result, "required_questions")["feedback"]
    assert questions["es"] == (
        "Preguntas que no hizo: si la persona está a salvo y puede hablar en este momento; "
        "dónde está la persona ahora (dirección, negocio, ciudad)."
    )
    level = criterion(result, "level")["feedback"]["es"]
    assert "Bajo" in level and "Alto" in level


def test_every_tag_has_a_spanish_label():
    def labels(lang: str) -> list[str]:
        with translation.override(lang):
            return [str(tag.label) for tag in engine.Tag]

    assert [en for en, es in zip(labels("en"), labels("es"), strict=True) if en == es] == []
