"""Trends across the border, without HTTP between two servers: a release leaves through
the exchange's outbox as a `trends.release` message, a partner's arrives through the
inbox and is checked strictly (nothing below k, no unknown table, dimension or code), is
stored once and audited, and both appear side by side in the combined view."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.federation import delivery, schema
from puente.federation.models import InboxMessage, OutboxMessage
from puente.sharing import releases, trends
from puente.sharing.models import PartnerRelease, Release, SentRelease
from tests.factories import make_user
from tests.federation.conftest import answer, deliver, encode, make_partner, signed

PERIOD = (date(2025, 12, 1), date(2026, 11, 30))


@pytest.fixture
def mx(db):
    """Mexico's hotline as registered here; the test holds its private key."""
    return make_partner()


def released_table(
    *,
    recipient,
    table: str = "cases_type_month",
    period: tuple[date, date] = PERIOD,
    cells: list[dict] | None = None,
    margins: list[dict] | None = None,
    k: int = 11,
    method: str = "suppression",
    epsilon: float | None = None,
    publication_name: str = "",
) -> Release:
    """A release as B's build_release leaves it (stored protected table, released)."""
    if cells is None:
        cells = [
            {"type_of_exploitation": "ForcedLabour", "month": "2026-10", "count": 14},
            {"type_of_exploitation": "ForcedLabour", "month": "2026-11", "count": None},
            {"type_of_exploitation": "SexualExploitation", "month": "2026-10", "count": None},
            {"type_of_exploitation": "SexualExploitation", "month": "2026-11", "count": 12},
        ]
        margins = [{"count": 40}]
    cells = [{**cell, "suppressed": cell["count"] is None} for cell in cells]
    return Release.objects.create(
        table=table,
        period_start=period[0],
        period_end=period[1],
        recipient=recipient,
        publication_name=publication_name,
        method=method,
        k=k,
        epsilon=epsilon,
        status="released",
        released_at=timezone.now(),
        dimensions=list(releases.TABLES[table].dimensions),
        cells=cells,
        margins=margins or [],
        cell_count=len(cells),
        suppressed_count=sum(1 for c in cells if c["count"] is None),
    )


def release_body(**overrides) -> dict:
    """Mexico's release of cases by form of exploitation and month, as it travels."""
    body = {
        "release_id": str(uuid.uuid4()),
        "table": "cases_type_month",
        "period": {"start": "2025-12-01", "end": "2026-11-30"},
        "dimensions": ["type_of_exploitation", "month"],
        "protection": {"method": "suppression", "k": 11, "epsilon": None, "delta": None},
        "cells": [
            {"type_of_exploitation": "ForcedLabour", "month": "2026-10", "count": 21,
             "suppressed": False},
            {"type_of_exploitation": "ForcedLabour", "month": "2026-11", "count": 13,
             "suppressed": False},
            {"type_of_exploitation": "SexualExploitation", "month": "2026-10", "count": None,
             "suppressed": True},
            {"type_of_exploitation": "SexualExploitation", "month": "2026-11", "count": None,
             "suppressed": True},
        ],
        "margins": [{"count": 47}, {"month": "2026-10", "count": 30}],
    }  # fmt: skip
    body.update(overrides)
    return body


def release_message(body: dict | None = None, *, version: int = 4) -> dict:
    body = body or release_body()
    return {
        "schema": "puente-exchange",
        "schema_version": version,
        "type": "trends.release",
        "message_id": str(uuid.uuid4()),
        "exchange_id": body.get("release_id", str(uuid.uuid4())),
        "sent_at": "2026-12-01T06:00:00+00:00",
        "from": {"hotline": "Línea Nacional", "country": "MX"},
        "body": body,
    }


def send_from_mexico(partner, document: dict, client=None):
    request = signed(encode(document), partner.private_key, message_id=document["message_id"])
    return deliver(request, client)


# --- receiving --------------------------------------------------------------------------


def test_a_partners_release_is_received_once_stored_as_sent_and_audited(mx):
    document = release_message()
    response = send_from_mexico(mx, document)
    assert response.status_code == 202
    assert response.json() == {"message_id": document["message_id"], "status": "accepted"}
    received = PartnerRelease.objects.get()
    assert received.partner == mx.hotline
    assert str(received.release_id) == document["body"]["release_id"]
    assert (received.table, received.period_start, received.period_end) == (
        "cases_type_month",
        date(2025, 12, 1),
        date(2026, 11, 30),
    )
    assert (received.method, received.k, received.epsilon) == ("suppression", 11, None)
    assert received.cells[0] == {
        "type_of_exploitation": "ForcedLabour",
        "month": "2026-10",
        "count": 21,
        "suppressed": False,
    }
    assert received.margins == [{"count": 47}, {"month": "2026-10", "count": 30}]
    assert received.sender_name == "Línea Nacional"
    entry = AuditEntry.objects.get(action="exchange_received")
    assert entry.object_type == "partnerrelease" and entry.object_id == str(received.pk)
    assert entry.actor_name == f"partner:{mx.hotline.name}"
    assert entry.reason.startswith(f"trends.release {document['message_id']}")
    # Redelivered (a fresh signature, the same message): acknowledged, not stored again.
    again = send_from_mexico(mx, document)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert PartnerRelease.objects.count() == 1
    assert AuditEntry.objects.filter(action="exchange_received").count() == 1


def _refused(response) -> dict:
    assert response.status_code == 422, response.content
    return response.json()


def test_a_count_below_k_is_refused_and_nothing_is_stored(mx):
    body = release_body()
    body["cells"][1]["count"] = 4
    answer_ = _refused(send_from_mexico(mx, release_message(body)))
    assert answer_["error"] == "invalid_message"
    assert "below k = 11" in answer_["fields"]["body.cells[1].count"]
    assert PartnerRelease.objects.count() == 0 and InboxMessage.objects.count() == 0
    refusal = AuditEntry.objects.get(action="exchange_refused")
    assert refusal.reason.startswith("invalid_message:")


def test_a_count_below_our_own_k_is_refused_even_when_the_partner_declared_a_lower_k(mx, settings):
    settings.PUENTE_RELEASE_K = 20
    body = release_body()  # k = 11 declared; 13 and 21 published
    fields = _refused(send_from_mexico(mx, release_message(body)))["fields"]
    assert "k = 20" in fields["body.protection.k"]
    assert "below k = 20" in fields["body.cells[1].count"]  # 13
    assert "body.cells[0].count" not in fields  # 21
    assert PartnerRelease.objects.count() == 0


def _mutated(change) -> dict:
    body = release_body()
    change(body)
    return body


# (what is wrong, the change, the field named in the refusal)
BAD_DOCUMENTS = [
    ("unknown table", lambda b: b.update(table="cases_by_shoe_size"), "body.table"),
    (
        "dimensions other than the table's",
        lambda b: b.update(dimensions=["month", "type_of_exploitation"]),
        "body.dimensions",
    ),
    (
        "an unknown value code",
        lambda b: b["cells"][0].update(type_of_exploitation="Smuggling"),
        "body.cells[0].type_of_exploitation",
    ),
    (
        "a month outside the period",
        lambda b: b["cells"][0].update(month="2024-01"),
        "body.cells[0].month",
    ),
    (
        "a dimension missing from a cell",
        lambda b: b["cells"][0].pop("month"),
        "body.cells[0].month",
    ),
    (
        "a field the schema does not have",
        lambda b: b["cells"][0].update(names=["Rosa"]),
        "body.cells[0].names",
    ),
    ("an extra top-level field", lambda b: b.update(notes="hi"), "body.notes"),
    (
        "suppressed but with a count",
        lambda b: b["cells"][0].update(suppressed=True),
        "body.cells[0].suppressed",
    ),
    ("a count that is not an integer", lambda b: b["cells"][0].update(count=12.5), "body.cells[0].count"),
    ("a count that is a boolean", lambda b: b["cells"][0].update(count=True), "body.cells[0].count"),
    (
        "a total below k",
        lambda b: b["margins"].append({"type_of_exploitation": "ForcedLabour", "count": 3}),
        "body.margins[2].count",
    ),
    ("the same cell twice", lambda b: b["cells"].append(dict(b["cells"][0])), "body.cells[4]"),
    ("a period that is not dates", lambda b: b["period"].update(start="last year"), "body.period.start"),
    (
        "a period that ends before it starts",
        lambda b: b.update(period={"start": "2026-11-30", "end": "2025-12-01"}),
        "body.period.end",
    ),
    (
        "an unknown protection",
        lambda b: b["protection"].update(method="rounding"),
        "body.protection.method",
    ),
    (
        "differential privacy without ε",
        lambda b: b["protection"].update(method="dp"),
        "body.protection.epsilon",
    ),
    ("ε without differential privacy", lambda b: b["protection"].update(epsilon=1.0), "body.protection.epsilon"),
    ("k of zero", lambda b: b["protection"].update(k=0), "body.protection.k"),
    ("a release id that is not a UUID", lambda b: b.update(release_id="r-17"), "body.release_id"),
    ("cells that are not a list", lambda b: b.update(cells={"a": 1}), "body.cells"),
]  # fmt: skip


@pytest.mark.parametrize("what,change,field", BAD_DOCUMENTS, ids=[b[0] for b in BAD_DOCUMENTS])
def test_a_malformed_release_is_refused_naming_the_field(what, change, field):
    with pytest.raises(schema.SchemaError) as refused:
        schema.parse(release_message(_mutated(change)))
    assert refused.value.code == "invalid_message"
    assert field in refused.value.errors, refused.value.errors


def test_a_well_formed_release_reads_clean_including_dp_and_other():
    body = release_body(
        protection={"method": "dp", "k": 11, "epsilon": 0.5, "delta": None},
    )
    body["cells"][0]["type_of_exploitation"] = "other"  # a folded rare category
    parsed = schema.parse(release_message(body))
    assert parsed.body["protection"] == {"method": "dp", "k": 11, "epsilon": 0.5, "delta": None}
    assert parsed.body["period"] == {"start": date(2025, 12, 1), "end": date(2026, 11, 30)}


def test_a_refusal_names_at_most_twenty_problems():
    body = release_body()
    body["cells"] = [
        {
            "type_of_exploitation": "ForcedLabour",
            "month": "2026-10",
            "count": n,
            "suppressed": False,
        }
        for n in range(100)
    ]
    with pytest.raises(schema.SchemaError) as refused:
        schema.parse(release_message(body))
    assert len(refused.value.errors) <= trends.MAX_NAMED_PROBLEMS + 1
    assert "more problem" in refused.value.errors["body"]


def test_the_release_type_needs_protocol_version_4(mx):
    answer_ = _refused(send_from_mexico(mx, release_message(version=3)))
    assert answer_["error"] == "unsupported_message_type"
    assert "from schema version 4" in answer_["detail"]
    assert PartnerRelease.objects.count() == 0


def test_the_same_release_in_a_second_message_is_a_conflict(mx):
    body = release_body()
    assert send_from_mexico(mx, release_message(body)).status_code == 202
    second = send_from_mexico(mx, release_message(copy.deepcopy(body)))
    assert second.status_code == 409 and second.json()["error"] == "exchange_conflict"
    assert PartnerRelease.objects.count() == 1 and InboxMessage.objects.count() == 1


def test_a_release_must_travel_under_its_own_id(mx):
    document = release_message()
    document["exchange_id"] = str(uuid.uuid4())
    assert _refused(send_from_mexico(mx, document))["error"] == "invalid_message"
    assert PartnerRelease.objects.count() == 0


# --- sending ------------------------------------------------------------------------------


def test_a_release_is_sent_as_a_version_4_message_carrying_its_document(mx, own_key, analyst):
    release = released_table(recipient=mx.hotline)
    sent = trends.send_release(release=release, by=analyst)
    message = OutboxMessage.objects.get()
    assert str(message.message_id) == str(sent.message_id) and message.partner == mx.hotline
    assert message.message_type == "trends.release" and message.state == "queued"
    envelope = json.loads(message.body)
    assert envelope["schema_version"] == 4 and envelope["type"] == "trends.release"
    assert envelope["exchange_id"] == str(release.pk)
    assert envelope["body"] == json.loads(json.dumps(releases.release_document(release)))
    assert SentRelease.objects.get().release == release
    share = AuditEntry.objects.filter(action="share").latest("id")
    assert share.actor == analyst and share.object_ref == str(release.pk)
    assert "trends release to" in share.reason
    with pytest.raises(ValidationError):
        trends.send_release(release=release, by=analyst)  # once only
    assert OutboxMessage.objects.count() == 1


def test_what_we_send_passes_the_partners_checks_and_is_delivered(mx, own_key, analyst):
    release = released_table(recipient=mx.hotline)
    trends.send_release(release=release, by=analyst)
    received = []

    def inbox(prepared):  # Mexico's inbox, as far as the worker can tell
        received.append(schema.parse(json.loads(prepared.body)))
        return answer(
            {"message_id": prepared.headers["Puente-Message-Id"], "status": "accepted"},
            private_key=mx.private_key,
        )

    delivery.deliver_pending(mx.hotline.pk, transport=inbox)
    assert OutboxMessage.objects.get().state == "delivered"
    assert received[0].body["cells"][1] == {
        "type_of_exploitation": "ForcedLabour",
        "month": "2026-11",
        "count": None,
        "suppressed": True,
    }


def test_a_release_that_would_carry_a_count_below_k_never_leaves(mx, own_key, analyst):
    release = released_table(
        recipient=mx.hotline,
        cells=[{"type_of_exploitation": "ForcedLabour", "month": "2026-10", "count": 3}],
    )
    with pytest.raises(ValidationError) as refused:
        trends.send_release(release=release, by=analyst)
    assert "below k = 11" in str(refused.value)
    assert OutboxMessage.objects.count() == 0 and SentRelease.objects.count() == 0


def test_only_a_released_table_for_a_partner_can_be_sent_and_only_by_release_managers(
    mx, own_key, analyst
):
    draft = released_table(recipient=mx.hotline)
    Release.objects.filter(pk=draft.pk).update(status="draft", released_at=None)
    draft.refresh_from_db()
    with pytest.raises(ValidationError):
        trends.send_release(release=draft, by=analyst)
    published = released_table(recipient=None, publication_name="Annual report")
    with pytest.raises(ValidationError):
        trends.send_release(release=published, by=analyst)
    with pytest.raises(PermissionDenied):
        trends.send_release(
            release=released_table(recipient=mx.hotline), by=make_user(Role.LIAISON)
        )
    assert OutboxMessage.objects.count() == 0


def test_nothing_is_sent_without_a_signing_key(mx, analyst):
    with pytest.raises(ValidationError):
        trends.send_release(release=released_table(recipient=mx.hotline), by=analyst)
    assert OutboxMessage.objects.count() == 0 and SentRelease.objects.count() == 0


# --- the monthly schedule ------------------------------------------------------------------


def test_the_monthly_period_is_the_trailing_full_months():
    assert trends.monthly_period(date(2026, 12, 1), months=12) == PERIOD
    assert trends.monthly_period(date(2026, 1, 15), months=1) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
    )
    assert trends.monthly_period(date(2026, 3, 31), months=3) == (
        date(2025, 12, 1),
        date(2026, 2, 28),
    )


def test_each_partner_gets_each_monthly_table_once(mx, own_key, settings):
    settings.PUENTE_TREND_TABLES = ["cases_type_month", "cases_state_quarter"]
    switched_off = make_partner(name="Old partner", country="GT", url="https://gt.example")
    switched_off.hotline.active = False
    switched_off.hotline.save()
    # Dates that have passed whenever the test runs: a release covers only those.
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    first = trends.send_monthly_releases(today=last_month)
    assert first.period == trends.monthly_period(last_month) and first.problems == []
    assert sorted(s.table for s in first.sent) == ["cases_state_quarter", "cases_type_month"]
    assert {s.partner for s in first.sent} == {mx.hotline}
    assert all(s.monthly and s.sent_by is None for s in first.sent)
    built = Release.objects.get(table="cases_type_month")
    assert (built.method, built.status, built.recipient) == ("suppression", "released", mx.hotline)
    assert (built.period_start, built.period_end) == first.period
    assert OutboxMessage.objects.filter(message_type="trends.release").count() == 2
    # The worker runs the job every day: the same month sends nothing again.
    second = trends.send_monthly_releases(today=last_month + timedelta(days=1))
    assert second.sent == [] and second.already == 2
    assert OutboxMessage.objects.count() == 2
    # A new month is a new release.
    third = trends.send_monthly_releases(today=this_month)
    assert len(third.sent) == 2


def test_a_table_that_cannot_go_is_reported_and_the_others_still_go(mx, settings, own_key):
    settings.PUENTE_TREND_TABLES = ["cases_type_month"]
    settings.PUENTE_SIGNING_KEY = ""  # no key: nothing can be signed
    run = trends.send_monthly_releases(today=timezone.localdate())
    assert run.sent == [] and len(run.problems) == 1
    assert "signing key" in run.problems[0][2]
    # Built and sent are one step: no release is left behind that never left.
    assert Release.objects.count() == 0 and OutboxMessage.objects.count() == 0


def test_a_table_code_no_table_has_is_reported_not_skipped_unseen(mx, own_key, settings):
    settings.PUENTE_TREND_TABLES = ["cases_by_shoe_size", "cases_type_month"]
    run = trends.send_monthly_releases(today=timezone.localdate())
    assert [s.table for s in run.sent] == ["cases_type_month"]
    assert run.problems == [
        (
            str(mx.hotline),
            "cases_by_shoe_size",
            "PUENTE_TREND_TABLES names 'cases_by_shoe_size', which is not a table",
        )
    ]


def test_the_monthly_task_runs_the_schedule(mx, own_key, settings):
    from puente.sharing import tasks

    settings.PUENTE_TREND_TABLES = ["cases_type_month"]
    result = tasks.send_monthly_trends.call()
    assert result == {"sent": 1, "already": 0, "problems": 0}


# --- the combined view ---------------------------------------------------------------------


def _receive(mx, body: dict) -> PartnerRelease:
    assert send_from_mexico(mx, release_message(body)).status_code == 202
    return PartnerRelease.objects.get(release_id=body["release_id"])


def test_the_combined_view_puts_both_hotlines_side_by_side_and_adds_where_it_can(
    mx, own_key, analyst, settings
):
    settings.PUENTE_HOTLINE_NAME = "National Human Trafficking Hotline"
    trends.send_release(release=released_table(recipient=mx.hotline), by=analyst)
    _receive(mx, release_body())
    view = trends.combined_trends(partner=mx.hotline)
    assert view.title == "United States and Mexico"
    [table] = view.tables
    assert table.code == "cases_type_month" and table.same_period and table.combined
    assert [s.hotline for s in table.sources] == [
        "National Human Trafficking Hotline",
        mx.hotline.name,
    ]
    assert [s.protection for s in table.sources] == [
        "No count below 11; small cells suppressed"
    ] * 2
    assert table.sources[0].status == "Waiting to be delivered"
    assert table.sources[1].status.startswith("Received")
    rows = {tuple(v for _n, v in row.labels): row for row in table.rows}
    assert list(rows) == [
        ("Forced labor", "October 2026"),
        ("Forced labor", "November 2026"),
        ("Sexual exploitation", "October 2026"),
        ("Sexual exploitation", "November 2026"),
    ]
    october = rows[("Forced labor", "October 2026")]
    assert [(f.source, f.count) for f in october.figures] == [
        ("National Human Trafficking Hotline", 14),
        (mx.hotline.name, 21),
    ]
    assert october.combined.count == 35
    november = rows[("Forced labor", "November 2026")]
    assert november.figures[0].suppressed and november.figures[1].count == 13
    assert november.combined.suppressed and november.combined.count is None
    assert [f.count for f in table.total.figures] == [40, 47]
    assert table.total.combined.count == 87


def test_releases_of_different_periods_are_shown_but_not_added(mx, own_key, analyst):
    trends.send_release(
        release=released_table(
            recipient=mx.hotline, period=(date(2025, 11, 1), date(2026, 10, 31)),
            cells=[{"type_of_exploitation": "ForcedLabour", "month": "2026-10", "count": 30}],
        ),
        by=analyst,
    )  # fmt: skip
    _receive(mx, release_body())
    [table] = trends.combined_trends(partner=mx.hotline).tables
    assert not table.same_period and not table.combined
    assert all(row.combined is None for row in table.rows)
    forced_october = table.rows[0]
    assert [f.count for f in forced_october.figures] == [30, 21]
    # A row only one side has is marked absent on the other, never zero.
    assert table.rows[1].figures[0].absent


def test_the_newest_period_both_hotlines_have_is_the_one_compared(mx, own_key, analyst):
    older = (date(2025, 11, 1), date(2026, 10, 31))
    october = [{"type_of_exploitation": "ForcedLabour", "month": "2026-10", "count": 30}]
    trends.send_release(
        release=released_table(recipient=mx.hotline, period=older, cells=october), by=analyst
    )
    trends.send_release(release=released_table(recipient=mx.hotline), by=analyst)
    body = release_body(period={"start": "2025-11-01", "end": "2026-10-31"})
    body["cells"] = [c for c in body["cells"] if c["month"] == "2026-10"]
    body["margins"] = [{"count": 30}]
    _receive(mx, body)
    [table] = trends.combined_trends(partner=mx.hotline).tables
    assert table.same_period
    assert {(s.period_start, s.period_end) for s in table.sources} == {older}


def test_labels_are_in_the_readers_language(mx, own_key, analyst):
    _receive(mx, release_body())
    with translation.override("es"):
        [table] = trends.combined_trends(partner=mx.hotline).tables
        assert table.title == str(releases.TABLES["cases_type_month"].title)
        # Sorted by the labels the reader sees.
        assert [row.labels[0][1] for row in table.rows][::2] == [
            "Explotación sexual",
            "Trabajo forzoso",
        ]
        assert table.rows[0].labels[1] == ("Mes", "octubre de 2026")
        assert table.sources[0].protection.startswith("Ninguna cifra menor que 11")


def test_a_dp_release_says_so_with_its_epsilon(mx, own_key, analyst):
    trends.send_release(
        release=released_table(recipient=mx.hotline, method="dp", epsilon=0.5), by=analyst
    )
    [table] = trends.combined_trends(partner=mx.hotline).tables
    assert table.sources[0].protection == ("Differential privacy (ε = 0.5), then no count below 11")


def test_the_document_of_any_built_release_passes_the_receivers_checks(mx, advocate, own_key):
    """Whatever B's protection publishes, the receiving rules accept: the two agree."""
    from puente.cases.models import Case
    from tests.factories import make_case

    for n in range(14):
        make_case(created_by=advocate, forms_of_exploitation=["ForcedLabour"], title=f"c{n}")
    for n in range(3):
        make_case(created_by=advocate, forms_of_exploitation=["ForcedBegging"], title=f"b{n}")
    Case.objects.update(created_at=timezone.now() - timedelta(days=40))
    start, end = trends.monthly_period(timezone.localdate(), months=3)
    for table in ("cases_type_month", "cases_state_quarter", "cases_state_type_quarter"):
        release = releases.build_release(
            by=None, table=table, period_start=start, period_end=end, recipient=mx.hotline
        )
        errors: dict[str, str] = {}
        trends.read_release_document(releases.release_document(release), errors)
        assert errors == {}, (table, errors)
