from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from puente.accounts.roles import Role
from tests.factories import make_user

_seq = itertools.count(1)


def make_provider(*, by=None, **fields):
    """A listing through the real domain function (so its search tags exist)."""
    from puente.directory import domain

    n = next(_seq)
    defaults = dict(
        name=f"Provider {n}",
        kind="service_ngo",
        services=["case_management"],
        languages=["eng", "spa"],
        populations=["adults"],
        country="US",
        subdivision="US-TX",
        city="Houston",
        postal_code="77002",
        last_verified=timezone.localdate() - timedelta(days=30),
    )
    defaults.update(fields)
    return domain.create_provider(by=by or make_user(Role.ADMINISTRATOR), **defaults)


@pytest.fixture
def admin_user(db):
    return make_user(Role.ADMINISTRATOR)
