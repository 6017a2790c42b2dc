from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from puente.audit.models import AuditEntry
from puente.core.choices import ReasonForContact
from puente.screening.domain import update_protocol
from puente.screening.models import Protocol
from puente.screening.queries import protocol_for

pytestmark = pytest.mark.django_db


def test_every_reason_has_a_seeded_protocol_for_any_signaler():
    general = set(Protocol.objects.filter(signaler_type="").values_list("reason", flat=True))
    assert general == set(ReasonForContact.values)


def test_seeded_protocols_carry_the_hotline_essentials_in_both_languages():
    crisis = Protocol.objects.get(reason="crisis", signaler_type="")
    assert "911" in crisis.steps_en and "911" in crisis.steps_es
    assert "safe to talk" in crisis.steps_en and "hablar con seguridad" in crisis.steps_es
    assert "under 18" in crisis.steps_en and "menor de 18" in crisis.steps_es
    assert "confidentiality you cannot keep" in crisis.steps_en
    assert "consent" in crisis.steps_en and "consentimiento" in crisis.steps_es
    for protocol in Protocol.objects.all():
        assert len(protocol.steps_en.splitlines()) == len(protocol.steps_es.splitlines()) >= 4


@pytest.mark.parametrize(
    ("reason", "signaler", "expected_title"),
    [
        ("crisis", "potential_victim", "Crisis: a potential victim in danger"),
        ("crisis", "law_enforcement", "Crisis call from law enforcement"),
        ("crisis", "family_friend", "Crisis or emergency"),  # no specific one: the general
        ("crisis", "", "Crisis or emergency"),
        ("tip", "community_member", "Tip from a member of the public"),
        ("tip", "anonymous", "Tip about a possible trafficking situation"),
        ("services", "potential_victim", "Services for a potential victim"),
        ("services", "business", "Request for services"),
    ],
)
def test_protocol_for_picks_the_most_specific(reason, signaler, expected_title):
    assert protocol_for(reason=reason, signaler_type=signaler).title_en == expected_title


def test_protocol_for_unknown_reason_is_none():
    assert protocol_for(reason="nonsense", signaler_type="") is None


def test_title_and_steps_follow_the_active_language():
    protocol = Protocol.objects.get(reason="tip", signaler_type="community_member")
    with translation.override("es"):
        assert protocol.title == "Reporte de una persona de la comunidad"
        assert protocol.steps[0].startswith("Agradezca a la persona")
    with translation.override("en"):
        assert protocol.title == "Tip from a member of the public"
        assert protocol.steps[0].startswith("Thank the caller")


def test_update_protocol_audits_every_changed_field(administrator):
    protocol = Protocol.objects.get(reason="hang_up", signaler_type="")
    old_title = protocol.title_en
    update_protocol(
        protocol=protocol, by=administrator, title_en="Silent call", steps_en=protocol.steps_en
    )
    protocol.refresh_from_db()
    assert protocol.title_en == "Silent call"
    entry = AuditEntry.objects.get(action="change", object_type="protocol")
    assert entry.changes == [{"field": "title_en", "old": old_title, "new": "Silent call"}]
    assert entry.actor == administrator


def test_update_protocol_without_change_writes_no_audit(administrator):
    protocol = Protocol.objects.get(reason="tip", signaler_type="")
    update_protocol(protocol=protocol, by=administrator, title_en=protocol.title_en)
    assert not AuditEntry.objects.filter(object_type="protocol").exists()


def test_advocate_may_not_edit_protocols(advocate):
    protocol = Protocol.objects.get(reason="tip", signaler_type="")
    with pytest.raises(PermissionDenied):
        update_protocol(protocol=protocol, by=advocate, title_en="Mine now")
    assert Protocol.objects.get(pk=protocol.pk).title_en != "Mine now"


def test_back_office_edits_are_audited_too(administrator, rf):
    from django.contrib import admin

    model_admin = admin.site._registry[Protocol]
    protocol = Protocol.objects.get(reason="training", signaler_type="")
    protocol.steps_en = "Record the request."
    request = rf.post("/backoffice/")
    request.user = administrator
    model_admin.save_model(request, protocol, form=None, change=True)
    entry = AuditEntry.objects.get(action="change", object_type="protocol")
    assert [change["field"] for change in entry.changes] == ["steps_en"]
    assert entry.changes[0]["new"] == "Record the request."
