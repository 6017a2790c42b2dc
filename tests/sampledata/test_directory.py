"""The demo's service directory: both countries' invented listings, entered once."""

from __future__ import annotations

import pytest

from puente.directory.models import Provider
from puente.sampledata.directory import seed_demo_directory

pytestmark = pytest.mark.django_db


def test_demo_directory_seeds_both_countries_once():
    added = seed_demo_directory(country="US")
    assert added >= 55
    assert Provider.objects.filter(country="MX").count() >= 25
    assert Provider.objects.filter(country="US").count() >= 25
    assert Provider.objects.filter(latitude__isnull=True).count() == 0
    assert any(p.is_stale for p in Provider.objects.all())
    assert seed_demo_directory(country="US") == 0
