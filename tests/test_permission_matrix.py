"""The permission matrix: every page and every API route, asked by every role (and by
nobody), is either served or refused exactly as `puente.accounts.roles` says.

Pages declare the permission they need with `require_perm`; the test reads it from the
URL resolver, so a new page cannot be added without a permission (see
`test_every_page_declares_its_permission`).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from puente.accounts.roles import Role, permissions_for
from puente.channels.models import Conversation
from puente.core import choices as c
from puente.core.permissions import Perm
from puente.directory.models import Provider
from puente.intake.domain import record_inbound_contact
from puente.intake.models import IntakeDraft
from puente.screening.models import Protocol
from puente.sharing.models.htcds import HtcdsExport, HtcdsImport
from puente.training.models.quality import Review, Rubric
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_practice_call, make_user
from tests.insights.test_report_views import finished_run
from tests.sharing.test_release_views import released

ROLES = [role.value for role in Role]
# Pages open to any signed-in person or to nobody-yet (sign-in itself): not case data.
PAGES_WITHOUT_A_PERMISSION = {
    "core:home",
    "accounts:login",
    "accounts:logout",
    "accounts:mfa_verify",
    "accounts:mfa_enrol",
    "accounts:recovery_codes",
    # The one-time link an administrator hands a new or reset account: the token is the key.
    "accounts:set_password",
    # The idle warning and kept typing: the person's own session and own kept forms
    # (tests/accounts/test_kept_typing.py); JSON 401 without a session.
    "accounts:session_status",
    "accounts:session_renew",
    "accounts:held_draft_take",
    "accounts:held_draft_discard",
    "set_language",
    "javascript-catalog",
    # Partner hotlines' door: signed (RFC 9421), not signed-in; tests/federation covers it.
    "federation:inbox",
    # The provider's webhooks: signed (X-Twilio-Signature, the inbound-mail HMAC), not
    # signed-in; tests/channels covers them.
    "channels:voice",
    "channels:voice_language",
    "channels:voice_status",
    "channels:messaging",
    "channels:messaging_status",
    "channels:email_inbound",
    # The public site: for anyone, no account (tests/public covers abuse limits).
    "public:home",
    "public:trafficking",
    "public:reaching_out",
    "public:tip",
    "public:chat",
    "public:chat_start",
    "public:chat_messages",
    "public:chat_send",
    "public:chat_end",
    "public:language",
}


def _pages():
    found = []

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if namespace == "" and pattern.namespace in {"admin", "api-v1"}:
                    continue  # the back office has its own checks; the API is tested below
                ns = ":".join(p for p in [namespace, pattern.namespace or ""] if p)
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, prefix + str(pattern.pattern), pattern.callback))

    walk(get_resolver().url_patterns)
    return found


PAGES = _pages()
GUARDED_PAGES = [
    (name, route, view) for name, route, view in PAGES if name not in PAGES_WITHOUT_A_PERMISSION
]


def test_every_page_declares_its_permission():
    undeclared = [
        name for name, _route, view in GUARDED_PAGES if not getattr(view, "required_perm", None)
    ]
    assert undeclared == []


def _partner_world() -> dict:
    """A registered partner with a key, a referral it sent, and a failed message to it."""
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.utils import timezone

    from puente.federation import keys
    from puente.federation.models import (
        CrossBorderReferral,
        OutboxMessage,
        PartnerHotline,
        PartnerKey,
    )

    partner = PartnerHotline.objects.create(
        name="Línea Nacional", country="MX", base_url="https://mx.example"
    )
    public = Ed25519PrivateKey.generate().public_key()
    key = PartnerKey.objects.create(
        partner=partner,
        key_id=keys.key_id_for(public),
        public_key=base64.b64encode(keys.raw_public_bytes(public)).decode(),
    )
    referral = CrossBorderReferral.objects.create(
        direction="incoming",
        partner=partner,
        summary="Necesita refugio.",
        consent_method="verbal",
        consent_recorded_at=timezone.now(),
    )
    message = OutboxMessage.objects.create(
        partner=partner,
        message_type="referral.status",
        body="{}",
        state="failed",
        next_attempt_at=timezone.now(),
    )
    return {
        "partner_id": partner.pk,
        "key_id": key.pk,
        "cross_border_id": referral.pk,
        "message_id": message.pk,
    }


def _api_key(user) -> int:
    from puente.accounts.domain import create_api_key

    key, _raw = create_api_key(name="Telephony bridge", user=user, scopes=[Perm.PHONE_LOOKUP])
    return key.pk


@pytest.fixture
def world(db):
    owner = make_user(Role.ADVOCATE)
    case = make_case(created_by=owner, title="Warehouse workers")
    from puente.cases import domain as cases
    from puente.referrals import domain as referrals

    person = cases.add_person(case=case, by=owner, role="potential_victim", first_name="Rosa")
    task = cases.add_task(case=case, by=owner, title="Call back")
    contact = make_contact(taken_by=owner, case=case)
    draft = IntakeDraft.objects.create(owner=owner, data={})
    protocol = Protocol.objects.first()
    partner = _partner_world()
    # An HTCDS export and an import (tests/sharing).
    htcds_export = HtcdsExport.objects.create(
        requested_by=owner, via="web", file_format="csv", language="en"
    )
    htcds_import = HtcdsImport.objects.create(
        uploaded_by=owner, via="web", original_name="partner.csv", file_format="csv"
    )
    return {
        **partner,
        "contact_id": contact.pk,
        "reference": case.reference,
        "person_id": person.pk,
        "task_id": task.pk,
        "user_id": owner.pk,
        "pk": protocol.pk if protocol else 1,
        "key": draft.key,
        "provider_id": Provider.objects.create(name="Casa Refugio", country="MX").pk,
        "token": "no-such-import",
        "thread_id": Conversation.objects.create(
            channel=c.Channel.SMS,
            address="+17135550100",
            hotline_address="233733",
            contact=record_inbound_contact(channel=c.Channel.SMS, via="test", phone="+17135550100"),
            opened_at=timezone.now(),
            last_message_at=timezone.now(),
        ).pk,
        "action": "claim",
        # A dashboard chart, for its CSV download (insights).
        "chart": "cases-by-type",
        "api_key_id": _api_key(owner),
        "referral_id": referrals.record_referral(
            case=case,
            by=owner,
            service="legal",
            provider_name="Casa Refugio",
            consent_given=True,
            consent_method="verbal",
        ).pk,
        # A finished periodic report and one of its figures (tests/insights).
        "run_id": finished_run().pk,
        "row": "signals_total",
        # A released table (tests/sharing).
        "release_id": released().pk,
        # A proposed match between persons (networks, linkage): any number; a pair that
        # is not there is answered as gone.
        "link_id": 1,
        # A seeded knowledge-base article, its first version, and a review of the
        # contact (training).
        "slug": "safety-planning",
        "number": 1,
        "review_id": Review.objects.create(
            contact=contact,
            advocate=owner,
            rubric=Rubric.objects.get(current=True),
            contact_at=contact.started_at,
        ).pk,
        # A finished practice call (training: the console's pages and its result).
        "call_id": make_practice_call(trainee=owner).pk,
        "export_id": htcds_export.pk,
        "import_id": htcds_import.pk,
        "report_id": referrals.record_authority_report(
            case=case,
            by=owner,
            agency_name="Policía",
            agency_type="local_police",
            method="phone",
            consent_given=True,
        ).pk,
    }


def _url(route: str, values: dict) -> str:
    import re

    def fill(match):
        return str(values[match.group(2)])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)


@pytest.mark.parametrize("name,route,view", GUARDED_PAGES, ids=[p[0] for p in GUARDED_PAGES])
def test_page_permissions_for_every_role(name, route, view, world):
    url = _url(route, world)
    for anonymous in (Client().get(url), Client().post(url, {})):
        # Sent to sign in, or (a POST-only page asked with GET) turned away before any work.
        assert anonymous.status_code == 405 or (
            anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        ), (name, anonymous.status_code)
    for role in ROLES:
        client = signed_in_client(make_user(role))
        allowed = view.required_perm in permissions_for(role)
        responses = [client.get(url), client.post(url, {})]
        statuses = [r.status_code for r in responses]
        if allowed:
            assert any(s not in (403, 405) for s in statuses), (name, role, statuses)
            assert all(s < 500 for s in statuses), (name, role, statuses)
        else:
            assert all(s in (403, 405) for s in statuses), (name, role, statuses)
            assert 403 in statuses, (name, role, statuses)


# The API: (method, path, body, permission). Paths are filled from the world fixture.
API_ROUTES = [
    ("get", "/api/v1/phone-lookup?number=7135550142", None, Perm.PHONE_LOOKUP),
    ("get", "/api/v1/contacts", None, Perm.CONTACT_VIEW),
    ("get", "/api/v1/contacts/{contact_id}", None, Perm.CONTACT_VIEW),
    ("post", "/api/v1/contacts", {"channel": "phone", "reason": "tip"}, Perm.CONTACT_CREATE),
    ("get", "/api/v1/cases", None, Perm.CASE_VIEW),
    ("get", "/api/v1/cases/{reference}", None, Perm.CASE_VIEW),
    ("post", "/api/v1/cases", {"title": "From the API"}, Perm.CASE_CREATE),
    (
        "patch",
        "/api/v1/cases/{reference}",
        {"version": "{version}", "title": "Renamed"},
        Perm.CASE_EDIT,
    ),
    ("get", "/api/v1/search?q=warehouse", None, Perm.SEARCH),
    ("get", "/api/v1/directory/providers?need=legal", None, Perm.DIRECTORY_VIEW),
    ("get", "/api/v1/cases/{reference}/referrals", None, Perm.CASE_VIEW),
]


@pytest.mark.parametrize(
    "method,path,body,perm", API_ROUTES, ids=[f"{r[0]} {r[1]}" for r in API_ROUTES]
)
def test_api_permissions_for_every_role(method, path, body, perm, world):
    url = path.format(**world)

    def call(client):
        from puente.cases.models import Case

        # A PATCH names the version it read: read it afresh, as a client would.
        current = Case.objects.get(reference=world["reference"]).version
        payload = {k: (current if v == "{version}" else v) for k, v in (body or {}).items()}
        kwargs = {"content_type": "application/json", "data": json.dumps(payload)} if body else {}
        return getattr(client, method)(url, **kwargs)

    assert call(Client()).status_code == 401
    for role in ROLES:
        status = call(signed_in_client(make_user(role))).status_code
        if perm in permissions_for(role):
            assert status in (200, 201), (role, url, status)
        else:
            assert status == 403, (role, url, status)


def test_restricted_case_is_refused_to_staff_not_named_on_it(world, supervisor):
    from puente.cases import domain as cases
    from puente.cases.models import Case

    case = Case.objects.get(reference=world["reference"])
    cases.restrict_case(case=case, by=supervisor)
    outsider = signed_in_client(make_user(Role.ADVOCATE))
    page = outsider.get(f"/cases/{case.reference}/")
    assert "Warehouse workers" not in page.content.decode()
    assert outsider.get(f"/api/v1/cases/{case.reference}").status_code == 403
    assert outsider.get(f"/intake/contacts/{world['contact_id']}/").status_code == 403
    named = signed_in_client(supervisor)
    assert "Warehouse workers" in named.get(f"/cases/{case.reference}/").content.decode()


# The audit list, per role, on a restricted case: who may read the entries' content.
# "refused": no audit.view; "hidden": the rows, never the content; "shown": the content.
AUDIT_CONTENT_BY_ROLE = {
    Role.ADVOCATE: "refused",
    Role.SUPERVISOR: "hidden",  # not named on the case
    Role.LIAISON: "refused",
    Role.ANALYST: "refused",
    Role.ADMINISTRATOR: "hidden",  # no case access at all, by design
    Role.TRAINEE: "refused",  # practice only: the sandbox, never the real trail
}


def test_audit_list_content_for_every_role(world, supervisor):
    from puente.cases import domain as cases
    from puente.cases.models import Case

    case = Case.objects.get(reference=world["reference"])
    cases.restrict_case(case=case, by=supervisor)  # which names the supervisor on it
    url = f"/audit/?obj={case.reference}"
    assert set(AUDIT_CONTENT_BY_ROLE) == set(Role)
    for role, expected in AUDIT_CONTENT_BY_ROLE.items():
        page = signed_in_client(make_user(role)).get(url)
        assert (page.status_code == 403) is (expected == "refused"), role
        assert (Perm.AUDIT_VIEW in permissions_for(role)) is (expected != "refused"), role
        if expected == "hidden":
            assert case.reference in page.content.decode()
            assert "Rosa" not in page.content.decode(), role
    named = signed_in_client(supervisor).get(url).content.decode()
    assert "Rosa" in named  # the person added to the case, in the creation entry's diff
