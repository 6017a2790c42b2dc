from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.core.middleware import SessionActivityMiddleware
from puente.search.indexing import fold, rebuild_index, reindex_contact
from puente.search.models import SearchEntry
from puente.search.queries import search, words_of
from puente.search.snippets import snippet_segments, snippet_text
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def refs(results):
    return [c.reference for c in results.cases]


def ids(results):
    return [c.pk for c in results.contacts]


def test_folding_removes_accents_and_case():
    assert fold("José SÁNCHEZ Núñez") == "jose sanchez nunez"
    assert words_of('"Ana" AND (niña*') == ["ana", "and", "nina"]


def test_names_are_found_without_accents_or_capitals(advocate):
    case = make_case(created_by=advocate, title="Taller textil")
    cases.add_person(
        case=case,
        by=advocate,
        role="potential_victim",
        first_name="María José",
        last_name="Sánchez",
    )
    assert refs(search(user=advocate, query="sanchez")) == [case.reference]
    assert refs(search(user=advocate, query="SÁNCHEZ maria")) == [case.reference]
    assert refs(search(user=advocate, query="Jose")) == [case.reference]
    assert refs(search(user=advocate, query="sanchez pedro")) == []


def test_narrative_words_in_english_and_spanish(advocate):
    english = make_contact(
        taken_by=advocate, summary="Workers sleep inside the restaurant kitchen."
    )
    spanish = make_contact(
        taken_by=advocate, summary="Los trabajadores duermen en la cocina del restaurante."
    )
    for contact in (english, spanish):
        reindex_contact(contact.pk)
    assert ids(search(user=advocate, query="kitchen")) == [english.pk]
    assert ids(search(user=advocate, query="Trabajadores cocina")) == [spanish.pk]
    # Prefixes match, so a word half-typed still finds it.
    assert ids(search(user=advocate, query="trabaj")) == [spanish.pk]


def test_a_phone_number_in_any_format_finds_the_same_contact_and_case(advocate):
    case = make_case(created_by=advocate)
    cases.add_identifier(case=case, kind="phone", value="+1 713 555 0142", by=advocate)
    contact = make_contact(phone="+17135550142", taken_by=advocate)
    for query in ["(713) 555-0142", "713.555.0142", "+17135550142"]:
        found = search(user=advocate, query=query)
        assert ids(found) == [contact.pk], query
        assert refs(found) == [case.reference], query


def test_a_case_reference_is_found_whole_or_without_the_country(advocate):
    case = make_case(created_by=advocate)
    year, number = case.reference.split("-")[1:]
    assert refs(search(user=advocate, query=case.reference.lower())) == [case.reference]
    assert refs(search(user=advocate, query=f"{year}-{int(number)}")) == [case.reference]


def test_notes_are_searchable_once_written(advocate):
    case = make_case(created_by=advocate)
    cases.add_note(case=case, body="Se comunicó la tía desde Tapachula.", by=advocate)
    assert refs(search(user=advocate, query="tapachula")) == [case.reference]


def test_a_restricted_case_never_leaks_through_search(advocate, supervisor):
    case = make_case(created_by=supervisor, title="Casa de seguridad en Monterrey")
    contact = make_contact(case=case, summary="Monterrey safe house", phone="+528112345678")
    reindex_contact(contact.pk)
    cases.restrict_case(case=case, by=supervisor)
    for query in ["monterrey", case.reference, "+52 81 1234 5678"]:
        found = search(user=advocate, query=query)
        assert found.empty, query
        named = search(user=supervisor, query=query)
        assert not named.empty, query


def test_hostile_queries_do_not_error(advocate):
    make_contact(taken_by=advocate, summary="anything")
    for query in ['"', "AND (", "*", "NEAR(", "-", "'; DROP TABLE x; --", "ñ" * 300, "a:*|!"]:
        # Full-text syntax in the box is read as plain words, never as an operator.
        results = search(user=advocate, query=query)
        assert all(c.summary == "anything" for c in results.contacts)


def test_deleted_objects_leave_the_index(advocate):
    contact = make_contact(taken_by=advocate, summary="Tomato fields")
    reindex_contact(contact.pk)
    contact.delete()
    reindex_contact(contact.pk)
    assert not SearchEntry.objects.filter(kind="contact", object_id=contact.pk).exists()
    assert search(user=advocate, query="tomato").empty


def test_rebuild_index_covers_bulk_loaded_contacts(advocate):
    make_contact(taken_by=advocate, summary="Campo de fresas en Baja California")
    SearchEntry.objects.all().delete()
    assert rebuild_index() == 1
    assert len(search(user=advocate, query="fresas").contacts) == 1


def test_search_costs_the_same_queries_for_one_or_three_results(advocate):
    make_contact(taken_by=advocate, summary="Farm workers one", case=make_case(created_by=advocate))
    rebuild_index()
    with CaptureQueriesContext(connection) as one:
        assert len(search(user=advocate, query="farm").contacts) == 1
    for n in range(2):
        make_contact(
            taken_by=advocate, summary=f"Farm workers {n}", case=make_case(created_by=advocate)
        )
    rebuild_index()
    with CaptureQueriesContext(connection) as three:
        assert len(search(user=advocate, query="farm").contacts) == 3
    assert len(one) == len(three)


def test_search_page_shows_results_and_audits_the_query(advocate, advocate_client):
    case = make_case(created_by=advocate, title="Nail salon")
    response = advocate_client.get("/search/", {"q": "salon"})
    assert case.reference in response.content.decode()
    entry = AuditEntry.objects.filter(action="search").latest("id")
    assert (entry.actor, entry.reason) == (advocate, "salon")
    empty = advocate_client.get("/search/", {"q": "zzzz"}).content.decode()
    assert 'data-testid="no-results"' in empty


def test_search_page_access(client, administrator):
    assert client.get("/search/", {"q": "x"}).status_code == 302
    assert signed_in_client(administrator).get("/search/", {"q": "x"}).status_code == 403


def test_search_api(advocate, advocate_client):
    case = make_case(created_by=advocate, title="Construction crew")
    body = advocate_client.get("/api/v1/search", {"q": "construction"}).json()
    assert [c["reference"] for c in body["cases"]] == [case.reference]
    liaison = signed_in_client(make_user(Role.LIAISON))
    assert (
        liaison.get("/api/v1/search", {"q": "construction"}).json()["cases"][0]["reference"]
        == case.reference
    )


def test_snippet_shows_the_original_words_around_the_match():
    text = "Llamó la señora. " + "x " * 100 + "La familia Sánchez trabaja en el campo."
    segments = snippet_segments(text=text, words=words_of("sanchez"), width=60)
    assert ("Sánchez", True) in segments
    assert segments[0] == ("…", False)
    # Only word starts match: "ana" is not highlighted inside "semana".
    assert snippet_segments(text="Cada semana", words=["ana"]) == [("Cada semana", False)]
    assert snippet_text(text="Workers in the kitchen", words=["kitch"]) == "Workers in the kitchen"


def test_search_page_highlights_matches_and_escapes_the_record(advocate, advocate_client):
    contact = make_contact(
        taken_by=advocate, summary="<script>alert(1)</script> Los trabajadores del rancho"
    )
    reindex_contact(contact.pk)
    html = advocate_client.get("/search/", {"q": "trabajadores"}).content.decode()
    section = html.split('data-testid="contact-results"')[1]
    assert "<mark>trabajadores</mark>" in section
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in section


def test_htmx_request_gets_only_the_results(advocate, advocate_client):
    case = make_case(created_by=advocate, title="Nail salon")
    response = advocate_client.get("/search/", {"q": "salon"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-results"')
    assert case.reference in html and "<html" not in html
    assert AuditEntry.objects.filter(action="search", reason="salon").count() == 1


def test_search_page_costs_the_same_queries_for_one_or_three_results(
    advocate, advocate_client, monkeypatch
):
    # Keep the once-a-minute session renewal write out of the comparison.
    monkeypatch.setattr(SessionActivityMiddleware, "RENEW_AFTER_SECONDS", 10**12)

    def add():
        case = make_case(created_by=advocate, title="Orchard crew")
        contact = make_contact(taken_by=advocate, summary="Orchard crew at night", case=case)
        reindex_contact(contact.pk)

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            html = advocate_client.get("/search/", {"q": "orchard"}).content.decode()
        return len(queries), html

    add()
    one, html = count()
    assert html.count("<mark>Orchard</mark>") == 2
    add()
    add()
    three, html = count()
    assert html.count("<mark>Orchard</mark>") == 6
    assert one == three


def test_search_api_carries_snippets(advocate, advocate_client):
    contact = make_contact(taken_by=advocate, summary="Workers sleep inside the bakery.")
    reindex_contact(contact.pk)
    body = advocate_client.get("/api/v1/search", {"q": "bakery"}).json()
    assert body["contacts"][0]["id"] == contact.pk
    assert body["contacts"][0]["snippet"] == "Workers sleep inside the bakery."
    assert body["contacts"][0]["imminent_danger"] is False


def test_search_api_refuses_the_administrator_and_the_anonymous(client, administrator):
    assert client.get("/api/v1/search", {"q": "x"}).status_code in (401, 403)
    assert signed_in_client(administrator).get("/api/v1/search", {"q": "x"}).status_code == 403
