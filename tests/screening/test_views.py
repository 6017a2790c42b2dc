from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases.models import Case
from puente.intake.models import Contact
from puente.screening.models import Protocol, Screening
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user

pytestmark = pytest.mark.django_db


def client_for(role):
    return signed_in_client(make_user(role))


# --- screening a contact ------------------------------------------------------------


def test_contact_page_shows_checklist_frame_protocol_and_is_audited(advocate, advocate_client):
    contact = make_contact(taken_by=advocate, reason="crisis", signaler_type="potential_victim")
    response = advocate_client.get(reverse("screening:contact", kwargs={"contact_id": contact.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Force" in page and "Labor and services" in page
    assert 'value="minor_commercial_sex"' in page
    assert "Passport or identity documents taken" in page
    assert '<option value="us_tvpa" selected>' in page
    assert "Crisis: a potential victim in danger" in page  # the specific protocol
    assert 'class="level level-none"' in page
    assert f'hx-post="{reverse("screening:preview")}"' in page
    assert AuditEntry.objects.filter(
        action="view", object_type="contact", object_id=str(contact.pk)
    ).exists()


def test_contact_page_can_switch_to_the_mexican_frame(advocate, advocate_client):
    # A caller in Mexico: the Mexican frame is offered on a U.S. hotline too.
    contact = make_contact(taken_by=advocate, country="MX", subdivision="MX-CHH")
    url = reverse("screening:contact", kwargs={"contact_id": contact.pk})
    page = advocate_client.get(url + "?frame=mx_lgt").content.decode()
    assert '<option value="mx_lgt" selected>' in page


def test_a_us_contact_is_screened_under_the_tvpa_only(advocate, advocate_client):
    contact = make_contact(taken_by=advocate)
    url = reverse("screening:contact", kwargs={"contact_id": contact.pk})
    page = advocate_client.get(url + "?frame=mx_lgt").content.decode()
    assert 'value="mx_lgt"' not in page and 'value="us_tvpa"' in page


def test_saving_a_contact_screening_stores_it_and_returns_to_the_contact(advocate, advocate_client):
    contact = make_contact(taken_by=advocate)
    response = advocate_client.post(
        reverse("screening:contact", kwargs={"contact_id": contact.pk}),
        {"legal_frame": "us_tvpa", "indicators": ["commercial_sex_third_party", "physical_abuse"]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:detail", kwargs={"contact_id": contact.pk})
    screening = Screening.objects.get(contact=contact)
    # Force alone is a means under the TVPA: every element is shown (issue 11, item 2).
    assert (screening.computed_level, screening.level) == ("high", "high")
    assert Contact.objects.get(pk=contact.pk).level_of_indicators == "high"
    # The stored result is what the page shows next time.
    page = advocate_client.get(
        reverse("screening:contact", kwargs={"contact_id": contact.pk})
    ).content.decode()
    assert 'data-testid="latest-screening"' in page
    assert "Commercial sex induced by force, fraud or coercion" in page
    assert "TVPA, 22 U.S.C. 7102(11)(A)" in page
    assert 'value="physical_abuse" checked' in page


def test_override_without_reason_shows_the_error_and_saves_nothing(advocate, advocate_client):
    contact = make_contact(taken_by=advocate)
    response = advocate_client.post(
        reverse("screening:contact", kwargs={"contact_id": contact.pk}),
        {
            "legal_frame": "us_tvpa",
            "indicators": ["irregular_status"],
            "override_level": "high",
            "override_reason": "hmm",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Write why you set a different level (at least 10 characters)." in page
    assert 'value="irregular_status" checked' in page  # the advocate's ticks survive
    assert not Screening.objects.exists()
    assert Contact.objects.get(pk=contact.pk).level_of_indicators == ""


def test_override_with_reason_is_saved_and_audited(advocate, advocate_client):
    contact = make_contact(taken_by=advocate)
    advocate_client.post(
        reverse("screening:contact", kwargs={"contact_id": contact.pk}),
        {
            "legal_frame": "us_tvpa",
            "indicators": ["irregular_status"],
            "override_level": "high",
            "override_reason": "Caller whispered that the door is locked from outside.",
        },
    )
    screening = Screening.objects.get(contact=contact)
    assert (screening.computed_level, screening.level) == ("low", "high")
    assert (
        AuditEntry.objects.get(action="override").reason
        == "Caller whispered that the door is locked from outside."
    )
    assert Contact.objects.get(pk=contact.pk).level_of_indicators == "high"


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.ANALYST, Role.LIAISON])
def test_roles_that_may_not_screen_are_refused(role):
    contact = make_contact()
    client = client_for(role)
    url = reverse("screening:contact", kwargs={"contact_id": contact.pk})
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"legal_frame": "us_tvpa", "indicators": ["physical_abuse"]}).status_code
        == 403
    )
    assert not Screening.objects.exists()
    assert AuditEntry.objects.filter(action="access_denied").count() == 2


def test_anonymous_is_sent_to_sign_in():
    contact = make_contact()
    for url in [
        reverse("screening:contact", kwargs={"contact_id": contact.pk}),
        reverse("screening:protocol") + "?reason=tip",
        reverse("screening:protocols"),
    ]:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"]
    response = Client().post(
        reverse("screening:contact", kwargs={"contact_id": contact.pk}),
        {"legal_frame": "us_tvpa", "indicators": ["physical_abuse"]},
    )
    assert response.status_code == 302
    assert not Screening.objects.exists()


def test_contact_in_a_restricted_case_is_refused_to_others(advocate_client, supervisor):
    case = make_case(created_by=supervisor, restricted=True)
    contact = make_contact(taken_by=supervisor, case=case)
    response = advocate_client.get(reverse("screening:contact", kwargs={"contact_id": contact.pk}))
    assert response.status_code == 403
    assert b"Force" not in response.content
    entry = AuditEntry.objects.get(action="access_denied", object_type="contact")
    assert entry.object_id == str(contact.pk)


# --- screening a case ---------------------------------------------------------------


def test_case_page_uses_the_first_contacts_protocol(advocate, advocate_client):
    case = make_case(created_by=advocate)
    make_contact(taken_by=advocate, case=case, reason="tip", signaler_type="community_member")
    page = advocate_client.get(
        reverse("screening:case", kwargs={"reference": case.reference})
    ).content.decode()
    assert case.reference in page
    assert "Tip from a member of the public" in page
    assert AuditEntry.objects.filter(
        action="view", object_type="case", object_ref=case.reference
    ).exists()


def test_case_without_contacts_gets_the_general_protocol(advocate, advocate_client):
    case = make_case(created_by=advocate, imminent_danger=True)
    page = advocate_client.get(
        reverse("screening:case", kwargs={"reference": case.reference})
    ).content.decode()
    assert "Crisis or emergency" in page


def test_saving_a_case_screening_updates_the_case_and_redirects(
    advocate, advocate_client, settings
):
    settings.PUENTE_COUNTRY = "MX"  # the Mexican frame, on a Mexican hotline
    case = make_case(created_by=advocate)
    response = advocate_client.post(
        reverse("screening:case", kwargs={"reference": case.reference}),
        {"legal_frame": "mx_lgt", "indicators": ["labour_no_pay", "withholds_documents"]},
    )
    assert response["Location"] == reverse("cases:detail", kwargs={"reference": case.reference})
    stored = Case.objects.get(pk=case.pk)
    assert stored.level_of_indicators == "high"
    assert stored.methods_of_control == ["WithholdsDocuments"]
    assert Screening.objects.get(case=case).legal_frame == "mx_lgt"


def test_restricted_case_is_refused_unless_named(advocate, advocate_client, supervisor):
    case = make_case(created_by=supervisor, restricted=True)
    url = reverse("screening:case", kwargs={"reference": case.reference})
    assert advocate_client.get(url).status_code == 403
    assert (
        advocate_client.post(
            url, {"legal_frame": "us_tvpa", "indicators": ["physical_abuse"]}
        ).status_code
        == 403
    )
    assert Case.objects.get(pk=case.pk).level_of_indicators == ""
    owner_page = signed_in_client(supervisor).get(url)
    assert owner_page.status_code == 200 and case.reference in owner_page.content.decode()


# --- live preview -------------------------------------------------------------------


def test_preview_returns_the_level_with_reasons_and_stores_nothing(advocate_client):
    response = advocate_client.post(
        reverse("screening:preview"),
        {"legal_frame": "us_tvpa", "indicators": ["minor_commercial_sex"]},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert 'id="screening-result"' in page and 'class="level level-high"' in page
    assert "22 U.S.C. 7102" in page
    assert "<html" not in page
    assert not Screening.objects.exists()


def test_preview_in_spanish_under_the_mexican_frame(advocate_client):
    advocate_client.cookies["puente_language"] = "es"
    page = advocate_client.post(
        reverse("screening:preview"),
        {"legal_frame": "mx_lgt", "indicators": ["forced_begging"]},
    ).content.decode()
    assert 'class="level level-moderate"' in page
    assert "Moderado" in page
    assert "Mendicidad forzosa (art. 10 VI)" in page


def test_preview_refused_to_analyst():
    response = client_for(Role.ANALYST).post(
        reverse("screening:preview"), {"indicators": ["physical_abuse"]}
    )
    assert response.status_code == 403


# --- protocol partial ---------------------------------------------------------------


def test_protocol_partial_is_a_fragment_with_the_steps(advocate_client):
    response = advocate_client.get(
        reverse("screening:protocol"), {"reason": "crisis", "signaler_type": "law_enforcement"}
    )
    page = response.content.decode()
    assert "<html" not in page and "<body" not in page
    assert "Crisis call from law enforcement" in page
    assert "badge number" in page
    assert page.count("<li>") == len(
        Protocol.objects.get(reason="crisis", signaler_type="law_enforcement").steps
    )


def test_protocol_partial_in_spanish(advocate_client):
    advocate_client.cookies["puente_language"] = "es"
    page = advocate_client.get(
        reverse("screening:protocol"), {"reason": "crisis", "signaler_type": "potential_victim"}
    ).content.decode()
    assert "Crisis: posible víctima en peligro" in page
    assert "Protocolo" in page
    assert "911" in page


def test_protocol_partial_without_reason_asks_for_one(advocate_client):
    page = advocate_client.get(reverse("screening:protocol")).content.decode()
    assert "Choose a reason for contact to see the protocol steps." in page


def test_protocol_partial_refused_to_administrator():
    assert (
        client_for(Role.ADMINISTRATOR)
        .get(reverse("screening:protocol"), {"reason": "tip"})
        .status_code
        == 403
    )


# --- protocol administration --------------------------------------------------------


def test_administrator_lists_protocols(administrator):
    page = signed_in_client(administrator).get(reverse("screening:protocols")).content.decode()
    assert "Crisis call from law enforcement" in page
    assert "Any signaler" in page
    first = Protocol.objects.order_by("reason", "signaler_type").first()
    assert reverse("screening:protocol_edit", kwargs={"pk": first.pk}) in page


def test_protocol_list_query_count_does_not_grow_with_rows(administrator):
    client = signed_in_client(administrator)
    client.get(reverse("screening:protocols"))  # warm the session
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("screening:protocols"))
    Protocol.objects.exclude(signaler_type="").delete()
    with CaptureQueriesContext(connection) as fewer:
        client.get(reverse("screening:protocols"))
    assert len(many) == len(fewer)


@pytest.mark.parametrize("role", [Role.ADVOCATE, Role.SUPERVISOR, Role.ANALYST])
def test_other_roles_may_not_administer_protocols(role):
    client = client_for(role)
    protocol = Protocol.objects.get(reason="tip", signaler_type="")
    assert client.get(reverse("screening:protocols")).status_code == 403
    response = client.post(
        reverse("screening:protocol_edit", kwargs={"pk": protocol.pk}),
        {"title_en": "X", "title_es": "X", "steps_en": "a", "steps_es": "a"},
    )
    assert response.status_code == 403
    assert (
        Protocol.objects.get(pk=protocol.pk).title_en
        == "Tip about a possible trafficking situation"
    )


def test_administrator_edits_a_protocol_and_the_change_is_audited(administrator):
    client = signed_in_client(administrator)
    protocol = Protocol.objects.get(reason="general_info", signaler_type="")
    url = reverse("screening:protocol_edit", kwargs={"pk": protocol.pk})
    page = client.get(url).content.decode()
    assert protocol.steps_es.splitlines()[0] in page
    response = client.post(
        url,
        {
            "title_en": protocol.title_en,
            "title_es": "Información general y orientación",
            "steps_en": protocol.steps_en,
            "steps_es": protocol.steps_es,
        },
    )
    assert response["Location"] == reverse("screening:protocols")
    assert Protocol.objects.get(pk=protocol.pk).title_es == "Información general y orientación"
    entry = AuditEntry.objects.get(action="change", object_type="protocol")
    assert entry.changes == [
        {
            "field": "title_es",
            "old": "Información general",
            "new": "Información general y orientación",
        }
    ]


def test_protocol_edit_requires_every_field(administrator):
    client = signed_in_client(administrator)
    protocol = Protocol.objects.get(reason="tip", signaler_type="")
    response = client.post(
        reverse("screening:protocol_edit", kwargs={"pk": protocol.pk}),
        {"title_en": "", "title_es": "x", "steps_en": "a", "steps_es": "a"},
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert (
        Protocol.objects.get(pk=protocol.pk).title_en
        == "Tip about a possible trafficking situation"
    )
    assert not AuditEntry.objects.filter(object_type="protocol").exists()


def test_screening_page_in_spanish(advocate, advocate_client):
    contact = make_contact(taken_by=advocate, reason="tip", signaler_type="community_member")
    advocate_client.cookies["puente_language"] = "es"
    page = advocate_client.get(
        reverse("screening:contact", kwargs={"contact_id": contact.pk})
    ).content.decode()
    assert "Fuerza" in page and "Trabajo y servicios" in page
    assert "Le quitaron el pasaporte o los documentos de identidad" in page
    assert "Reporte de una persona de la comunidad" in page
    assert "Guardar evaluación" in page


def test_mexican_hotline_screens_under_the_ley_general_by_default(
    settings, advocate, advocate_client
):
    settings.PUENTE_COUNTRY = "MX"
    contact = make_contact(taken_by=advocate, country="MX", subdivision="MX-CMX", city="CDMX")
    url = reverse("screening:contact", kwargs={"contact_id": contact.pk})
    assert '<option value="mx_lgt" selected>' in advocate_client.get(url).content.decode()
    advocate_client.post(url, {"legal_frame": "mx_lgt", "indicators": ["forced_begging"]})
    screening = Screening.objects.get(contact=contact)
    assert (screening.legal_frame, screening.computed_level) == ("mx_lgt", "moderate")


def test_case_screening_page_offers_the_cases_potential_victims_and_uses_their_age(
    advocate, advocate_client
):
    from puente.cases.models import Person

    case = make_case(created_by=advocate)
    girl = Person.objects.create(case=case, roles=["potential_victim"], first_name="Ana", age=15)
    Person.objects.create(case=case, roles=["exploiter"], first_name="Beto")
    url = reverse("screening:case", kwargs={"reference": case.reference})
    page = advocate_client.get(url).content.decode()
    assert f'<option value="{girl.pk}">Ana</option>' in page
    assert "Beto" not in page
    response = advocate_client.post(
        url,
        {"legal_frame": "us_tvpa", "indicators": ["commercial_sex_third_party"], "person": girl.pk},
    )
    assert response.status_code == 302
    screening = Screening.objects.get(case=case)
    assert (screening.person_id, screening.computed_level) == (girl.pk, "high")


# --- correcting what screenings put in a case ----------------------------------------


def test_correcting_the_findings_needs_a_reason_and_is_audited(advocate, advocate_client):
    from puente.audit.models import AuditEntry

    case = make_case(created_by=advocate, methods_of_control=["TakesEarnings"])
    url = reverse("screening:findings", kwargs={"reference": case.reference})
    page = advocate_client.get(url).content.decode()
    assert re.search(r'value="TakesEarnings"[^>]*checked', page)
    data = {
        "version": case.version,
        "level_of_indicators": "moderate",
        "exploitation_type": "labour",
        "methods_of_control": ["DebtBondage"],
    }
    refused = advocate_client.post(url, data)
    assert refused.status_code == 400
    assert Case.objects.get(pk=case.pk).methods_of_control == ["TakesEarnings"]
    response = advocate_client.post(url, {**data, "reason": "The debt is what keeps him there."})
    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert (stored.methods_of_control, stored.level_of_indicators) == (["DebtBondage"], "moderate")
    entry = AuditEntry.objects.filter(object_type="case", object_id=str(case.pk)).latest("id")
    assert (entry.actor_id, entry.reason) == (advocate.pk, "The debt is what keeps him there.")


def test_correcting_the_findings_is_refused_to_analyst_and_outsider(advocate, supervisor):
    case = make_case(created_by=supervisor, restricted=True)
    url = reverse("screening:findings", kwargs={"reference": case.reference})
    assert client_for(Role.ANALYST).get(url).status_code == 403
    assert signed_in_client(advocate).get(url).status_code == 403
    assert signed_in_client(supervisor).get(url).status_code == 200
