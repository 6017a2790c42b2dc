"""Builders for referral tests: directory listings, referrals and reports made through
the real domain functions, so audit entries and snapshots exist as in use."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from puente.accounts.roles import Role
from tests.factories import make_user

_seq = itertools.count(1)


def make_listing(**fields):
    from puente.directory import domain

    n = next(_seq)
    defaults = dict(
        name=f"Listing {n}",
        kind="shelter",
        services=["shelter_emergency_housing", "case_management"],
        languages=["eng", "spa"],
        country="US",
        subdivision="US-TX",
        city="Houston",
        last_verified=timezone.localdate() - timedelta(days=30),
    )
    defaults.update(fields)
    return domain.create_provider(by=make_user(Role.ADMINISTRATOR), **defaults)


def make_referral(*, case, by, **fields):
    from puente.referrals import domain

    defaults = dict(
        service="shelter_emergency_housing",
        provider_name="Casa Amiga",
        consent_given=True,
        consent_method="verbal",
    )
    defaults.update(fields)
    return domain.record_referral(case=case, by=by, **defaults)


def make_report(*, case, by, **fields):
    from puente.referrals import domain

    defaults = dict(
        agency_name="Houston Police Department",
        agency_type="local_police",
        method="phone",
        consent_given=True,
    )
    defaults.update(fields)
    return domain.record_authority_report(case=case, by=by, **defaults)


def add_minor(*, case, by, **fields):
    """A potential victim under 18 on `case`: what the "a minor" legal duty needs."""
    from puente.cases import domain

    values = dict(role="potential_victim", first_name="Ana", age=15)
    values.update(fields)
    return domain.add_person(case=case, by=by, **values)
