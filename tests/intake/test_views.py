from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.audit.queries import audit_entries
from puente.cases.domain import restrict_case
from puente.intake.models import Contact, IntakeDraft
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user

NUMBER = "+17135550142"
NEW = "/intake/new/"


def _html(response) -> str:
    return response.content.decode()


# --- Access ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name, kwargs",
    [
        ("intake:new", {}),
        ("intake:phone_lookup", {}),
        ("intake:list", {}),
    ],
)
def test_anonymous_is_sent_to_login(db, url_name, kwargs):
    url = reverse(url_name, kwargs=kwargs)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_administrator_cannot_reach_contacts(administrator):
    client = signed_in_client(administrator)
    contact = make_contact()
    for url in [
        NEW,
        reverse("intake:detail", args=[contact.pk]),
        reverse("intake:list"),
        reverse("intake:phone_lookup") + "?phone=7135550142",
    ]:
        assert client.get(url).status_code == 403, url
    assert AuditEntry.objects.filter(actor=administrator, action="access_denied").count() == 4
    assert not AuditEntry.objects.filter(
        actor=administrator, action__in=["view", "lookup"]
    ).exists()


def test_an_analyst_neither_reads_contacts_nor_takes_them(analyst):
    # Analysts work from counts (puente/insights): a caller's story is not theirs to read.
    client = signed_in_client(analyst)
    contact = make_contact(summary="Seen by analyst")
    assert client.get(NEW).status_code == 403
    response = client.get(reverse("intake:detail", args=[contact.pk]))
    assert response.status_code == 403
    assert "Seen by analyst" not in _html(response)


# --- The new-contact screen -----------------------------------------------------------------


def test_new_contact_screen(advocate_client):
    html = _html(advocate_client.get(NEW))
    assert 'name="channel"' in html and 'name="reason"' in html
    phone_input = re.search(r'<input[^>]*id="id_phone"[^>]*>', html).group(0)
    assert "autofocus" in phone_input and 'accesskey="p"' in phone_input
    assert (
        reverse("intake:phone_lookup") in phone_input and "input changed delay:300ms" in phone_input
    )
    assert '<option value="US" selected>' in html
    assert 'value="US-TX"' in html  # subdivisions of the default country
    assert reverse("intake:draft_save") in html and reverse("screening:protocol") in html
    assert "Type a phone number" in html
    assert "<script>" not in html and "style=" not in html


def test_screen_pop_prefills_number_and_shows_history(advocate, advocate_client):
    earlier = make_contact(phone=NUMBER, summary="Called last week about a farm")
    case = make_case(created_by=advocate)
    make_contact(phone=NUMBER, case=case)
    response = advocate_client.get(NEW + "?phone=%2B17135550142&channel=phone")
    html = _html(response)
    assert 'value="+17135550142"' in html
    assert '<option value="phone" selected>' in html
    assert re.search(r'<select name="reason"[^>]*autofocus', html)
    assert "lookup-panel has-history" in html
    assert reverse("intake:detail", args=[earlier.pk]) in html
    assert reverse("cases:detail", kwargs={"reference": case.reference}) in html
    assert "Called last week about a farm" in html
    assert audit_entries(obj=NUMBER).filter(action="lookup").count() == 1


def test_phone_lookup_partial(advocate, advocate_client):
    url = reverse("intake:phone_lookup")
    html = _html(advocate_client.get(url, {"phone": "(713) 555-0142"}))
    assert "No earlier contacts for this number." in html
    assert "has-history" not in html
    hidden = make_case(created_by=make_user(Role.SUPERVISOR), restricted=True, summary="Secret")
    make_contact(phone=NUMBER, case=hidden, summary="Secret contact")
    html = _html(advocate_client.get(url, {"phone": "713-555-0142"}))
    assert "lookup-panel has-history" in html
    assert f"A restricted case exists: {hidden.reference} (New)." in html
    assert "Secret" not in html
    assert audit_entries(obj=NUMBER).filter(action="lookup", actor=advocate).count() == 2
    html = _html(advocate_client.get(url, {"phone": "71"}))
    assert "Not a complete phone number yet." in html


def test_subdivisions_follow_the_country(advocate_client):
    html = _html(advocate_client.get(reverse("intake:subdivisions"), {"country": "MX"}))
    assert 'value="MX-CMX"' in html and "Ciudad de México" in html
    assert 'value="US-TX"' not in html and 'id="id_subdivision"' in html


def _post(client, **fields):
    data = {
        "channel": "phone",
        "reason": "tip",
        "direction": "inbound",
        "signaler_type": "community_member",
        "language": "eng",
        "country": "US",
        "started_at": "2026-03-01T10:15",
        "summary": "Caller saw workers locked in a warehouse.",
    }
    data.update(fields)
    return client.post(NEW, data)


def test_saving_records_contact_and_deletes_draft(advocate, advocate_client):
    draft_key = _html(advocate_client.get(NEW)).split('name="draft_key" id="draft-key" value="')[1][
        :36
    ]
    advocate_client.post(
        reverse("intake:draft_save"), {"draft_key": draft_key, "phone": "713", "channel": "phone"}
    )
    assert IntakeDraft.objects.filter(key=draft_key, owner=advocate).exists()
    response = _post(
        advocate_client,
        draft_key=draft_key,
        phone="713 555 0142",
        subdivision="US-TX",
        city="Houston",
        summary="Workers locked in",
        imminent_danger="on",
    )
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:detail", args=[contact.pk])
    assert (contact.phone, contact.phone_raw, contact.subdivision) == (
        NUMBER,
        "713 555 0142",
        "US-TX",
    )
    assert contact.imminent_danger and contact.taken_by == advocate
    assert contact.started_at.isoformat() == "2026-03-01T16:15:00+00:00"  # Chicago, UTC-6
    assert not IntakeDraft.objects.filter(key=draft_key).exists()


def test_bad_input_keeps_everything_typed(advocate_client):
    response = _post(
        advocate_client,
        reason="",
        phone="12",
        city="Houston",
        summary="Everything I typed",
        subdivision="US-TX",
    )
    html = _html(response)
    assert Contact.objects.count() == 0
    assert "Choose a reason for contact." in html
    assert "too short" in html
    assert 'value="12"' in html and "Everything I typed" in html and 'value="Houston"' in html
    assert '<option value="US-TX" selected>' in html
    assert "field-error" in html


# --- Drafts -----------------------------------------------------------------------------


def test_draft_survives_a_reload(advocate, advocate_client):
    response = advocate_client.post(
        reverse("intake:draft_save"),
        {
            "draft_key": "f" * 32,
            "phone": "+52 55 1234 5678",
            "channel": "whatsapp",
            "reason": "crisis",
            "country": "MX",
            "subdivision": "MX-CMX",
            "city": "Iztapalapa",
            "summary": "Half a story",
            "imminent_danger": "on",
            "started_at": "2026-03-01T10:15",
        },
    )
    draft = IntakeDraft.objects.get(owner=advocate)
    assert "Draft saved" in _html(response) and str(draft.key) in _html(response)
    html = _html(advocate_client.get(NEW, {"draft": str(draft.key)}))
    for fragment in [
        'value="+52 55 1234 5678"',
        '<option value="whatsapp" selected>',
        '<option value="crisis" selected>',
        '<option value="MX-CMX" selected>',
        'value="Iztapalapa"',
        "Half a story",
        'value="2026-03-01T10:15"',
        f'value="{draft.key}"',
    ]:
        assert fragment in html, fragment
    assert 'id="id_imminent_danger" checked' in html


def test_drafts_are_invisible_to_others(advocate, advocate_client):
    draft_response = advocate_client.post(
        reverse("intake:draft_save"), {"phone": "7135550142", "summary": "mine"}
    )
    draft = IntakeDraft.objects.get(owner=advocate)
    assert draft_response.status_code == 200
    other = signed_in_client(make_user(Role.ADVOCATE))
    assert other.get(NEW, {"draft": str(draft.key)}).status_code == 404
    assert str(draft.key) not in _html(other.get(NEW))
    # The owner sees it listed to resume.
    assert f"?draft={draft.key}" in _html(advocate_client.get(NEW))
    # Nobody else can discard it.
    other.post(reverse("intake:draft_discard", args=[draft.key]))
    assert IntakeDraft.objects.filter(pk=draft.pk).exists()
    advocate_client.post(reverse("intake:draft_discard", args=[draft.key]))
    assert not IntakeDraft.objects.filter(pk=draft.pk).exists()


# --- Contact page -------------------------------------------------------------------------


def test_contact_detail_shows_and_audits(advocate, advocate_client):
    contact = make_contact(
        phone=NUMBER,
        country="MX",
        subdivision="MX-CMX",
        city="Iztapalapa",
        level_of_indicators="high",
        reason="crisis",
    )
    html = _html(advocate_client.get(reverse("intake:detail", args=[contact.pk])))
    assert "+1 713-555-0142" in html
    assert "Iztapalapa, Ciudad de México, Mexico" in html
    assert "Crisis / emergency" in html and "level-high" in html
    assert reverse("screening:contact", kwargs={"contact_id": contact.pk}) in html
    assert reverse("intake:open_case", args=[contact.pk]) in html
    assert (
        AuditEntry.objects.filter(
            action="view", actor=advocate, object_type="contact", object_id=str(contact.pk)
        ).count()
        == 1
    )


def test_contact_detail_in_spanish(advocate_client):
    contact = make_contact(reason="crisis", channel="sms")
    advocate_client.cookies["puente_language"] = "es"
    html = _html(advocate_client.get(reverse("intake:detail", args=[contact.pk])))
    assert "Abrir un caso a partir de este contacto" in html


def test_contact_in_restricted_case_is_refused(advocate_client, advocate):
    owner = make_user(Role.SUPERVISOR)
    contact = make_contact(case=make_case(created_by=owner, restricted=True), summary="Secret")
    response = advocate_client.get(reverse("intake:detail", args=[contact.pk]))
    assert response.status_code == 403 and "Secret" not in _html(response)
    assert AuditEntry.objects.filter(
        action="access_denied", actor=advocate, object_id=str(contact.pk)
    ).exists()
    assert "Secret" in _html(
        signed_in_client(owner).get(reverse("intake:detail", args=[contact.pk]))
    )


def test_open_case_from_contact_page(advocate, advocate_client):
    contact = make_contact(summary="Open me", imminent_danger=True)
    response = advocate_client.post(reverse("intake:open_case", args=[contact.pk]))
    contact.refresh_from_db()
    assert contact.case is not None and contact.case.summary == "Open me"
    assert response["Location"] == reverse(
        "cases:detail", kwargs={"reference": contact.case.reference}
    )


def test_link_to_existing_case(advocate, advocate_client):
    contact = make_contact()
    case = make_case(created_by=advocate)
    advocate_client.post(
        reverse("intake:link_case", args=[contact.pk]), {"case_reference": case.reference}
    )
    contact.refresh_from_db()
    assert contact.case == case
    restricted = make_case(created_by=make_user(Role.SUPERVISOR), restricted=True)
    response = advocate_client.post(
        reverse("intake:link_case", args=[contact.pk]),
        {"case_reference": restricted.reference},
        follow=True,
    )
    contact.refresh_from_db()
    assert contact.case == case
    assert f"You may not add contacts to case {restricted.reference}." in _html(response)


def test_analyst_cannot_open_or_link(analyst):
    client = signed_in_client(analyst)
    contact = make_contact()
    assert client.post(reverse("intake:open_case", args=[contact.pk])).status_code == 403
    assert (
        client.post(
            reverse("intake:link_case", args=[contact.pk]), {"case_reference": "x"}
        ).status_code
        == 403
    )
    contact.refresh_from_db()
    assert contact.case is None


# --- List -------------------------------------------------------------------------------


def _list_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("intake:list"))
    return len(ctx.captured_queries), _html(response)


def test_contact_list_query_count_is_flat(advocate, advocate_client):
    make_contact(taken_by=advocate, case=make_case(created_by=advocate), summary="a")
    one, html = _list_queries(advocate_client)
    assert len(re.findall(r'href="/intake/contacts/\d+/"', html)) == 1
    for _n in range(2):
        make_contact(taken_by=make_user(Role.ADVOCATE), case=make_case(created_by=advocate))
    three, html = _list_queries(advocate_client)
    assert len(re.findall(r'href="/intake/contacts/\d+/"', html)) == 3
    assert one == three


def test_contact_list_hides_restricted(advocate_client):
    hidden = make_contact(case=make_case(created_by=make_user(Role.SUPERVISOR), restricted=True))
    shown = make_contact()
    html = _html(advocate_client.get(reverse("intake:list")))
    assert reverse("intake:detail", args=[shown.pk]) in html
    assert reverse("intake:detail", args=[hidden.pk]) not in html


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_new_contact_refuses_a_moment_outside_the_calendar(advocate_client, moment):
    # 9999-12-31 23:59 in Chicago is in year 10000 in UTC, where it would be stored; 0001-01-01
    # 00:00 there is still in year 1 (UTC is ahead): storable, but long before the hotline
    # began (issue 12), so refused for that reason.
    response = advocate_client.post(
        NEW, {"channel": "phone", "reason": "tip", "started_at": moment, "summary": "Typed."}
    )
    assert response.status_code == 200
    html = _html(response)
    assert not Contact.objects.exists()
    if moment.startswith("9999"):
        assert "Enter a date and time between the years 1 and 9999." in html
    else:
        assert "The hotline began taking contacts on 12/07/2007" in html


def test_new_contact_date_error_is_in_spanish(advocate_client):
    advocate_client.cookies["puente_language"] = "es"
    response = advocate_client.post(
        NEW, {"channel": "phone", "reason": "tip", "started_at": "9999-12-31T23:59"}
    )
    assert "Escriba una fecha y una hora entre los años 1 y 9999." in _html(response)


@pytest.mark.django_db
def test_the_contacts_of_one_case_are_listed_for_whoever_may_open_it():
    advocate = make_user(Role.ADVOCATE)
    case = make_case(created_by=advocate)
    mine = make_contact(taken_by=advocate, case=case, summary="In the case")
    make_contact(taken_by=advocate, summary="Elsewhere")
    page = signed_in_client(advocate).get(reverse("intake:list"), {"case": case.reference})
    assert page.status_code == 200
    listed = re.findall(r'href="/intake/contacts/(\d+)/"', page.content.decode())
    assert listed == [str(mine.pk)]
    assert AuditEntry.objects.filter(object_ref=f"case {case.reference} list page 1").exists()


@pytest.mark.django_db
def test_a_restricted_case_s_contacts_are_not_listed_for_someone_not_named_on_it():
    owner = make_user(Role.ADVOCATE)
    supervisor = make_user(Role.SUPERVISOR)
    case = make_case(created_by=owner)
    make_contact(taken_by=owner, case=case)
    restrict_case(case=case, by=supervisor)
    stranger = make_user(Role.ADVOCATE)
    page = signed_in_client(stranger).get(reverse("intake:list"), {"case": case.reference})
    assert page.status_code == 403
