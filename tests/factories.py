"""Test data builders. Plain functions with keyword overrides: each test states only the
fields it cares about."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.training.models.practice import PracticeCall, PracticeStatus
from puente.training.scenarios import all_scenarios

PASSWORD = "correct horse battery staple 42"
_seq = itertools.count(1)


def make_user(
    role: str = Role.ADVOCATE, *, username: str | None = None, mfa: bool = False, **fields
) -> User:
    n = next(_seq)
    user = User.objects.create_user(
        username=username or f"{role}{n}",
        password=PASSWORD,
        first_name=fields.pop("first_name", role.capitalize()),
        last_name=fields.pop("last_name", f"Tester{n}"),
        role=role,
        **fields,
    )
    if mfa:
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


def make_contact(*, taken_by=None, **fields):
    from puente.intake.models import Contact

    defaults = dict(
        channel="phone",
        direction="inbound",
        started_at=timezone.now() - timedelta(minutes=5),
        signaler_type="community_member",
        language="eng",
        reason="tip",
        summary="Caller saw workers locked in a warehouse at night.",
        country="US",
        subdivision="US-TX",
        city="Houston",
    )
    defaults.update(fields)
    return Contact.objects.create(taken_by=taken_by, **defaults)


def make_case(*, created_by=None, **fields):
    """A case through the real domain function, so references and search entries exist."""
    from puente.cases import domain

    return domain.open_case(by=created_by or make_user(Role.ADVOCATE), **fields)


def make_practice_call(*, trainee, scenario: str | None = None, **fields):
    """A practice call as the console leaves it when finished (passed with 80, unless
    told otherwise); the first scenario of the curriculum by default."""
    values = {
        "scenario": scenario or all_scenarios()[0].slug,
        "scenario_version": "v1",
        "language": "en",
        "status": PracticeStatus.COMPLETED,
        "node": "end",
        "ended_at": timezone.now(),
        "score": 80,
        "passed": True,
        **fields,
    }
    return PracticeCall.objects.create(trainee=trainee, **values)
