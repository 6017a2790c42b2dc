"""The purge test the brief asks for: a closed case and an old unlinked contact, written
through the real domain functions (so search entries and audit content exist), carry a
distinctive word; after the purge the word is found nowhere — search, the API, the
audit page, any table of the database — and the audit chain still verifies.

Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from puente.audit.domain import verify_chain
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.cases.models import Case, CaseCounter
from puente.intake import domain as intake
from puente.intake.models import Contact
from puente.retention import domain as retention
from puente.search.queries import search
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db(transaction=True)

WORD = "Xochimilcazul"


def _tables_holding(word: str) -> list[str]:
    """Every table and column of the database whose text contains `word`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if connection.vendor == "postgresql":
                quoted = connection.ops.quote_name(table)
                cursor.execute(
                    f"SELECT count(*) FROM {quoted} AS t WHERE t::text ILIKE %s", [f"%{word}%"]
                )
                if cursor.fetchone()[0]:
                    found.append(table)
                continue
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            for column in columns:
                # As text, and as bytes: SQLite's full-text index keeps its words in blobs.
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE instr(lower(CAST("{column}" AS TEXT)), %s)'
                    f' OR instr(CAST("{column}" AS BLOB), CAST(%s AS BLOB))',
                    [word.lower(), word.lower()],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


def test_purged_text_is_found_nowhere_and_the_chain_still_verifies(advocate, supervisor):
    long_ago = timezone.now() - timedelta(days=9 * 365)
    case = cases.open_case(by=advocate, title="Farm", summary=f"{WORD} farm owner holds papers.")
    person = cases.add_person(
        case=case, by=advocate, role="potential_victim", first_name=WORD, last_name="Ruiz"
    )
    cases.add_identifier(
        case=case, by=advocate, person=person, kind="email", value=f"{WORD.lower()}@example.org"
    )
    cases.add_note(case=case, by=advocate, body=f"Spoke with {WORD}'s sister.")
    filed = intake.record_contact(
        by=advocate,
        data={"channel": "phone", "reason": "tip", "summary": f"{WORD} called again."},
    )
    intake.link_contact_to_case(contact=filed, case=case, by=advocate)
    case.refresh_from_db()
    cases.change_status(
        case_id=case.pk,
        expected_version=case.version,
        status="closed",
        closing_reason="services_connected",
        by=advocate,
    )
    Case.objects.filter(pk=case.pk).update(closed_at=long_ago)
    unlinked = intake.record_contact(
        by=advocate,
        data={"channel": "sms", "reason": "tip", "summary": f"Text from {WORD}, no case."},
    )
    Contact.objects.filter(pk=unlinked.pk).update(started_at=long_ago)
    kept = intake.record_contact(
        by=advocate, data={"channel": "phone", "reason": "tip", "summary": "A recent call."}
    )
    reference, number = case.reference, CaseCounter.objects.get().last_number

    # Before: the word is everywhere this test will look.
    assert search(user=supervisor, query=WORD).cases
    assert search(user=supervisor, query=WORD).contacts
    assert _tables_holding(WORD)

    result = retention.purge_due(dry_run=False, batch_size=1)

    assert {r.category: r.purged for r in result.categories if r.purged} == {
        "closed_cases": 1,
        "unlinked_contacts": 1,
    }
    assert verify_chain().ok
    # The database: no table, no column (the search index and SQLite's FTS tables included).
    assert _tables_holding(WORD) == []
    # The audit page, as a supervisor reads it, filtered to the case and unfiltered.
    client = signed_in_client(supervisor)
    for url in ("/audit/", f"/audit/?obj={reference}", "/audit/?action=create"):
        page = client.get(url)
        assert page.status_code == 200
        assert WORD.lower() not in page.content.decode().lower()
    # The trail still says that the case existed and was purged, by reference and count.
    assert AuditEntry.objects.filter(object_ref=reference).exists()
    assert AuditEntry.objects.filter(object_type="retention", object_ref="closed_cases").exists()
    # Search, through the domain and through the API.
    assert search(user=supervisor, query=WORD).empty
    api = client.get(f"/api/v1/search?q={WORD}").json()
    assert api["cases"] == [] and api["contacts"] == []
    # The API's records.
    assert client.get(f"/api/v1/cases/{reference}").status_code == 404
    assert client.get(f"/api/v1/contacts/{unlinked.pk}").status_code == 404
    assert client.get(f"/api/v1/contacts/{filed.pk}").status_code == 404
    listing = client.get("/api/v1/contacts").content.decode()
    assert WORD.lower() not in listing.lower() and str(kept.pk) in listing
    # What was not due is untouched, and the case's number is never given again.
    assert Contact.objects.filter(pk=kept.pk).exists()
    assert CaseCounter.objects.get().last_number == number
    assert cases.open_case(by=advocate, title="Next").reference != reference
    assert verify_chain().ok
