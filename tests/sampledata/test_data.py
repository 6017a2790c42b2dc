"""The data files: every code in the fiction is one the apps know, so a typo in a JSON file
fails here rather than as a half-seeded demo."""

from __future__ import annotations

import json

import pytest

from puente.accounts.roles import Role
from puente.core import choices as c
from puente.directory import choices as dc
from puente.referrals import choices as rc
from puente.sampledata import demo, scenarios
from puente.sampledata.files import DATA_DIR, load
from puente.sampledata.referrals import REPORTS, STORIES


def codes(choices) -> set[str]:
    return set(choices.values)


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_data_file_is_utf8_json_that_says_what_it_holds(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data["about"].strip()


def test_load_hands_each_caller_its_own_copy():
    first = load("names")
    first["names"]["en_f"].clear()
    assert load("names")["names"]["en_f"]


def test_case_scenarios_use_the_picklists_codes():
    assert {s["country"] for s in scenarios.CASE_SCENARIOS} == {"US", "MX"}
    for s in scenarios.CASE_SCENARIOS:
        assert s["type"] in codes(c.ExploitationType), s["title"]
        assert s["level"] in codes(c.IndicatorLevel), s["title"]
        # "anonymous" in the data: the demo writes signaler type "unknown", anonymous.
        assert s["signaler"] in codes(c.SignalerType) | {"anonymous"}, s["title"]
        assert set(s["forms"]) <= codes(c.TypeOfExploitation), s["title"]
        assert set(s.get("mx", [])) <= codes(c.MexicoExploitationForm), s["title"]
        assert set(s["venues"]) <= codes(c.Venue), s["title"]
        assert set(s["control"]) <= codes(c.MethodOfControl), s["title"]
        assert set(s["recruitment"]) <= codes(c.MethodOfRecruitment), s["title"]
        assert set(s["exploiter"]["roles"]) <= codes(c.RoleInProcess), s["title"]
        assert s["victims"]["language"] in codes(c.Language), s["title"]
        if "relationship" in s:
            assert s["relationship"] in codes(c.RelationshipToTrafficker), s["title"]
        if s["country"] == "MX":
            assert s.get("mx"), s["title"]


def test_the_hotline_and_its_narratives_use_the_picklists_codes():
    for country in ["US", "MX"]:
        assert {member["role"] for member in demo.STAFF[country]} == codes(Role)
        assert [m["username"] for m in demo.STAFF[country]] == demo.DEMO_USERNAMES
        assert {channel for channel, _w in demo.CHANNELS[country]} <= codes(c.Channel)
        assert {reason for reason, _w in demo.REASONS[country]} <= codes(c.ReasonForContact)
        assert {language for language, _w in demo.LANGUAGES[country]} <= codes(c.Language)
        assert len(demo.KNOWN_CALLERS[country]["contacts"]) == 4
    assert set(demo.CLOSING_REASONS) <= codes(c.ClosingReason)
    assert len(demo.STATUS_BY_AGE) == demo.TARGET_CASES
    assert set(demo.STATUS_BY_AGE) <= codes(c.CaseStatus)
    assert set(scenarios.CONTACT_STORIES) <= codes(c.ReasonForContact)
    for lang in ["en", "es"]:
        assert set(scenarios.CLOSING_NOTES[lang]) <= codes(c.ClosingReason)


def test_providers_use_the_directorys_codes():
    data = load("providers")
    listings = data["providers"]["US"] + data["providers"]["MX"]
    assert len({p["external_id"] for p in listings}) == len(listings)
    for p in listings:
        assert p["external_id"].startswith("DEMO-")
        assert p["kind"] in codes(dc.ProviderKind), p["name"]
        assert set(p["services"]) <= codes(dc.Service), p["name"]
        assert set(p["populations"]) <= codes(dc.Population), p["name"]
        assert p["subdivision"][:2] in data["listing"]


def test_referral_stories_use_the_referrals_codes():
    for story in STORIES:
        assert story.cases in {"open", "closed"}
        assert story.service in codes(dc.Service)
        assert story.status in codes(rc.ReferralStatus)
        assert story.consent in codes(c.ConsentMethod) | {""}
        assert story.outcome in codes(rc.ReferralOutcome) | {""}
    for country, reports in REPORTS.items():
        assert reports["police"]["agency_type"] in codes(rc.AgencyType), country
        assert reports["police"]["method"] in codes(rc.ReportMethod), country
        assert reports["minor"]["method"] in codes(rc.ReportMethod), country
