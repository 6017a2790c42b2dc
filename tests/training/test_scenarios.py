"""The scenario library: every shipped scenario loads, can be passed, agrees with the
screening rules, and covers the curriculum the hotline needs; a broken scenario is refused
at load with its problem named; and whatever a trainee chooses and records, a call ends
within a bound and scores between 0 and 100."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from puente.core.choices import IndicatorLevel, LegalFrame, ReasonForContact, SignalerType
from puente.directory.choices import Service
from puente.referrals.choices import AgencyType
from puente.screening import indicators as ind
from puente.screening.domain import assess
from puente.training import practice_engine as engine
from puente.training import scenarios
from puente.training.practice_engine import Recorded
from tests.training.test_practice_engine import tiny

LIBRARY = scenarios.all_scenarios()
SLUGS = [s.slug for s in LIBRARY]


def refused(data: dict) -> str:
    with pytest.raises(scenarios.ScenarioError) as refusal:
        scenarios.parse(data, source="broken")
    return str(refusal.value)


# -- The shipped library -------------------------------------------------------------


def test_the_library_holds_at_least_twelve_scenarios_each_once():
    assert len(LIBRARY) >= 12
    assert len(set(SLUGS)) == len(SLUGS)
    assert sorted(path.stem for path in scenarios.FOLDER.glob("*.json")) == sorted(SLUGS)


def test_the_library_covers_the_curriculum():
    topics = {topic for s in LIBRARY for topic in s.topics}
    assert {
        "sex_trafficking",
        "labour_trafficking",
        "minor",
        "imminent_danger",
        "non_trafficking",
        "cross_border",
        "interpreter",
        "third_party",
        "law_enforcement",
    } <= topics
    # Both hotlines' sides, callers in both languages, every level of difficulty.
    assert {s.caller["country"] for s in LIBRARY} == {"US", "MX"}
    assert {s.caller["language"] for s in LIBRARY} == {"en", "es"}
    assert {s.difficulty for s in LIBRARY} == set(scenarios.Difficulty.values)
    # The kinds of non-trafficking call an advocate meets.
    reasons = {reason for s in LIBRARY for reason in s.expectations.reason}
    assert {"non_trafficking", "hang_up", "training", "crisis", "tip"} <= reasons
    callers = {s.caller.get("signaler_type") for s in LIBRARY}
    assert {"family_friend", "law_enforcement", "potential_victim", "other"} <= callers


def test_the_library_is_in_curriculum_order_and_cached():
    assert [s.order for s in LIBRARY] == sorted(s.order for s in LIBRARY)
    assert scenarios.all_scenarios()[0] is LIBRARY[0]
    assert scenarios.get(LIBRARY[-1].slug) is LIBRARY[-1]


def test_an_unknown_slug_is_a_key_error():
    with pytest.raises(KeyError):
        scenarios.get("no-such-scenario")


@pytest.mark.parametrize("slug", SLUGS)
def test_the_ideal_call_passes_with_full_marks(slug):
    scenario = scenarios.get(slug)
    path = engine.ideal_path(scenario)
    result = engine.score(scenario, path, scenario.ideal.recorded)
    assert result["score"] == 100 and result["passed"] is True, [
        c for c in result["criteria"] if not c["met"]
    ]
    # The ideal call makes only good choices.
    assert {step["verdict"] for step in result["steps"]} == {"good"}


@pytest.mark.parametrize("slug", SLUGS)
def test_the_ideal_facts_agree_with_the_screening_rules(slug):
    """The level the ideal call records is the level the real screening computes from
    the indicators it records: a trainee who screens as the caller described passes."""
    facts = scenarios.get(slug).ideal.recorded
    if not facts.screened:
        return
    assessed = assess(indicators=set(facts.indicators), legal_frame=facts.legal_frame)
    assert assessed.level == facts.level


@pytest.mark.parametrize("slug", SLUGS)
def test_each_scenario_can_also_be_failed(slug):
    scenario = scenarios.get(slug)
    result = engine.score(scenario, [], Recorded())
    assert result["passed"] is False and result["score"] < scenario.pass_mark


@pytest.mark.parametrize("slug", SLUGS)
def test_every_scenario_is_of_a_practical_size_with_real_choices(slug):
    scenario = scenarios.get(slug)
    assert 6 <= len(scenario.nodes) <= 14
    says = [n for n in scenario.nodes.values() if n.kind == "say"]
    # Choices matter: somewhere a poor choice, and somewhere the call branches on one.
    assert any(c.verdict == "poor" for n in says for c in n.choices)
    assert any(len({c.next for c in n.choices}) > 1 for n in says)
    assert any(n.kind == "record" for n in scenario.nodes.values())


@pytest.mark.parametrize("slug", SLUGS)
def test_every_text_is_written_in_each_language(slug):
    """Both languages present (the loader checks) and not one copied into the other."""
    scenario = scenarios.get(slug)
    texts = [scenario.titles, scenario.summaries]
    for node in scenario.nodes.values():
        texts += [node.text] + ([node.note] if node.note else [])
        for choice in node.choices:
            texts += [choice.text, choice.feedback]
    copied = [t["en"] for t in texts if re.search(r"[A-Za-z]{3}", t["en"]) and t["en"] == t["es"]]
    assert copied == []


@pytest.mark.parametrize("slug", SLUGS)
def test_callers_phone_numbers_are_fictional(slug):
    caller = scenarios.get(slug).caller
    assert scenarios.FICTIONAL_PHONE[caller["country"]].match(caller["phone"])


def test_topics_and_difficulties_are_shown_by_their_labels():
    with translation.override("es"):
        assert scenarios.topic_label("cross_border") == "Al otro lado de la frontera"
        assert scenarios.topic_label("labour_trafficking") == (
            "Trata con fines de explotación laboral"
        )
        assert scenarios.difficulty_label("advanced") == "Avanzado"
    with translation.override("en"):
        assert scenarios.topic_label("minor") == "A minor"


def test_a_scenarios_title_and_summary_come_in_the_language_asked():
    scenario = scenarios.get("cantina-debt-bondage")
    assert scenario.title("es") == "Una deuda que nunca baja, en una cantina"
    assert scenario.title("en-us") == "A debt that never goes down, at a cantina"
    assert scenario.summary("es").startswith("Una joven reclutada como mesera")


def test_the_version_is_a_short_hash_of_the_content():
    data = tiny()
    version = scenarios.parse(data).version
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    reordered = json.loads(json.dumps(data, sort_keys=True))
    assert scenarios.parse(reordered).version == version
    data["nodes"]["opening"]["text"]["es"] = "¡Ayuda, por favor!"
    assert scenarios.parse(data).version != version
    assert all(len(s.version) <= 16 for s in LIBRARY)


# -- Refusing a broken scenario ------------------------------------------------------


def test_a_choice_leading_to_a_missing_node_is_refused():
    data = tiny()
    data["nodes"]["opening"]["choices"][0]["next"] = "nowhere"
    assert "nodes.opening: goes to 'nowhere', which is not a node" in refused(data)


def test_a_record_node_defaulting_to_a_missing_node_is_refused():
    data = tiny()
    data["nodes"]["record"]["next"] = "nowhere"
    assert "goes to 'nowhere'" in refused(data)


def test_a_missing_start_is_refused():
    data = tiny()
    data["start"] = "nowhere"
    assert "start: 'nowhere' is not a node" in refused(data)


def test_an_unreachable_node_is_refused():
    data = tiny()
    data["nodes"]["orphan"] = {"kind": "end", "text": {"en": "Alone.", "es": "Sola."}}
    assert "cannot be reached from the start: orphan" in refused(data)


@pytest.mark.parametrize(
    "where",
    [
        lambda d: d["nodes"]["opening"]["text"],
        lambda d: d["nodes"]["opening"]["choices"][1]["feedback"],
        lambda d: d["nodes"]["record"]["text"],
        lambda d: d["title"],
    ],
)
def test_a_text_missing_a_language_is_refused(where):
    data = tiny()
    del where(data)["es"]
    assert "the 'es' text is missing" in refused(data)
    data = tiny()
    where(data)["en"] = "   "
    assert "the 'en' text is missing" in refused(data)


@pytest.mark.parametrize(
    "spoil, problem",
    [
        (lambda d: d["expectations"].update(reason=["emergency"]), "unknown reason 'emergency'"),
        (lambda d: d["expectations"].update(level=["severe"]), "unknown level 'severe'"),
        (
            lambda d: d["expectations"].update(indicators=["kidnapping"]),
            "unknown indicator 'kidnapping'",
        ),
        (
            lambda d: d["expectations"]["referral_fit"].update(services=["housing"]),
            "unknown service 'housing'",
        ),
        (
            lambda d: d["expectations"]["emergency_steps"].update(authority_reports=["fbi"]),
            "unknown agency 'fbi'",
        ),
        (
            lambda d: d["expectations"].update(legal_frame="palermo"),
            "unknown legal frame 'palermo'",
        ),
        (
            lambda d: d["nodes"]["opening"]["choices"][0].update(tags=["asked:shoe_size"]),
            "unknown tag 'asked:shoe_size'",
        ),
        (
            lambda d: d["nodes"]["record"]["branches"][0].update(when={"is_sunny": True}),
            "unknown condition 'is_sunny'",
        ),
        (
            lambda d: d["nodes"]["record"]["branches"][0].update(when={"level_at_least": "very"}),
            "unknown level 'very'",
        ),
        (
            lambda d: d["nodes"]["record"]["branches"][0].update(when={"screened": "yes"}),
            "must be true or false",
        ),
        (lambda d: d.update(topics=["smuggling"]), "unknown topic 'smuggling'"),
        (lambda d: d.update(difficulty="easy"), "unknown difficulty 'easy'"),
        (lambda d: d["nodes"]["where"].update(speaker="trafficker"), "unknown speaker"),
        (lambda d: d["nodes"]["record"].update(screen="map"), "unknown screen 'map'"),
        (lambda d: d["nodes"]["opening"]["choices"][0].update(verdict="great"), "unknown verdict"),
        (lambda d: d["nodes"]["opening"].update(kind="ask"), "unknown kind 'ask'"),
        (
            lambda d: d["ideal"]["recorded"].update(reason="hotline"),
            "unknown reason 'hotline'",
        ),
        (
            lambda d: d["ideal"]["recorded"].update(referral_services=["shelter"]),
            "unknown service 'shelter'",
        ),
        (lambda d: d["caller"].update(primary_language="klingon"), "unknown language 'klingon'"),
    ],
)
def test_an_unknown_code_is_refused(spoil, problem):
    data = tiny()
    spoil(data)
    assert problem in refused(data)


def test_a_cycle_without_exit_is_refused():
    data = tiny()
    data["nodes"]["where"]["choices"] = [
        {**data["nodes"]["where"]["choices"][0], "next": "again"},
    ]
    data["nodes"]["again"] = {
        "kind": "say",
        "text": {"en": "Again?", "es": "¿Otra vez?"},
        "choices": [{**data["nodes"]["where"]["choices"][0], "id": "repeat", "next": "where"}],
    }
    problem = refused(data)
    assert "no end can be reached from: again, where" in problem
    assert "a cycle" in problem


def test_a_cycle_with_an_exit_is_refused_too_as_a_call_must_always_end():
    data = tiny()
    data["nodes"]["record"]["branches"].append({"when": {"screened": False}, "next": "opening"})
    problem = refused(data)
    assert "a cycle:" in problem and "no end can be reached" not in problem


def test_a_scenario_without_an_end_is_refused():
    data = tiny()
    for end in ("end_flagged", "end_shelter", "end_other", "end_gone"):
        del data["nodes"][end]
    data["nodes"]["record"] = {
        "kind": "record",
        "screen": "case",
        "text": {"en": "Record it.", "es": "Regístrelo."},
        "next": "opening",
    }
    data["nodes"]["hung_up"]["next"] = "opening"
    assert "no end node" in refused(data)


def test_a_critical_choice_must_be_a_poor_one():
    data = tiny()
    data["nodes"]["opening"]["choices"][0]["critical"] = True
    assert "only a poor choice can be critical" in refused(data)


def test_a_say_node_without_choices_is_refused():
    data = tiny()
    data["nodes"]["where"]["choices"] = []
    assert "a say node needs at least one choice" in refused(data)


def test_two_choices_with_one_id_are_refused():
    data = tiny()
    data["nodes"]["opening"]["choices"][1]["id"] = "ask_safe"
    assert "two choices share an id" in refused(data)


def test_an_expected_question_no_choice_asks_is_refused():
    data = tiny()
    data["expectations"]["required_questions"].append("asked:documents")
    assert "'asked:documents' is offered by no choice" in refused(data)


def test_a_step_listed_as_a_question_is_refused():
    data = tiny()
    data["expectations"]["required_questions"].append("step:offer_911")
    assert "'step:offer_911' is not a asked:… tag" in refused(data)


def test_expecting_no_interpreter_is_refused():
    data = tiny()
    data["expectations"]["interpreter"] = False
    assert "expectations.interpreter: can only be expected to be true" in refused(data)


def test_a_weight_for_a_criterion_not_expected_is_refused():
    data = tiny()
    del data["expectations"]["level"]
    data["expectations"]["weights"] = {"level": 10}
    assert "expectations.weights: unknown key 'level'" in refused(data)


def test_a_misspelt_key_is_refused_rather_than_ignored():
    data = tiny()
    data["nodes"]["opening"]["choices"][0]["nxt"] = "where"
    assert "unknown key 'nxt'" in refused(data)


@pytest.mark.parametrize(
    "phone, country",
    [
        ("+17135551234", "US"),  # a real-looking number, not 555-01xx
        ("+525512345678", "MX"),  # an assignable Mexican number
        ("+17135550100", "MX"),  # a fictional U.S. number given as Mexican
        ("713-555-0100", "US"),  # not E.164
    ],
)
def test_a_phone_number_that_is_not_fictional_is_refused(phone, country):
    data = tiny()
    data["caller"].update(phone=phone, country=country)
    assert "is not a fictional" in refused(data)


def test_an_ideal_that_names_an_unknown_choice_is_refused():
    data = tiny()
    data["ideal"]["choices"]["opening"] = "shout"
    assert "'shout' is not a choice of 'opening'" in refused(data)


def test_an_ideal_that_does_not_reach_an_end_is_refused():
    data = tiny()
    del data["ideal"]["choices"]["where"]
    assert "ideal: does not reach an end" in refused(data)


def test_every_problem_is_named_at_once():
    data = tiny()
    data["difficulty"] = "easy"
    data["nodes"]["opening"]["choices"][0]["next"] = "nowhere"
    del data["summary"]["es"]
    with pytest.raises(scenarios.ScenarioError) as refusal:
        scenarios.parse(data, source="broken.json")
    assert len(refusal.value.problems) == 3
    assert str(refusal.value).startswith("broken.json: ")


def test_a_file_whose_slug_differs_from_its_name_is_refused(tmp_path: Path):
    (tmp_path / "other-name.json").write_text(json.dumps(tiny()), encoding="utf-8")
    with pytest.raises(scenarios.ScenarioError, match="differs from the file's name"):
        scenarios.load_folder(tmp_path)


def test_a_file_that_is_not_json_is_refused(tmp_path: Path):
    (tmp_path / "tiny-crisis.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(scenarios.ScenarioError, match="not JSON"):
        scenarios.load_folder(tmp_path)


def test_a_folder_loads_in_curriculum_order(tmp_path: Path):
    for slug, order in (("b-second", 2), ("a-third", 3), ("c-first", 1)):
        data = tiny()
        data.update(slug=slug, order=order)
        (tmp_path / f"{slug}.json").write_text(json.dumps(data), encoding="utf-8")
    assert [s.slug for s in scenarios.load_folder(tmp_path)] == ["c-first", "b-second", "a-third"]


# -- Whatever the trainee does -------------------------------------------------------

codes = st.sampled_from
recorded_facts = st.builds(
    Recorded,
    contact_recorded=st.booleans(),
    reason=st.sampled_from(["", *ReasonForContact.values]),
    signaler_type=st.sampled_from(["", *SignalerType.values]),
    imminent_danger=st.booleans(),
    screened=st.booleans(),
    level=st.sampled_from(["", *IndicatorLevel.values]),
    legal_frame=st.sampled_from(["", *LegalFrame.values]),
    indicators=st.frozensets(codes(sorted(ind.BY_CODE)), max_size=6),
    case_opened=st.booleans(),
    referral_services=st.frozensets(codes(Service.values), max_size=3),
    cross_border_referral=st.booleans(),
    authority_reports=st.frozensets(codes(AgencyType.values), max_size=2),
    interpreter_used=st.booleans(),
)


@pytest.mark.parametrize("slug", SLUGS)
@given(data=st.data())
def test_any_call_ends_within_the_scenarios_size_and_scores_from_0_to_100(slug, data):
    scenario = scenarios.get(slug)
    node_id, path, turns = scenario.start, [], 0
    facts = Recorded()
    while scenario.nodes[node_id].kind != "end":
        turns += 1
        assert turns <= len(scenario.nodes), "the call does not end"
        node = scenario.nodes[node_id]
        if node.kind == "say":
            choice_id = data.draw(codes([c.id for c in node.choices]))
            path.append({"node": node_id, "choice": choice_id})
            node_id = engine.choose(scenario, node_id, choice_id)
        else:
            # What is recorded can change at every record node of the call.
            facts = data.draw(recorded_facts)
            node_id = engine.proceed(scenario, node_id, facts)
        engine.turn(scenario, node_id, data.draw(codes(["en", "es"])))
    result = engine.score(scenario, path, facts)
    assert 0 <= result["score"] <= 100
    assert result["passed"] == (
        result["score"] >= scenario.pass_mark and not result["critical_error"]
    )
    assert all(0 <= c["points"] <= c["weight"] for c in result["criteria"])
    assert len(result["steps"]) == len(path)
    json.dumps(result)
