"""Two real deployments, end to end: a U.S. case is referred to Mexico, accepted there,
a local case opened, and Mexico's status updates appear on the U.S. case — then the same
pair under faults: Mexico down, a worker killed mid-delivery, tampered, foreign, stale,
replayed and future-versioned messages."""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from tests.federation.two_hotlines import two_hotlines

pytestmark = pytest.mark.two_hotlines

SEND = """
from puente.accounts.models import User
from puente.cases.models import Case
from puente.federation.models import PartnerHotline
from puente.federation import domain
liaison = User.objects.get(username="liaison")
case = Case.objects.filter(restricted=False).order_by("pk")[{index}]
victim = case.persons.filter(is_business=False).first()
referral = domain.send_referral(
    case=case, partner=PartnerHotline.objects.get(), by=liaison, person=victim,
    consent_given=True, consent_method="verbal",
    fields=["prs_Gender", "vic_TypeOfExploitation", "ext_ServicesNeeded"],
    extra={{"ext_ServicesNeeded": ["shelter_emergency_housing"]}},
    summary="{summary}",
)
print(case.reference, referral.exchange_id)
"""

ANSWER = """
from puente.accounts.models import User
from puente.federation.models import CrossBorderReferral
from puente.federation import domain
liaison = User.objects.get(username="liaison")
referral = CrossBorderReferral.objects.get(exchange_id="{exchange_id}", direction="incoming")
domain.update_status(referral=referral, status="accepted", by=liaison)
case = domain.open_local_case(referral=referral, by=liaison)
domain.update_status(referral=referral, status="in_contact", by=liaison, note="Hablamos con ella.")
domain.update_status(referral=referral, status="services_connected", by=liaison)
print(case.reference)
"""


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    with two_hotlines(tmp_path_factory.mktemp("pair")) as running:
        yield running


_sent = iter(range(100))


def send_from_us(us, summary="Necesita refugio en Monterrey."):
    reference, exchange_id = us.shell(SEND.format(index=next(_sent), summary=summary)).split()[-2:]
    return reference, exchange_id


def _incoming(mx, exchange_id):
    return mx.rows(
        "SELECT COUNT(*) FROM federation_crossborderreferral WHERE exchange_id = %s AND direction = 'incoming'",
        (_db_uuid(mx, exchange_id),),
    )[0][0]


def _db_uuid(hotline, value):
    # SQLite stores UUIDs as 32 hex characters, PostgreSQL as uuid.
    return (
        uuid.UUID(value).hex if hotline.side.env()["DATABASE_URL"].startswith("sqlite") else value
    )


def test_a_referral_crosses_the_border_and_its_progress_comes_back(pair):
    us, mx, _wire = pair
    reference, exchange_id = send_from_us(us)
    mx.wait_for(
        "SELECT status, summary FROM federation_crossborderreferral WHERE direction = 'incoming' AND exchange_id = %s",
        [("sent", "Necesita refugio en Monterrey.")],
        params=(_db_uuid(mx, exchange_id),),
    )
    mx_reference = mx.shell(ANSWER.format(exchange_id=exchange_id)).split()[-1]
    assert mx_reference.startswith("MX-")
    us.wait_for(
        "SELECT status, status_seq FROM federation_crossborderreferral WHERE direction = 'outgoing' AND exchange_id = %s",
        [("services_connected", 3)],
        params=(_db_uuid(us, exchange_id),),
    )
    updates = us.rows(
        "SELECT u.seq, u.status, u.note, u.partner_case_reference FROM federation_referralupdate u "
        "JOIN federation_crossborderreferral r ON r.id = u.referral_id WHERE r.exchange_id = %s ORDER BY u.seq",
        (_db_uuid(us, exchange_id),),
    )
    assert updates == [
        (1, "accepted", "", ""),
        (2, "in_contact", "Hablamos con ella.", mx_reference),
        (3, "services_connected", "", mx_reference),
    ]
    # And every message on both sides is marked delivered, each once.
    us.wait_for("SELECT DISTINCT state FROM federation_outboxmessage", [("delivered",)])
    mx.wait_for("SELECT DISTINCT state FROM federation_outboxmessage", [("delivered",)])
    assert _incoming(mx, exchange_id) == 1


def test_mexico_down_while_the_referral_is_sent_gets_it_once_when_back(pair):
    us, mx, _wire = pair
    mx.stop_server()
    try:
        _reference, exchange_id = send_from_us(us, summary="Enviado con México caído.")
        us.wait_for(
            "SELECT attempts >= 2, state FROM federation_outboxmessage ORDER BY id DESC LIMIT 1",
            lambda rows: rows and rows[0][0] and rows[0][1] == "queued",
        )
        last_error = us.rows(
            "SELECT last_error FROM federation_outboxmessage ORDER BY id DESC LIMIT 1"
        )[0][0]
        assert "502" in last_error or "Connection" in last_error
    finally:
        mx.start_server()
    us.wait_for(
        "SELECT state FROM federation_outboxmessage ORDER BY id DESC LIMIT 1", [("delivered",)]
    )
    assert _incoming(mx, exchange_id) == 1
    inbox = mx.rows(
        "SELECT COUNT(*) FROM federation_inboxmessage WHERE message_type = 'referral.offer' AND CAST(payload AS TEXT) LIKE %s",
        (f"%{exchange_id}%",),
    )
    assert inbox == [(1,)]


def test_a_worker_killed_mid_delivery_leaves_the_message_delivered_once(pair):
    us, mx, wire = pair
    wire.hold = True
    wire.forwarded.clear()
    try:
        _reference, exchange_id = send_from_us(us, summary="El worker muere a medio envío.")
        assert wire.forwarded.wait(60), "the worker never sent"
        # Mexico stored it; the U.S. worker is still waiting for the answer. Kill it.
        us.stop_worker(kill=True)
        assert _incoming(mx, exchange_id) == 1
        state = us.rows("SELECT state FROM federation_outboxmessage ORDER BY id DESC LIMIT 1")
        assert state == [("queued",)]
    finally:
        wire.hold = False
        wire.release.set()
    us.start_worker()
    us.wait_for(
        "SELECT state FROM federation_outboxmessage ORDER BY id DESC LIMIT 1", [("delivered",)]
    )
    wire.release.clear()
    assert _incoming(mx, exchange_id) == 1
    assert mx.rows(
        "SELECT COUNT(*) FROM federation_inboxmessage WHERE CAST(payload AS TEXT) LIKE %s",
        (f"%{exchange_id}%",),
    ) == [(1,)]


def _counts(mx):
    return (
        mx.count("federation_inboxmessage"),
        mx.count("federation_crossborderreferral"),
        mx.count("federation_seensignature"),
    )


def _resign(us, body: bytes, *, message_id: str, now=None, key_pem: bytes | None = None):
    """A request signed with the U.S. hotline's real key (or another), as its worker would."""
    from puente.federation import keys
    from puente.federation.signing import sign_request

    pem = key_pem or us.side.key_file.read_bytes()
    return sign_request(
        url="http://unused/exchange/inbox/",
        body=body,
        message_id=message_id,
        private_key=keys.load_private_key(pem),
        now=now,
    )


def _post(mx, prepared, body=None):
    return requests.post(
        mx.side.url + "/exchange/inbox/",
        data=prepared.body if body is None else body,
        headers={k: v for k, v in prepared.headers.items() if k.lower() != "content-length"},
        timeout=30,
    )


def _offer(exchange_id=None, version=1):
    from tests.federation.conftest import offer_document

    document = offer_document(exchange_id=exchange_id)
    document["schema_version"] = version
    document["from"] = {"hotline": "National Human Trafficking Hotline (demo)", "country": "US"}
    return document


def _refusals(mx) -> list[str]:
    return [
        row[0]
        for row in mx.rows(
            "SELECT reason FROM audit_auditentry WHERE action = 'exchange_refused' ORDER BY id"
        )
    ]


def test_tampered_foreign_stale_and_replayed_messages_are_refused_and_nothing_is_stored(pair):
    from datetime import UTC, datetime, timedelta

    from puente.federation import keys

    us, mx, wire = pair
    before = _counts(mx)

    document = _offer()
    body = json.dumps(document).encode()
    tampered = _resign(us, body, message_id=document["message_id"])
    answer = _post(mx, tampered, body=body.replace(b"Houston", b"Tijuana"))
    assert (answer.status_code, answer.json()["error"]) == (401, "bad_signature")

    wrong_key = _resign(
        us, body, message_id=document["message_id"], key_pem=keys.generate_private_key_pem()
    )
    answer = _post(mx, wrong_key)
    assert (answer.status_code, answer.json()["error"]) == (401, "unknown_key")

    stale = _resign(
        us, body, message_id=document["message_id"], now=datetime.now(UTC) - timedelta(hours=1)
    )
    answer = _post(mx, stale)
    assert (answer.status_code, answer.json()["error"]) == (401, "stale")

    assert _counts(mx) == before

    # A real request that crossed the wire earlier, sent again byte for byte.
    captured = wire.requests[0]
    answer = requests.post(
        mx.side.url + captured["path"],
        data=captured["body"],
        headers=captured["headers"],
        timeout=30,
    )
    assert answer.status_code == 401
    assert answer.json()["error"] in {"replayed", "stale"}
    assert _counts(mx) == before

    # Nobody proved who sent these: counted per source and minute, not chained into the
    # audit trail under the U.S. hotline's name.
    counted = mx.rows(
        "SELECT SUM(refused) FROM federation_inboxrefusalsummary WHERE source = '127.0.0.1'"
    )[0][0]
    assert counted >= 4
    assert not [r for r in _refusals(mx) if r.startswith(("bad_signature", "unknown_key"))]


def test_a_fresh_replay_of_a_delivered_message_is_refused(pair):
    """Replay within the freshness window: the nonce gives it away."""
    us, mx, _wire = pair
    document = _offer()
    body = json.dumps(document).encode()
    prepared = _resign(us, body, message_id=document["message_id"])
    assert _post(mx, prepared).status_code == 202
    before = _counts(mx)
    answer = _post(mx, prepared)
    assert (answer.status_code, answer.json()["error"]) == (401, "replayed")
    assert _counts(mx) == before


def test_a_message_with_an_unknown_schema_version_is_refused_with_a_clear_error(pair):
    us, mx, _wire = pair
    before = _counts(mx)
    document = _offer(version=5)
    prepared = _resign(us, json.dumps(document).encode(), message_id=document["message_id"])
    answer = _post(mx, prepared)
    assert answer.status_code == 422
    assert answer.json()["error"] == "unsupported_schema_version"
    assert answer.json()["supported_versions"] == [1, 2, 3, 4]
    assert "Schema version 5 is not supported" in answer.json()["detail"]
    assert _counts(mx) == before


def _last_message(us):
    return us.rows(
        "SELECT state, attempts, last_error FROM federation_outboxmessage ORDER BY id DESC LIMIT 1"
    )[0]


def test_a_fake_acknowledgement_never_marks_a_message_delivered(pair):
    """A stub on Mexico's address echoes the message id with 202 — unsigned, then signed
    by a key that is not Mexico's. The message stays queued, each try's reason kept, and
    reaches Mexico, once, when the stub is gone."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    us, mx, wire = pair
    wire.fake = "unsigned"
    try:
        _reference, exchange_id = send_from_us(us, summary="Un impostor contesta por México.")
        us.wait_for(
            "SELECT state, attempts >= 2 FROM federation_outboxmessage ORDER BY id DESC LIMIT 1",
            lambda rows: rows == [("queued", True)],
        )
        state, _attempts, error = _last_message(us)
        assert state == "queued" and "not signed" in error
        wire.fake = Ed25519PrivateKey.generate()
        us.wait_for(
            "SELECT last_error FROM federation_outboxmessage ORDER BY id DESC LIMIT 1",
            lambda rows: "which is not a registered key of" in rows[0][0],
        )
        assert _last_message(us)[0] == "queued"
        assert wire.faked >= 3
        assert _incoming(mx, exchange_id) == 0
    finally:
        wire.fake = None
    us.wait_for(
        "SELECT state FROM federation_outboxmessage ORDER BY id DESC LIMIT 1", [("delivered",)]
    )
    assert _incoming(mx, exchange_id) == 1


def test_a_flood_of_unsigned_requests_is_limited_and_counted_not_audited(pair):
    """From one address (127.0.0.2), against both of Mexico's server processes: the
    count is shared through the database."""
    import http.client
    import time

    _us, mx, _wire = pair
    if time.time() % 60 > 45:  # keep the flood inside one minute
        time.sleep(61 - time.time() % 60)
    audited = mx.rows("SELECT COUNT(*) FROM audit_auditentry WHERE action = 'exchange_refused'")
    answers = []
    for _ in range(150):
        connection = http.client.HTTPConnection(
            "127.0.0.1", mx.side.port, timeout=30, source_address=("127.0.0.2", 0)
        )
        connection.request(
            "POST", "/exchange/inbox/", body=b"{}", headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        answers.append((response.status, response.getheader("Retry-After")))
        response.read()
        connection.close()
    assert [status for status, _ in answers] == [401] * 100 + [429] * 50
    assert all(wait and wait.isdigit() and 1 <= int(wait) <= 60 for _, wait in answers[100:])
    assert mx.rows(
        "SELECT refused, rate_limited, last_code FROM federation_inboxrefusalsummary "
        "WHERE source = '127.0.0.2'"
    ) == [(100, 50, "rate_limited")]
    assert (
        mx.rows("SELECT COUNT(*) FROM audit_auditentry WHERE action = 'exchange_refused'")
        == audited
    )
