from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from puente.directory.geocode import locate
from puente.directory.models import ProviderTag
from puente.directory.queries import find_providers, haversine_km
from tests.directory.conftest import make_provider

pytestmark = pytest.mark.django_db


def _names(matches):
    return [m.provider.name for m in matches]


def test_haversine_houston_to_dallas():
    assert haversine_km(29.7604, -95.3698, 32.7767, -96.7970) == pytest.approx(362, abs=5)


def test_ranked_by_distance_from_the_place(admin_user):
    make_provider(by=admin_user, name="Dallas office", city="Dallas", postal_code="75201")
    make_provider(by=admin_user, name="Houston office", city="Houston", postal_code="77002")
    make_provider(by=admin_user, name="Austin office", city="Austin", postal_code="78701")
    matches = find_providers(
        need=None, language=None, population=None, near=locate(text="77003"), country=None
    )
    assert _names(matches) == ["Houston office", "Austin office", "Dallas office"]
    assert matches[0].distance_km < 5
    assert matches[2].distance_km == pytest.approx(360, abs=15)
    assert matches[2].distance_mi == pytest.approx(matches[2].distance_km / 1.609344)


def test_statewide_coverage_is_boosted_and_found_far_away(admin_user):
    # Based in Austin (~235 km from Houston) but serving all of Texas: beats a county
    # office in San Antonio (~300 km) that does not list Texas-wide coverage.
    make_provider(by=admin_user, name="San Antonio county office", city="San Antonio",
                  postal_code="78205", subdivision="US-LA", country="US")  # fmt: skip
    make_provider(by=admin_user, name="Statewide legal aid", city="Austin",
                  postal_code="78701", coverage=["US-TX"])  # fmt: skip
    matches = find_providers(near=locate(text="Houston, TX"))
    assert _names(matches)[0] == "Statewide legal aid"
    assert matches[0].covers_place is True


def test_coverage_tag_reaches_a_provider_outside_every_bounding_box(admin_user):
    for n in range(3):
        make_provider(by=admin_user, name=f"Near {n}", city="Houston", postal_code="77002")
    make_provider(by=admin_user, name="Chicago national line", city="Chicago",
                  subdivision="US-IL", postal_code="60602", coverage=["US-TX", "US-IL"])  # fmt: skip
    names = _names(find_providers(near=locate(text="77002"), limit=3))
    assert "Chicago national line" not in names
    names = _names(find_providers(near=locate(text="77002"), limit=10))
    assert "Chicago national line" in names


def test_open_24_7_boosted_for_a_crisis_need(admin_user):
    make_provider(by=admin_user, name="Day shelter", services=["shelter_emergency_housing"],
                  city="Houston", postal_code="77002")  # fmt: skip
    make_provider(by=admin_user, name="Night shelter", services=["shelter_emergency_housing"],
                  open_24_7=True, city="Houston", postal_code="77007")  # fmt: skip
    crisis = find_providers(need="shelter_emergency_housing", near=locate(text="77002"))
    assert _names(crisis) == ["Night shelter", "Day shelter"]


def test_filters_by_need_language_population_and_country(admin_user):
    make_provider(by=admin_user, name="Legal, Spanish, minors", services=["legal"],
                  languages=["spa"], populations=["minors"])  # fmt: skip
    make_provider(by=admin_user, name="Legal, English, adults", services=["legal"],
                  languages=["eng"], populations=["adults"])  # fmt: skip
    make_provider(by=admin_user, name="Medical, Spanish", services=["medical"], languages=["spa"])
    make_provider(by=admin_user, name="Inactive legal", services=["legal"], active=False)
    make_provider(by=admin_user, name="Mexico legal", services=["legal"], country="MX",
                  subdivision="MX-JAL", city="Guadalajara", postal_code="44100")  # fmt: skip
    assert set(_names(find_providers(need="legal"))) == {
        "Legal, Spanish, minors", "Legal, English, adults", "Mexico legal"
    }  # fmt: skip
    assert _names(find_providers(need="legal", language="spa", country="US")) == [
        "Legal, Spanish, minors"
    ]
    assert _names(find_providers(population="minors")) == ["Legal, Spanish, minors"]
    assert _names(find_providers(need="legal", country="MX")) == ["Mexico legal"]
    assert find_providers(need="legal", language="zap") == []


def test_stale_listing_flagged_and_pushed_down(admin_user):
    today = timezone.localdate()
    make_provider(by=admin_user, name="Checked", postal_code="77007",
                  last_verified=today - timedelta(days=30))  # fmt: skip
    old = make_provider(by=admin_user, name="Unchecked", postal_code="77002",
                        last_verified=today - timedelta(days=400))  # fmt: skip
    assert old.is_stale
    matches = find_providers(near=locate(text="77002"))
    by_name = {m.provider.name: m for m in matches}
    assert by_name["Unchecked"].stale is True and by_name["Checked"].stale is False
    never = make_provider(by=admin_user, name="Never", last_verified=None)
    assert never.is_stale


def test_tags_follow_the_lists(admin_user):
    provider = make_provider(by=admin_user, services=["legal", "medical"], languages=["spa"],
                             populations=["minors"], coverage=["US-TX", "US-NM"])  # fmt: skip
    tags = set(ProviderTag.objects.filter(provider=provider).values_list("kind", "code"))
    assert tags == {("s", "legal"), ("s", "medical"), ("l", "spa"), ("p", "minors"),
                    ("c", "US-TX"), ("c", "US-NM")}  # fmt: skip


def test_without_a_place_crisis_search_lists_24_7_first(admin_user):
    make_provider(by=admin_user, name="A day line", services=["hotline"])
    make_provider(by=admin_user, name="Z night line", services=["hotline"], open_24_7=True)
    assert _names(find_providers(need="hotline")) == ["Z night line", "A day line"]
    assert all(m.distance_km is None for m in find_providers(need="hotline"))
