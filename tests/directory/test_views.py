from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.directory.models import ImportBatch, Provider
from tests.conftest import signed_in_client
from tests.directory.conftest import make_provider
from tests.directory.test_domain import GOOD
from tests.factories import make_case, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user):
    return signed_in_client(admin_user)


# --- access by role ---------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(admin_user):
    provider = make_provider(by=admin_user)
    for url in [
        reverse("directory:search"),
        reverse("directory:detail", args=[provider.pk]),
        reverse("directory:manage"),
        reverse("directory:new"),
        reverse("directory:edit", args=[provider.pk]),
        reverse("directory:import"),
    ]:
        response = Client().get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"] and "next=" in response["Location"]


def test_advocate_searches_but_cannot_edit(advocate_client, admin_user):
    provider = make_provider(by=admin_user, name="Harbor Light")
    page = advocate_client.get(reverse("directory:search"), {"near": "77002"})
    assert page.status_code == 200
    assert "Harbor Light" in page.content.decode()
    assert reverse("directory:edit", args=[provider.pk]) not in page.content.decode()
    for url in [reverse("directory:edit", args=[provider.pk]), reverse("directory:new")]:
        assert advocate_client.get(url).status_code == 403
    response = advocate_client.post(
        reverse("directory:edit", args=[provider.pk]), {"name": "Hijacked", "version": 1}
    )
    assert response.status_code == 403
    provider.refresh_from_db()
    assert provider.name == "Harbor Light"


def test_administrator_manages_but_does_not_search_cases_directory(admin_client, admin_user):
    make_provider(by=admin_user, name="Harbor Light")
    page = admin_client.get(reverse("directory:manage"))
    assert page.status_code == 200 and "Harbor Light" in page.content.decode()
    assert admin_client.get(reverse("directory:search")).status_code == 403


# --- search page ------------------------------------------------------------------


def test_search_shows_distance_badges_and_stale_flag(advocate_client, admin_user):
    make_provider(by=admin_user, name="Night Shelter", services=["shelter_emergency_housing"],
                  open_24_7=True, languages=["spa"], populations=["women"])  # fmt: skip
    make_provider(by=admin_user, name="Old Shelter", services=["shelter_emergency_housing"],
                  last_verified=timezone.localdate() - timedelta(days=500),
                  city="Dallas", postal_code="75201")  # fmt: skip
    make_provider(by=admin_user, name="Clinic", services=["medical"])
    page = advocate_client.get(
        reverse("directory:search"),
        # Dallas is some 225 miles away: past the 50-mile default.
        {"need": "shelter_emergency_housing", "near": "Houston, TX", "within": "250"},
    )
    html = page.content.decode()
    assert html.index("Night Shelter") < html.index("Old Shelter")
    assert "Clinic" not in html
    assert "Nearest to Houston, TX." in html
    assert "24/7" in html
    assert "Not verified since" in html
    # A U.S. hotline sees miles first, kilometres beside them.
    assert re.search(r'data-testid="distance">\d+ mi \(\d+ km\)', html)
    assert "Spanish" in html and "Women" in html


def test_search_is_translated(advocate, admin_user):
    advocate.language = "es"
    advocate.save()
    make_provider(by=admin_user, name="Casa", languages=["spa"], populations=["minors"])
    client = signed_in_client(advocate)
    html = client.get(
        reverse("directory:search"), {"near": "77002"}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Español" in html and "Menores de edad" in html


def test_unknown_place_is_an_error_not_a_result(advocate_client, admin_user):
    make_provider(by=admin_user, name="Harbor Light")
    html = advocate_client.get(reverse("directory:search"), {"near": "Atlantis"}).content.decode()
    assert "We could not place" in html
    assert "Harbor Light" not in html


def test_search_query_count_does_not_grow_with_results(advocate_client, admin_user):
    def count(n):
        Provider.objects.all().delete()
        for i in range(n):
            make_provider(by=admin_user, name=f"P{i}", services=["legal"])
        advocate_client.get(reverse("directory:search"))  # session and MFA checks settle
        with CaptureQueriesContext(connection) as ctx:
            response = advocate_client.get(
                reverse("directory:search"), {"need": "legal", "near": "77002"}
            )
        assert response.content.decode().count('data-testid="provider-result"') == n
        return len(ctx.captured_queries)

    assert count(1) == count(3)


def test_case_link_prefills_near_from_the_case_location(advocate, advocate_client, admin_user):
    from puente.cases import domain as cases

    case = make_case(created_by=advocate, title="Farm")
    cases.add_location(case=case, by=advocate, kind="current", country="MX",
                       subdivision="MX-CHP", city="Tapachula")  # fmt: skip
    make_provider(by=admin_user, name="Albergue Sur", country="MX", subdivision="MX-CHP",
                  city="Tapachula", postal_code="30700")  # fmt: skip
    html = advocate_client.get(
        reverse("directory:search"), {"case": case.reference}
    ).content.decode()
    assert 'value="Tapachula, MX-CHP"' in html
    assert "Albergue Sur" in html
    assert f"case {case.reference}" in html


def test_case_link_does_not_leak_a_restricted_case_location(advocate, supervisor, admin_user):
    from puente.cases import domain as cases

    case = make_case(created_by=supervisor, title="Hidden")
    cases.add_location(case=case, by=supervisor, kind="current", country="MX",
                       subdivision="MX-CHP", city="Tapachula")  # fmt: skip
    cases.restrict_case(case=case, by=supervisor)
    outsider = signed_in_client(make_user(Role.ADVOCATE))
    html = outsider.get(reverse("directory:search"), {"case": case.reference}).content.decode()
    assert 'value="Tapachula' not in html
    assert 'data-testid="near-place"' not in html


def test_provider_detail(advocate_client, admin_user):
    provider = make_provider(by=admin_user, name="Harbor Light", phone="(713) 555-0101",
                             coverage=["US-TX", "US-LA"])  # fmt: skip
    html = advocate_client.get(reverse("directory:detail", args=[provider.pk])).content.decode()
    assert "Harbor Light" in html and "+17135550101" in html
    assert "Texas" in html and "Louisiana" in html


# --- add and edit -----------------------------------------------------------------


def _form(**overrides):
    data = {
        "name": "Casa Nueva",
        "kind": "shelter",
        "services": ["shelter_emergency_housing"],
        "languages": ["spa"],
        "populations": ["women"],
        "country": "MX",
        "subdivision": "MX-JAL",
        "city": "Guadalajara",
        "phone": "33 5000 0001",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_administrator_adds_a_listing(admin_client, admin_user):
    response = admin_client.post(reverse("directory:new"), _form())
    assert response.status_code == 302
    provider = Provider.objects.get(name="Casa Nueva")
    assert provider.phone == "+523350000001"
    assert provider.latitude == pytest.approx(20.68, abs=0.1)
    assert AuditEntry.objects.filter(action="create", object_id=str(provider.pk)).exists()


def test_bad_listing_shows_clear_errors(admin_client):
    response = admin_client.post(
        reverse("directory:new"), _form(phone="12", subdivision="US-TX", name="")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give the organization&#x27;s name." in html
    assert "is too short" in html or "wrong number of digits" in html  # core.phones wording
    assert "is not a state or federal entity of MX" in html
    assert Provider.objects.count() == 0


def test_edit_with_a_stale_version_is_refused(admin_client, admin_user):
    provider = make_provider(by=admin_user, name="Original", country="MX", subdivision="MX-JAL",
                             city="Guadalajara", postal_code="44100")  # fmt: skip
    url = reverse("directory:edit", args=[provider.pk])
    first = admin_client.post(url, _form(name="First", version=1))
    assert first.status_code == 302
    second = admin_client.post(url, _form(name="Second", version=1))
    assert second.status_code == 409
    html = second.content.decode()
    assert 'data-testid="stale-error"' in html and "This listing was changed by" in html
    assert 'name="version" value="2"' in html and 'value="Second"' in html
    assert 'data-testid="current-name">Saved now: First</p>' in html
    assert 'aria-describedby="id_name_saved_now"' in html
    provider.refresh_from_db()
    assert provider.name == "First"


# --- CSV import -------------------------------------------------------------------


def _upload(client, text, name="providers.csv"):
    return client.post(
        reverse("directory:import"),
        {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


def test_import_preview_then_commit(admin_client, admin_user):
    response = _upload(admin_client, GOOD)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("directory:import_preview", args=[batch.token])
    preview = admin_client.get(response["Location"]).content.decode()
    assert preview.count('data-testid="import-row"') == 2
    assert "2 rows are ready to import." in preview
    assert Provider.objects.count() == 0
    done = admin_client.post(response["Location"])
    assert done.status_code == 302
    assert Provider.objects.count() == 2
    assert AuditEntry.objects.filter(object_type="provider_import").count() == 1


def test_import_with_a_bad_row_shows_errors_and_imports_nothing(admin_client):
    bad = GOOD + "A-3,,shelter,teleportation,eng,adults,12,X,,US,Narnia,no,\n"
    response = _upload(admin_client, bad)
    page = admin_client.get(response["Location"]).content.decode()
    assert 'data-testid="import-errors"' in page
    assert 'data-testid="cell-error-services"' in page and "teleportation" in page
    assert 'data-testid="cell-error-subdivision"' in page and "Narnia" in page
    assert ">Import</button>" not in page
    admin_client.post(response["Location"])  # a hand-made POST changes nothing
    assert Provider.objects.count() == 0


def test_someone_elses_import_is_not_found(admin_client):
    other = make_user(Role.ADMINISTRATOR)
    batch = ImportBatch.objects.create(token="t" * 43, uploaded_by=other, text=GOOD)
    url = reverse("directory:import_preview", args=[batch.token])
    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url).status_code == 404
    assert Provider.objects.count() == 0


# --- API --------------------------------------------------------------------------

API = "/api/v1/directory/providers"


def test_api_search(advocate_client, admin_user):
    make_provider(by=admin_user, name="Harbor Light", services=["legal"], postal_code="77002")
    make_provider(by=admin_user, name="Dallas Legal", services=["legal"], city="Dallas",
                  postal_code="75201")  # fmt: skip
    response = advocate_client.get(API, {"need": "legal", "near": "77002", "country": "US"})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["near"]["subdivision"] == "US-TX"
    assert [r["provider"]["name"] for r in body["results"]] == ["Harbor Light", "Dallas Legal"]
    assert body["results"][1]["distance_km"] == pytest.approx(360, abs=15)
    assert body["results"][0]["provider"]["services"] == ["legal"]


def test_api_refuses_bad_input_and_roles(advocate_client, admin_user):
    assert advocate_client.get(API, {"need": "teleportation"}).status_code == 422
    assert advocate_client.get(API, {"near": "Atlantis"}).status_code == 422
    assert Client().get(API).status_code == 401
    assert signed_in_client(admin_user).get(API).status_code == 403
    for role in (Role.SUPERVISOR, Role.LIAISON, Role.ANALYST):
        assert signed_in_client(make_user(role)).get(API).status_code == 200


def test_a_mexican_hotline_sees_kilometres(advocate_client, admin_user, settings):
    settings.PUENTE_COUNTRY = "MX"
    make_provider(by=admin_user, name="Night Shelter", services=["shelter_emergency_housing"])
    html = advocate_client.get(
        reverse("directory:search"), {"need": "shelter_emergency_housing", "near": "Houston, TX"}
    ).content.decode()
    assert re.search(r'data-testid="distance">\d+ km<', html)
    assert " mi" not in html.split('data-testid="distance"')[1].split("</span>")[0]


# --- the place stays, nothing near is said, distances in the country's unit -------------


def test_the_place_typed_stays_in_its_box(advocate_client, admin_user):
    make_provider(by=admin_user, name="Harbor Light")
    html = advocate_client.get(
        reverse("directory:search"), {"near": "Houston, TX", "need": "case_management"}
    ).content.decode()
    assert re.search(r'<input[^>]*name="near"[^>]*value="Houston, TX"', html)
    assert re.search(r'<option value="50" selected>50 miles</option>', html)
    # And after a search that places nothing, too.
    html = advocate_client.get(reverse("directory:search"), {"near": "Atlantis"}).content.decode()
    assert re.search(r'<input[^>]*name="near"[^>]*value="Atlantis"', html)


def test_nothing_near_says_so_and_offers_a_wider_search(advocate_client, admin_user):
    make_provider(by=admin_user, name="Dallas Shelter", city="Dallas", postal_code="75201",
                  services=["shelter_emergency_housing"])  # fmt: skip
    search = {"need": "shelter_emergency_housing", "near": "Houston, TX"}
    html = advocate_client.get(reverse("directory:search"), search).content.decode()
    assert "No services within 50 miles of Houston, TX." in html
    assert "Dallas Shelter" not in html and 'data-testid="no-results"' not in html
    offers = re.findall(r'href="(/directory/\?[^"]+)" data-testid="widen">([^<]+)<', html)
    assert [label for _href, label in offers] == [
        "Search within 100 miles",
        "Search at any distance",
    ]
    assert "near=Houston%2C+TX" in offers[0][0] and "within=100" in offers[0][0]
    # 100 miles is still short of Dallas; any distance finds it.
    wider = advocate_client.get(offers[0][0].replace("&amp;", "&")).content.decode()
    assert "No services within 100 miles of Houston, TX." in wider
    anywhere = advocate_client.get(offers[1][0].replace("&amp;", "&")).content.decode()
    assert "Dallas Shelter" in anywhere and 'data-testid="nothing-near"' not in anywhere
    assert re.search(r'data-testid="distance">2\d\d mi \(3\d\d km\)', anywhere)


def test_a_statewide_service_far_away_is_listed_under_nothing_near(advocate_client, admin_user):
    make_provider(by=admin_user, name="Texas legal line", city="Austin", postal_code="78701",
                  services=["legal"], coverage=["US-TX"])  # fmt: skip
    html = advocate_client.get(
        reverse("directory:search"), {"need": "legal", "near": "Houston, TX"}
    ).content.decode()
    assert "No services within 50 miles of Houston, TX." in html
    assert "Texas legal line" in html and "Serves this state" in html


def test_nothing_near_in_spanish_and_in_kilometres_in_mexico(advocate, admin_user, settings):
    settings.PUENTE_COUNTRY = "MX"
    advocate.language = "es"
    advocate.save()
    make_provider(by=admin_user, name="Albergue Norte", country="MX", subdivision="MX-NLE",
                  city="Monterrey", postal_code="", services=["shelter_emergency_housing"])  # fmt: skip
    client = signed_in_client(advocate)
    html = client.get(
        reverse("directory:search"),
        {"need": "shelter_emergency_housing", "near": "Guadalajara, Jalisco"},
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()
    assert "No hay servicios a menos de 80 km de Guadalajara, Jalisco, MX." in html
    assert "Buscar a menos de 160 km" in html and "Buscar a cualquier distancia" in html
    assert re.search(r'<option value="80" selected>80 km</option>', html)


def test_the_provider_page_shows_the_distance_from_the_search(advocate_client, admin_user):
    provider = make_provider(by=admin_user, name="Austin Office", city="Austin",
                             postal_code="78701")  # fmt: skip
    search = advocate_client.get(
        reverse("directory:search"), {"near": "Houston, TX", "within": "250"}
    ).content.decode()
    link = re.search(rf'href="(/directory/providers/{provider.pk}/\?[^"]+)"', search).group(1)
    page = advocate_client.get(link.replace("&amp;", "&")).content.decode()
    assert re.search(r'data-testid="distance">1\d\d mi \(2\d\d km\)</span> from Houston, TX', page)
    back = re.search(r'href="([^"]+)" data-testid="back-to-search"', page).group(1)
    assert "near=Houston%2C+TX" in back and "within=250" in back
    # Opened on its own, it shows no distance.
    alone = advocate_client.get(reverse("directory:detail", args=[provider.pk])).content.decode()
    assert 'data-testid="distance"' not in alone


def test_the_provider_page_in_mexico_shows_kilometres_only(advocate_client, admin_user, settings):
    settings.PUENTE_COUNTRY = "MX"
    provider = make_provider(by=admin_user, name="Austin Office", city="Austin",
                             postal_code="78701")  # fmt: skip
    page = advocate_client.get(
        reverse("directory:detail", args=[provider.pk]), {"near": "Houston, TX"}
    ).content.decode()
    assert re.search(r'data-testid="distance">2\d\d km</span>', page)
    assert " mi " not in page.split('data-testid="distance"')[1].split("</p>")[0]
