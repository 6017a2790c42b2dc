"""The liaison's and the administrator's pages: send from a case, work the incoming
queue in one's own language, register partners and keys, retry a failed message."""

from __future__ import annotations

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.federation import domain
from puente.federation.models import CrossBorderReferral, OutboxMessage, PartnerKey
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user
from tests.federation.conftest import deliver, encode, offer_document, signed


def _received(partner):
    document = offer_document()
    deliver(signed(encode(document), partner.private_key, message_id=document["message_id"]))
    return CrossBorderReferral.objects.get(direction="incoming")


def test_the_case_page_offers_the_referral_and_the_form_sends_it(liaison, partner, own_key):
    case = make_case(
        created_by=liaison, title="Farm workers", forms_of_exploitation=["ForcedLabour"]
    )
    person = cases.add_person(
        case=case, by=liaison, role="potential_victim", first_name="Juan", gender="Masculine"
    )
    client = signed_in_client(liaison)
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "Refer to the partner hotline" in page
    form = client.get(f"/exchange/send/{case.reference}/").content.decode()
    assert "Phone number to reach the survivor" in form
    refused = client.post(
        f"/exchange/send/{case.reference}/",
        {
            "partner": partner.hotline.pk,
            "person": person.pk,
            "urgency": "routine",
            "summary": "x",
            "fields": ["prs_Gender"],
        },
    )
    assert refused.status_code == 200
    assert "only with the survivor" in refused.content.decode()
    assert not OutboxMessage.objects.exists()
    sent = client.post(
        f"/exchange/send/{case.reference}/",
        {
            "partner": partner.hotline.pk,
            "person": person.pk,
            "consent_given": "on",
            "consent_method": "verbal",
            "fields": ["prs_Gender", "vic_TypeOfExploitation"],
            "urgency": "urgent",
            "summary": "Needs legal help in Sonora.",
        },
    )
    assert sent.status_code == 302
    referral = CrossBorderReferral.objects.get()
    assert referral.shared == {
        "prs_Gender": "Masculine",
        "vic_TypeOfExploitation": ["ForcedLabour"],
    }
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "Sent to Línea Nacional (MX)" in page
    assert "Queued" in page


def test_an_advocate_without_the_liaison_role_is_not_offered_the_referral(
    advocate, partner, own_key
):
    case = make_case(created_by=advocate)
    client = signed_in_client(advocate)
    assert (
        "Refer to the partner hotline"
        not in client.get(f"/cases/{case.reference}/").content.decode()
    )
    assert client.get(f"/exchange/send/{case.reference}/").status_code == 403


def test_a_restricted_case_cannot_be_sent_by_someone_not_named_on_it(
    liaison, supervisor, partner, own_key
):
    case = make_case(created_by=supervisor)
    cases.restrict_case(case=case, by=supervisor)
    assert signed_in_client(liaison).get(f"/exchange/send/{case.reference}/").status_code == 403
    assert AuditEntry.objects.filter(action="access_denied", object_ref=case.reference).exists()


def test_the_incoming_referral_is_shown_in_spanish_with_the_summary_as_written(partner, own_key):
    liaison = make_user(Role.LIAISON)
    _received(partner)
    client = signed_in_client(liaison)
    client.cookies["puente_language"] = "es"
    queue = client.get("/exchange/incoming/").content.decode()
    assert "Mujer de 24 años" in queue
    referral = CrossBorderReferral.objects.get()
    page = client.get(f"/exchange/referrals/{referral.pk}/").content.decode()
    from django.utils import translation

    from puente.directory.choices import Service

    with translation.override("es"):
        shelter = str(Service.SHELTER.label)
    assert shelter != "Shelter / emergency housing" and shelter in page
    assert "Trabajo forzoso" in page
    assert "Mujer de 24 años, necesita refugio en Houston." in page
    assert AuditEntry.objects.filter(action="view", object_type="crossborderreferral").exists()


def test_accepting_and_opening_a_case_from_the_page(liaison, partner, own_key):
    referral = _received(partner)
    client = signed_in_client(liaison)
    bad = client.post(f"/exchange/referrals/{referral.pk}/status/", {"status": "declined"})
    assert bad.status_code == 400
    assert "Say why the referral is declined." in bad.content.decode()
    assert (
        client.post(
            f"/exchange/referrals/{referral.pk}/status/", {"status": "accepted"}
        ).status_code
        == 302
    )
    opened = client.post(f"/exchange/referrals/{referral.pk}/open-case/")
    referral.refresh_from_db()
    assert opened["Location"] == f"/cases/{referral.case.reference}/"
    case_page = client.get(opened["Location"]).content.decode()
    assert "Received from Línea Nacional (MX)" in case_page


def test_the_administrator_registers_a_partner_adds_and_revokes_a_key(administrator, own_key):
    from puente.federation import keys

    client = signed_in_client(administrator)
    created = client.post(
        "/exchange/partners/",
        {
            "name": "Línea Nacional",
            "country": "MX",
            "base_url": "https://mx.example",
            "active": "on",
        },
    )
    assert created.status_code == 302
    partner_url = created["Location"]
    bad = client.post(partner_url, {"public_key": "not a key"})
    assert "neither base64 nor a PEM block" in bad.content.decode()
    public = keys.public_info(keys.load_private_key(keys.generate_private_key_pem()))
    assert client.post(partner_url, {"public_key": public.public_key}).status_code == 302
    key = PartnerKey.objects.get()
    assert key.key_id == public.key_id
    client.post(f"/exchange/keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEntry.objects.filter(action="partner_change").count() == 3


def test_the_administrator_sees_a_failed_message_and_retries_it(
    administrator, liaison, partner, own_key
):
    case = make_case(created_by=liaison)
    domain.send_referral(
        case=case,
        partner=partner.hotline,
        by=liaison,
        consent_given=True,
        consent_method="written",
        fields=[],
        summary="Por favor llamen.",
    )
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(
        state="failed", attempts=60, last_error="HTTP 503"
    )
    client = signed_in_client(administrator)
    page = client.get(f"/exchange/partners/{partner.hotline.pk}/").content.decode()
    assert "HTTP 503" in page and "Retry" in page
    client.post(f"/exchange/messages/{message.pk}/retry/")
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("queued", 0)


def test_the_partners_page_shows_this_hotlines_public_key(administrator, own_key):
    from puente.federation import keys

    page = signed_in_client(administrator).get("/exchange/partners/").content.decode()
    assert keys.public_info(own_key).key_id in page


def test_the_partner_form_refuses_a_plain_http_address_outside_the_demo(administrator, settings):
    from puente.federation.models import PartnerHotline

    client = signed_in_client(administrator)
    form = {"name": "Línea Nacional", "country": "MX", "active": "on"}
    refused = client.post("/exchange/partners/", {**form, "base_url": "http://mx.example"})
    assert refused.status_code == 200
    assert "is plain HTTP: referrals would cross the network unencrypted" in (
        refused.content.decode().replace("&#x27;", "'")
    )
    assert not PartnerHotline.objects.exists()
    # Loopback is this machine: nothing crosses a network.
    local = client.post("/exchange/partners/", {**form, "base_url": "http://127.0.0.1:8001"})
    assert local.status_code == 302
    settings.PUENTE_DEMO = True
    demo = client.post(
        "/exchange/partners/", {**form, "name": "Demo", "base_url": "http://mx.example"}
    )
    assert demo.status_code == 302
    assert PartnerHotline.objects.count() == 2
