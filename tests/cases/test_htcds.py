"""Issue 11, items 6–9: HTCDS value lists against the reference, several roles per
person, anonymous apart from signaler type, each hotline's own categories, and the
migrations of existing rows (run on whichever database DATABASE_URL names)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from puente.cases import domain
from puente.cases.categories import recruitment_categories
from puente.cases.models import Person
from puente.cases.queries import case_page, persons_with_role_q
from puente.core import choices as c
from puente.core.hotline_categories import hotline_categories
from puente.federation import schema
from puente.intake import domain as intake
from tests.factories import make_case

REFERENCE = Path("/work/shared/reference/htcds.md")


def _htcds_values(field: str) -> list[str]:
    """The value names the reference lists for `field` (a row `| Field | Type | Values |`
    of its table), read from the file rather than copied."""
    if not REFERENCE.exists():
        pytest.skip("HTCDS reference not available")
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and field in re.split(r"[,\s]+", cells[0].rstrip("*")):
            values = cells[2].split(":", 1)[-1] if ":" in cells[2] else cells[2]
            values = re.sub(r"\([^)]*\)", "", values)
            return [v.strip(" *") for v in values.split(",") if v.strip(" *")]
    raise AssertionError(f"{field} not in the reference")


@pytest.mark.parametrize(
    ("field", "choices"),
    [
        ("RoleInProcess", c.RoleInProcess),
        ("TypeOfSexExploitation", c.TypeOfSexExploitation),
        ("ForcedLabourIndustry", c.ForcedLabourIndustry),
        ("TraffickingStatusDecisionMakingOrg", c.TraffickingStatusDecisionMakingOrg),
        ("RecruitmentWebsitesAndApps", c.WebsiteOrApp),
        ("TypeOfExploitation", c.TypeOfExploitation),
        ("MethodOfRecruitment", c.MethodOfRecruitment),
        ("Gender", c.Gender),
        ("TraffickingStatus", c.TraffickingStatus),
        ("RelationshipToTrafficker", c.RelationshipToTrafficker),
    ],
)
def test_htcds_picklists_hold_every_value_of_the_standard(field, choices):
    assert set(_htcds_values(field)) <= set(choices.values)
    assert _htcds_values(field)  # the parser read something


def test_the_missing_role_in_process_values_are_there():
    # Wrong before: TravellingPartner, TransferredIndividual, HarbouredIndividual and
    # ReceivedIndividual could not be recorded.
    assert set(_htcds_values("RoleInProcess")) == set(c.RoleInProcess.values)


@pytest.mark.django_db
def test_new_core_fields_are_stored(advocate):
    case = domain.open_case(
        by=advocate,
        types_of_sex_exploitation=["Pornography"],
        forced_labour_industries=["A_AgricultureForestryAndFishing"],
        recruitment_websites_and_apps=["Facebook", "4Sale"],
        exploitation_websites_and_apps=["WhatsApp"],
    )
    person = domain.add_person(
        case=case,
        by=advocate,
        roles=["potential_victim"],
        salutation="Sra.",
        title="Cook",
        birthdate="2001-02-03",
        trafficking_status="ActualVictimOfTrafficking",
        trafficking_status_decided_by="CourtOrProsecution",
        consent=True,
    )
    person.refresh_from_db()
    assert (person.salutation, person.title, str(person.birthdate)) == (
        "Sra.",
        "Cook",
        "2001-02-03",
    )
    assert (person.trafficking_status_decided_by, person.consent) == ("CourtOrProsecution", True)
    case.refresh_from_db()
    assert case.recruitment_websites_and_apps == ["Facebook", "4Sale"]
    with pytest.raises(ValidationError) as refused:
        domain.open_case(by=advocate, forced_labour_industries=["Z_Nothing"])
    assert "forced_labour_industries" in refused.value.message_dict


def test_age_group_crosses_the_border_under_an_ext_name():
    # Wrong before: "prs_AgeBroad" looked like HTCDS but is a CTDC name.
    names = {f.name for f in schema.SUBJECT_FIELDS}
    assert "ext_AgeBroad" in names and "prs_AgeBroad" not in names
    assert all(n.split("_", 1)[0] in {"prs", "vic", "cas", "ext"} for n in names)
    assert schema.CURRENT_VERSION == 4 and set(schema.SUPPORTED_VERSIONS) == {1, 2, 3, 4}


def _offer(version: int, subject: dict) -> dict:
    return {
        "schema": "puente-exchange",
        "schema_version": version,
        "type": "referral.offer",
        "message_id": "7a0d8a56-0f6e-4a57-9a38-3d0c5c3c1a01",
        "exchange_id": "7a0d8a56-0f6e-4a57-9a38-3d0c5c3c1a02",
        "sent_at": "2026-11-28T10:00:05+00:00",
        "from": {"hotline": "Línea Nacional", "country": "MX"},
        "body": {
            "sender_case_reference": "MX-2026-000007",
            "urgency": "routine",
            "consent": {"given": True, "method": "verbal", "recorded_at": "2026-11-28T10:00:00Z"},
            "summary": "",
            "subject": subject,
        },
    }


def test_older_versions_may_still_send_prs_age_broad_version_3_may_not():
    for version in (1, 2):
        parsed = schema.parse(_offer(version, {"prs_AgeBroad": "24-26"}))
        assert parsed.body["subject"] == {"ext_AgeBroad": "24-26"}
    assert schema.parse(_offer(3, {"ext_AgeBroad": "24-26"})).body["subject"] == {
        "ext_AgeBroad": "24-26"
    }
    with pytest.raises(schema.SchemaError) as refused:
        schema.parse(_offer(3, {"prs_AgeBroad": "24-26"}))
    assert "body.subject.prs_AgeBroad" in refused.value.errors


# --- item 7: several roles -------------------------------------------------------


@pytest.mark.django_db
def test_a_victim_who_calls_for_herself_is_one_person_in_two_roles(advocate):
    case = make_case(created_by=advocate)
    rosa = domain.add_person(
        case=case, by=advocate, roles=["signaler", "potential_victim"], first_name="Rosa"
    )
    assert rosa.roles == ["potential_victim", "signaler"]  # PersonRole order
    assert Person.objects.filter(case=case).count() == 1
    page = case_page(case_id=case.pk)
    groups = {code: [p.pk for p in people] for code, _label, people in page.persons_by_role}
    assert groups["potential_victim"] == [rosa.pk] and groups["signaler"] == [rosa.pk]
    assert list(Person.objects.filter(persons_with_role_q("signaler"))) == [rosa]
    assert not Person.objects.filter(persons_with_role_q("exploiter")).exists()
    # One role, as callers wrote it before: still accepted.
    mario = domain.add_person(case=case, by=advocate, role="exploiter", first_name="Mario")
    assert mario.roles == ["exploiter"] and mario.role == "exploiter"


@pytest.mark.django_db
def test_a_person_needs_a_role(advocate):
    case = make_case(created_by=advocate)
    with pytest.raises(Exception) as refused:
        domain.add_person(case=case, by=advocate, roles=[])
    assert "roles" in refused.value.message_dict


@pytest.mark.django_db
def test_the_api_shows_roles_and_the_first_as_role(advocate, advocate_client):
    case = make_case(created_by=advocate)
    domain.add_person(
        case=case, by=advocate, roles=["signaler", "potential_victim"], first_name="Rosa"
    )
    body = advocate_client.get(f"/api/v1/cases/{case.reference}").json()
    assert body["persons"][0]["roles"] == ["potential_victim", "signaler"]
    assert body["persons"][0]["role"] == "potential_victim"


# --- item 8: anonymous apart from signaler type -----------------------------------


def test_anonymous_is_no_longer_a_signaler_type():
    assert "anonymous" not in c.SignalerType.values
    assert "unknown" in c.SignalerType.values


@pytest.mark.django_db
def test_a_named_victim_and_an_anonymous_victim_can_both_be_recorded(advocate):
    named = intake.record_contact(
        by=advocate,
        data={"channel": "phone", "reason": "tip", "signaler_type": "potential_victim"},
    )
    hidden = intake.record_contact(
        by=advocate,
        data={
            "channel": "phone",
            "reason": "tip",
            "signaler_type": "potential_victim",
            "anonymous": "on",
        },
    )
    legacy = intake.record_contact(
        by=advocate, data={"channel": "sms", "reason": "tip", "signaler_type": "anonymous"}
    )
    assert (named.signaler_type, named.anonymous) == ("potential_victim", False)
    assert (hidden.signaler_type, hidden.anonymous) == ("potential_victim", True)
    assert (legacy.signaler_type, legacy.anonymous) == ("unknown", True)


# --- item 9: each hotline's own categories -------------------------------------


def test_mexico_ships_its_report_and_recruitment_categories():
    mx_reports = hotline_categories(
        directory=intake.CATEGORIES_DIRECTORY,
        key="report_categories",
        allowed=c.ReasonForContact.values,
        country="MX",
    )
    assert mx_reports.values == ["trata", "situacion_de_riesgo", "otros_delitos", "informacion"]
    mx = recruitment_categories(country="MX")
    assert {"oferta_trabajo_falsa", "enamoramiento"} <= set(mx.values)
    assert set(mx.maps_to(mx.values)) <= set(c.MethodOfRecruitment.values)
    us = recruitment_categories(country="US")
    assert us.values and set(us.maps_to(us.values)) <= set(c.MethodOfRecruitment.values)
    with translation.override("es"):
        assert dict(mx.choices)["enamoramiento"] == "Enamoramiento"
    with translation.override("en"):
        assert dict(mx.choices)["oferta_trabajo_falsa"] == "False job offer"


@pytest.mark.django_db
def test_a_mexican_report_category_is_recorded_and_sets_its_reason(advocate, settings):
    settings.PUENTE_COUNTRY = "MX"
    contact = intake.record_contact(
        by=advocate,
        data={"channel": "phone", "hotline_category": "situacion_de_riesgo"},
    )
    assert (contact.hotline_category, contact.reason) == ("situacion_de_riesgo", "high_risk")


@pytest.mark.django_db
def test_recruitment_by_enamoramiento_is_recorded_with_its_htcds_code(advocate, settings):
    settings.PUENTE_COUNTRY = "MX"
    case = domain.open_case(
        by=advocate, hotline_recruitment_methods=["enamoramiento", "redes_sociales"]
    )
    case.refresh_from_db()
    assert case.hotline_recruitment_methods == ["enamoramiento", "redes_sociales"]
    assert case.methods_of_recruitment == ["Other", "ThroughOnlineSocialNetworks"]


# --- migrations of existing rows -----------------------------------------------


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_persons_and_contacts_are_migrated():
    before = [("cases", "0003_narrative_max_length"), ("intake", "0002_narrative_max_length")]
    after = [("cases", "0004_person_roles_and_htcds_fields"), ("intake", "0003_signaler_anonymous")]
    try:
        old = _migrate(before)
        Case = old.get_model("cases", "Case")
        OldPerson = old.get_model("cases", "Person")
        Contact = old.get_model("intake", "Contact")
        case = Case.objects.create(reference="US-2026-999999")
        victim = OldPerson.objects.create(case=case, role="potential_victim", first_name="Ana")
        exploiter = OldPerson.objects.create(case=case, role="exploiter")
        common = {"channel": "phone", "reason": "tip", "started_at": "2026-11-28T10:00:00Z"}
        hidden = Contact.objects.create(signaler_type="anonymous", **common)
        named = Contact.objects.create(signaler_type="family_friend", **common)

        new = _migrate(after)
        NewPerson = new.get_model("cases", "Person")
        NewContact = new.get_model("intake", "Contact")
        assert NewPerson.objects.get(pk=victim.pk).roles == ["potential_victim"]
        assert NewPerson.objects.get(pk=exploiter.pk).roles == ["exploiter"]
        assert (
            NewContact.objects.filter(pk=hidden.pk).values_list("signaler_type", "anonymous").get()
        ) == ("unknown", True)
        assert (
            NewContact.objects.filter(pk=named.pk).values_list("signaler_type", "anonymous").get()
        ) == ("family_friend", False)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
