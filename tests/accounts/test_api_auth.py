from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import timezone

from puente.accounts.api_auth import ApiKeyAuth, api_can
from puente.accounts.domain import create_api_key, revoke_api_key
from puente.accounts.models import ApiKey
from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.core.permissions import Perm
from tests.factories import make_user


def authenticate(raw: str):
    request = RequestFactory().get("/api/v1/anything", HTTP_AUTHORIZATION=f"Bearer {raw}")
    key = ApiKeyAuth()(request)
    return request, key


@pytest.mark.django_db
def test_a_key_works_within_its_scope_only():
    bridge = make_user(Role.ADVOCATE, username="bridge")
    key, raw = create_api_key(name="Telephony bridge", user=bridge, scopes=[Perm.PHONE_LOOKUP])
    request, authed = authenticate(raw)
    assert authed == key
    assert request.user == bridge and request.api_key == key
    assert api_can(request, Perm.PHONE_LOOKUP) is True
    # The acting person may read cases, but this key was not given that scope.
    assert bridge.can(Perm.CASE_VIEW)
    assert api_can(request, Perm.CASE_VIEW) is False


@pytest.mark.django_db
def test_only_the_digest_is_stored_and_use_is_recorded():
    key, raw = create_api_key(
        name="Bridge", user=make_user(Role.ADVOCATE), scopes=[Perm.PHONE_LOOKUP]
    )
    key.refresh_from_db()
    assert raw.startswith("pk_") and raw not in key.key_hash and key.key_hash == ApiKey.digest(raw)
    assert key.key_prefix == raw[:10]
    assert key.last_used_at is None
    authenticate(raw)
    key.refresh_from_db()
    assert key.last_used_at is not None


@pytest.mark.django_db
def test_a_revoked_key_is_refused():
    key, raw = create_api_key(
        name="Bridge", user=make_user(Role.ADVOCATE), scopes=[Perm.PHONE_LOOKUP]
    )
    revoke_api_key(key_id=key.pk)
    _request, authed = authenticate(raw)
    assert authed is None
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_at <= timezone.now()


@pytest.mark.django_db
def test_a_key_of_a_deactivated_person_is_refused():
    user = make_user(Role.ADVOCATE)
    _key, raw = create_api_key(name="Bridge", user=user, scopes=[Perm.PHONE_LOOKUP])
    user.is_active = False
    user.save()
    assert authenticate(raw)[1] is None


@pytest.mark.django_db
def test_made_up_keys_are_refused():
    assert authenticate("pk_" + "x" * 43)[1] is None
    assert authenticate("not-even-a-key")[1] is None


@pytest.mark.django_db
def test_issuing_and_revoking_keys_is_audited():
    key, _raw = create_api_key(
        name="Bridge", user=make_user(Role.ADVOCATE, username="ana"), scopes=[Perm.PHONE_LOOKUP]
    )
    revoke_api_key(key_id=key.pk)
    entries = list(AuditEntry.objects.filter(action="api_key").order_by("id"))
    assert [e.object_id for e in entries] == [str(key.pk), str(key.pk)]
    assert entries[0].changes == [{"field": "scopes", "old": None, "new": ["phone.lookup"]}]
    assert entries[1].changes[0]["field"] == "revoked_at"
    assert all(e.via == "cli" for e in entries)
