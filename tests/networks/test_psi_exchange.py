"""Private set intersection of exploiters' identifiers with a partner hotline, in one
process: our request leaves through the outbox, the partner's messages arrive signed
through the inbox, and the test plays the partner with the same PSI library. Exact
sets, both roles; what crosses the wire carries no identifier in the clear; a requester
cannot test an identifier it did not submit; policy, rate and budget refusals."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta

import private_set_intersection.python as psi_lib
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.cases.domain.persons import normalise_identifier
from puente.cases.models import Task
from puente.federation.models import OutboxMessage
from puente.networks import psi
from puente.networks.models.psi import (
    IdentifierMatch,
    MatchPolicy,
    MatchRun,
    PreparedAnswer,
    RunStatus,
    ServedMatch,
    ServedOutcome,
)
from tests.factories import make_case
from tests.federation.conftest import deliver, encode, make_partner, signed

# Our exploiters' identifiers, and the partner's: three shared.
OURS = {
    "phone": ["+15125550101", "+15125550102", "+15125550103", "+15125550104"],
    "email": ["boss@example.com", "jobs@example.org"],
}
THEIRS = [
    "phone:+15125550102",
    "phone:+15125550104",
    "email:jobs@example.org",
    "phone:+5215512345678",
    "email:reclutador@example.mx",
]
SHARED = {"phone:+15125550102", "phone:+15125550104", "email:jobs@example.org"}


@pytest.fixture
def mx(db, own_key):
    return make_partner()


@pytest.fixture
def policy(mx, administrator):
    return psi.change_policy(
        partner=mx.hotline,
        by=administrator,
        enabled=True,
        kinds=["phone", "email"],
        runs_per_day=3,
        identifiers_per_run=100,
        identifiers_per_year=1000,
    )


def add_exploiter(case, by, identifiers, *, role="exploiter", **fields):
    return cases.add_person(
        case=case,
        by=by,
        role=role,
        first_name=fields.pop("first_name", "X"),
        identifiers=identifiers,
    )


@pytest.fixture
def holdings(db, supervisor):
    """Two cases with exploiters' identifiers; a victim whose number is also on an
    exploiter elsewhere (left out); a signaler's number (left out)."""
    first = make_case(created_by=supervisor, title="Restaurant")
    second = make_case(created_by=supervisor, title="Farm")
    add_exploiter(first, supervisor, [("phone", p) for p in OURS["phone"][:2]])
    add_exploiter(first, supervisor, [("email", e) for e in OURS["email"]], is_business=False)
    add_exploiter(second, supervisor, [("phone", p) for p in OURS["phone"][1:]])
    victim_case = make_case(created_by=supervisor, title="Victim")
    add_exploiter(victim_case, supervisor, [("phone", "+15125550199")], role="potential_victim")
    add_exploiter(second, supervisor, [("phone", "+15125550199")])
    add_exploiter(victim_case, supervisor, [("phone", "+15125550198")], role="signaler")
    return first, second


def request_body(message: OutboxMessage) -> dict:
    return json.loads(message.body)["body"]


def envelope(message_type: str, exchange_id: str, body: dict) -> dict:
    return {
        "schema": "puente-exchange",
        "schema_version": 4,
        "type": message_type,
        "message_id": str(uuid.uuid4()),
        "exchange_id": exchange_id,
        "sent_at": timezone.now().isoformat(),
        "from": {"hotline": "Línea Nacional", "country": "MX"},
        "body": body,
    }


def send_from(partner, document: dict):
    return deliver(signed(encode(document), partner.private_key, message_id=document["message_id"]))


def partner_answers(mx, body: dict, items: list[str], *, part_bytes: int | None = None) -> list:
    """Mexico's side: answer our request over its own set, in parts, delivered signed."""
    answer = psi.compute_answer(request=base64.b64decode(body["request"]), items=items)
    blob = answer.setup + answer.response
    size = part_bytes or len(blob)
    chunks = [blob[i : i + size] for i in range(0, len(blob), size)]
    responses = []
    for n, chunk in enumerate(chunks, start=1):
        document = envelope(
            psi.RESPONSE_TYPE,
            body["run_id"],
            {
                "run_id": body["run_id"],
                "outcome": "answered",
                "refusal": "",
                "part": n,
                "parts": len(chunks),
                "setup_bytes": len(answer.setup),
                "response_bytes": len(answer.response),
                "data": base64.b64encode(chunk).decode(),
            },
        )
        responses.append(send_from(mx, document))
    return responses


# --- the PSI step itself ------------------------------------------------------------------


def test_intersection_is_exact_in_both_directions():
    client_items = [f"phone:+1512555{n:04d}" for n in range(300)]
    server_items = [f"phone:+1512555{n:04d}" for n in range(200, 700)] + ["email:a@b.mx"]
    client = psi_lib.client.CreateWithNewKey(True)
    request = client.CreateRequest(client_items).SerializeToString()
    answer = psi.compute_answer(request=request, items=server_items)
    found = psi.intersect(
        key=client.GetPrivateKeyBytes(),
        items=client_items,
        setup=answer.setup,
        response=answer.response,
    )
    assert set(found) == set(client_items) & set(server_items)
    assert len(found) == 100
    # Nothing shared, and an empty partner set: empty intersections.
    empty = psi.compute_answer(request=request, items=[])
    assert (
        psi.intersect(
            key=client.GetPrivateKeyBytes(),
            items=client_items,
            setup=empty.setup,
            response=empty.response,
        )
        == []
    )


def test_items_are_the_kind_and_the_value_as_the_cases_app_normalises_it():
    def item(kind, written):
        return psi.item_for(kind, normalise_identifier(kind=kind, value=written))

    assert item("phone", "(512) 555-0101") == "phone:+15125550101"
    assert item("address", "Calle  Reforma 10 ") == "address:calle reforma 10"
    assert item("vehicle", "ABC 123") == item("vehicle", "abc   123")


def test_only_exploiters_identifiers_never_a_victims_or_signalers(holdings):
    first, second = holdings
    held = psi.exploiter_items(kinds=["phone", "email"])
    assert set(held) == {
        "phone:+15125550101",
        "phone:+15125550102",
        "phone:+15125550103",
        "phone:+15125550104",
        "email:boss@example.com",
        "email:jobs@example.org",
    }
    # The victim's number is on an exploiter in another case too: it still never crosses.
    assert "phone:+15125550199" not in held and "phone:+15125550198" not in held
    assert held["phone:+15125550102"] == {first.pk, second.pk}
    assert set(psi.exploiter_items(kinds=["email"])) == {
        "email:boss@example.com",
        "email:jobs@example.org",
    }


def test_identifiers_on_no_person_only_when_the_policy_says_so(holdings, supervisor):
    case = holdings[0]
    cases.add_identifier(case=case, by=supervisor, kind="online_ad", value="https://ads.example/1")
    assert psi.exploiter_items(kinds=["online_ad"]) == {}
    assert set(psi.exploiter_items(kinds=["online_ad"], include_unattached=True)) == {
        "online_ad:https://ads.example/1"
    }


# --- requester: a whole run ---------------------------------------------------------------


def test_a_run_finds_exactly_the_shared_identifiers_and_gives_each_case_a_task(
    mx, policy, holdings, supervisor
):
    first, second = holdings
    run = psi.start_match(partner=mx.hotline, kinds=["phone", "email"], by=supervisor)
    assert run.status == RunStatus.SENT and run.asked == 6 and run.left_out == 0
    assert run.sealed  # the client's key waits, encrypted, for the answer
    message = OutboxMessage.objects.get(message_id=run.message_id)
    assert message.message_type == psi.REQUEST_TYPE
    body = request_body(message)
    assert set(body) == {"run_id", "kinds", "count", "request", "max_part_bytes"}
    assert body["count"] == 6 and body["kinds"] == ["phone", "email"]
    # No identifier crosses in the clear: not the number, not its digits, not the e-mail.
    wire = message.body
    for value in OURS["phone"] + OURS["email"]:
        assert value not in wire and value.lstrip("+") not in wire
    raw = base64.b64decode(body["request"])
    for value in OURS["phone"] + OURS["email"]:
        assert value.encode() not in raw

    # Mexico answers in three parts (a large answer is split to fit its inbox).
    responses = partner_answers(mx, body, THEIRS, part_bytes=200)
    assert [r.status_code for r in responses] == [202] * len(responses)
    run.refresh_from_db()
    assert run.status == RunStatus.ANSWERED and run.matched == 3
    assert run.sealed is None and run.answer_bytes is None  # the secret is gone
    found = {f"{m.kind}:{m.normalised}" for m in IdentifierMatch.objects.filter(run=run)}
    assert found == SHARED
    match = IdentifierMatch.objects.get(run=run, normalised="+15125550102")
    assert set(match.cases.values_list("pk", flat=True)) == {first.pk, second.pk}
    tasks = Task.objects.filter(case__in=[first, second]).order_by("case_id")
    assert [(t.case_id, t.assignee_id) for t in tasks] == [
        (first.pk, supervisor.pk),
        (second.pk, supervisor.pk),
    ]
    assert "follow up through a consented referral" in tasks[0].title
    assert "phone number, email address" in tasks[0].title
    # Audited: the request (share), the answer's receipt (per part), the result, the tasks.
    entries = AuditEntry.objects.filter(object_type="matchrun", object_id=str(run.pk))
    assert sorted(entries.values_list("action", flat=True)) == sorted(
        ["share", "change"] + ["exchange_received"] * len(responses)
    )
    assert (
        AuditEntry.objects.filter(object_type="task", action="create", via="exchange").count() == 2
    )


def test_a_late_answer_after_expiry_changes_nothing(mx, policy, holdings, supervisor, settings):
    run = psi.start_match(partner=mx.hotline, kinds=["phone"], by=supervisor)
    MatchRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=4))
    assert psi.expire_runs() == {"failed": 0, "expired": 1, "requeued": 0}
    run.refresh_from_db()
    assert (run.status, run.refusal, run.sealed) == (RunStatus.EXPIRED, "expired", None)
    body = request_body(OutboxMessage.objects.get(message_id=run.message_id))
    [answer] = partner_answers(mx, body, THEIRS)
    assert answer.status_code == 202
    run.refresh_from_db()
    assert run.status == RunStatus.EXPIRED and not IdentifierMatch.objects.exists()


def test_a_run_whose_request_was_never_delivered_fails(mx, policy, holdings, supervisor):
    run = psi.start_match(partner=mx.hotline, kinds=["phone"], by=supervisor)
    OutboxMessage.objects.filter(message_id=run.message_id).update(state="failed")
    assert psi.expire_runs()["failed"] == 1
    run.refresh_from_db()
    assert (run.status, run.refusal, run.sealed) == (RunStatus.FAILED, "not_delivered", None)


def test_a_refused_answer_is_recorded_with_its_code(mx, policy, holdings, supervisor):
    run = psi.start_match(partner=mx.hotline, kinds=["phone"], by=supervisor)
    document = envelope(
        psi.RESPONSE_TYPE,
        str(run.run_id),
        {
            "run_id": str(run.run_id),
            "outcome": "refused",
            "refusal": "yearly_budget_spent",
            "part": 0,
            "parts": 0,
            "setup_bytes": 0,
            "response_bytes": 0,
            "data": "",
        },
    )
    assert send_from(mx, document).status_code == 202
    run.refresh_from_db()
    assert (run.status, run.refusal, run.matched, run.sealed) == (
        RunStatus.REFUSED,
        "yearly_budget_spent",
        None,
        None,
    )


def test_a_secret_sealed_under_an_old_secret_key_still_opens(
    mx, policy, holdings, supervisor, settings
):
    run = psi.start_match(partner=mx.hotline, kinds=["phone"], by=supervisor)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "rotated-" + old
    settings.SECRET_KEY_FALLBACKS = [old]
    key, items = psi.unseal(run.sealed)
    assert len(key) == 32 and len(items) == 4


def test_starting_a_run_checks_permission_and_our_own_policy(
    mx, policy, holdings, advocate, supervisor
):
    with pytest.raises(PermissionDenied):
        psi.start_match(partner=mx.hotline, kinds=["phone"], by=advocate)
    with pytest.raises(ValidationError) as refused:
        psi.start_match(partner=mx.hotline, kinds=["address"], by=supervisor)
    assert "kinds" in refused.value.message_dict
    MatchPolicy.objects.filter(pk=policy.pk).update(identifiers_per_run=2)
    run = psi.start_match(partner=mx.hotline, kinds=["phone"], by=supervisor)
    assert (run.asked, run.left_out) == (2, 2)
    MatchPolicy.objects.filter(pk=policy.pk).update(enabled=False)
    with pytest.raises(ValidationError):
        psi.start_match(partner=mx.hotline, kinds=["phone"], by=supervisor)
    assert MatchRun.objects.count() == 1


# --- responder --------------------------------------------------------------------------


def partner_request(mx, items: list[str], *, kinds=("phone", "email"), run_id=None):
    """Mexico asks us: its PSI client, its request delivered signed. Returns the client."""
    client = psi_lib.client.CreateWithNewKey(True)
    run_id = run_id or str(uuid.uuid4())
    document = envelope(
        psi.REQUEST_TYPE,
        run_id,
        {
            "run_id": run_id,
            "kinds": list(kinds),
            "count": len(items),
            "request": base64.b64encode(client.CreateRequest(items).SerializeToString()).decode(),
            "max_part_bytes": 65536,
        },
    )
    return client, run_id, send_from(mx, document)


def answers_to(run_id: str) -> list[dict]:
    return [
        request_body(m)
        for m in OutboxMessage.objects.filter(message_type=psi.RESPONSE_TYPE).order_by("id")
        if request_body(m)["run_id"] == run_id
    ]


def test_the_responder_answers_and_learns_only_how_many_were_asked(mx, policy, holdings):
    asked = ["phone:+15125550101", "phone:+5215599999999", "email:jobs@example.org"]
    client, run_id, response = partner_request(mx, asked)
    assert response.status_code == 202
    served = ServedMatch.objects.get(run_id=run_id)
    # What we keep of the request: its count and kinds, and its blinded points until
    # answered; not one of the partner's identifiers.
    assert (served.asked, served.kinds, served.outcome) == (3, ["phone", "email"], "pending")
    psi.answer_request(served_id=served.pk)
    served.refresh_from_db()
    assert (served.outcome, served.held, bytes(served.request or b"")) == ("answered", 6, b"")
    [answer] = answers_to(run_id)
    assert answer["outcome"] == "answered" and (answer["part"], answer["parts"]) == (1, 1)
    blob = base64.b64decode(answer["data"])
    setup, response_bytes = blob[: answer["setup_bytes"]], blob[answer["setup_bytes"] :]
    found = psi.intersect(
        key=client.GetPrivateKeyBytes(), items=asked, setup=setup, response=response_bytes
    )
    assert set(found) == {"phone:+15125550101", "email:jobs@example.org"}
    # Our identifiers did not cross in the clear either.
    for value in OURS["phone"] + OURS["email"]:
        assert value.encode() not in blob
    # A second worker running the same task sends nothing more.
    psi.answer_request(served_id=served.pk)
    assert len(answers_to(run_id)) == 1
    assert set(
        AuditEntry.objects.filter(object_type="servedmatch").values_list("action", flat=True)
    ) == {"exchange_received", "share"}


def test_the_probe_a_requester_cannot_test_an_identifier_it_did_not_submit(mx, policy, holdings):
    """Mexico asks about one number and holds our whole answer. Our set contains
    +15125550103 too, which it did not ask: neither the compressed set nor the answer
    lets it find that out, whatever it tries with its own key."""
    asked = ["phone:+15125550101"]
    candidate = "phone:+15125550103"  # ours, not asked
    client, run_id, _response = partner_request(mx, asked)
    psi.answer_request(served_id=ServedMatch.objects.get(run_id=run_id).pk)
    [answer] = answers_to(run_id)
    blob = base64.b64decode(answer["data"])
    setup_bytes, response_bytes = blob[: answer["setup_bytes"]], blob[answer["setup_bytes"] :]
    key = client.GetPrivateKeyBytes()
    # What was asked is found.
    assert psi.intersect(key=key, items=asked, setup=setup_bytes, response=response_bytes) == asked
    # The answer carries one point per identifier asked, nothing more.
    response = psi_lib.Response()
    response.ParseFromString(response_bytes)
    assert len(response.encrypted_elements) == 1
    # Forging the responder's step with its own key (the candidate blinded by the client,
    # never by us): the compressed set does not recognise it.
    prober = psi_lib.client.CreateFromKey(key, True)
    forged = psi_lib.Response()
    forged.encrypted_elements.extend(prober.CreateRequest([candidate]).encrypted_elements)
    assert (
        psi.intersect(
            key=key, items=[candidate], setup=setup_bytes, response=forged.SerializeToString()
        )
        == []
    )
    # Nor does any other key's attempt (a fresh client over the candidate).
    other = psi_lib.client.CreateWithNewKey(True)
    guess = psi_lib.Response()
    guess.encrypted_elements.extend(other.CreateRequest([candidate]).encrypted_elements)
    assert (
        psi.intersect(
            key=other.GetPrivateKeyBytes(),
            items=[candidate],
            setup=setup_bytes,
            response=guess.SerializeToString(),
        )
        == []
    )
    # And the compressed set holds nothing readable: no identifier of ours in the clear.
    for value in OURS["phone"] + OURS["email"]:
        assert value.encode() not in setup_bytes and value[1:].encode() not in setup_bytes
    # Asking for the candidate properly is what finds it, and that is counted.
    client2, run2, _r = partner_request(mx, [candidate])
    psi.answer_request(served_id=ServedMatch.objects.get(run_id=run2).pk)
    [answer2] = answers_to(run2)
    blob2 = base64.b64decode(answer2["data"])
    assert psi.intersect(
        key=client2.GetPrivateKeyBytes(),
        items=[candidate],
        setup=blob2[: answer2["setup_bytes"]],
        response=blob2[answer2["setup_bytes"] :],
    ) == [candidate]
    assert sum(ServedMatch.objects.values_list("asked", flat=True)) == 2


def test_blinded_requests_are_unlinkable_across_runs():
    """The same identifiers asked twice look unrelated: the responder cannot tell it was
    asked the same number again, let alone which."""
    items = ["phone:+15125550101", "phone:+15125550102"]
    first = psi_lib.client.CreateWithNewKey(True).CreateRequest(items).encrypted_elements
    second = psi_lib.client.CreateWithNewKey(True).CreateRequest(items).encrypted_elements
    assert not set(first) & set(second)


def refusal_of(run_id: str) -> str:
    [answer] = answers_to(run_id)
    assert answer["outcome"] == "refused" and answer["data"] == ""
    served = ServedMatch.objects.get(run_id=run_id)
    assert (served.outcome, served.refusal) == (ServedOutcome.REFUSED, answer["refusal"])
    assert bytes(served.request or b"") == b""
    return answer["refusal"]


def test_no_policy_or_a_disabled_one_refuses(mx, holdings):
    _c, run_id, response = partner_request(mx, ["phone:+15125550101"])
    assert response.status_code == 202
    assert refusal_of(run_id) == "matching_disabled"


def test_a_kind_the_policy_does_not_allow_is_refused(mx, policy, holdings):
    _c, run_id, _r = partner_request(mx, ["address:calle 1"], kinds=["address"])
    assert refusal_of(run_id) == "kind_not_allowed"


def test_more_identifiers_than_a_request_may_carry_is_refused(mx, policy, holdings):
    _c, run_id, _r = partner_request(mx, [f"phone:+1512555{n:04d}" for n in range(101)])
    assert refusal_of(run_id) == "too_many_identifiers"


def test_the_daily_limit_refuses_the_fourth_request(mx, policy, holdings):
    for _ in range(3):
        _c, run_id, _r = partner_request(mx, ["phone:+15125550101"])
        assert ServedMatch.objects.get(run_id=run_id).outcome == "pending"
    _c, run_id, _r = partner_request(mx, ["phone:+15125550101"])
    assert refusal_of(run_id) == "daily_limit_reached"
    # Yesterday's requests do not count today.
    ServedMatch.objects.update(received_at=timezone.now() - timedelta(days=1))
    _c, run_id, _r = partner_request(mx, ["phone:+15125550101"])
    assert ServedMatch.objects.get(run_id=run_id).outcome == "pending"


def test_the_yearly_budget_refuses_what_would_overspend_it(mx, policy, holdings):
    MatchPolicy.objects.filter(pk=policy.pk).update(identifiers_per_year=150, runs_per_day=10)
    _c, first, _r = partner_request(mx, [f"phone:+1512555{n:04d}" for n in range(100)])
    psi.answer_request(served_id=ServedMatch.objects.get(run_id=first).pk)
    _c, second, _r = partner_request(mx, [f"phone:+1512556{n:04d}" for n in range(51)])
    assert refusal_of(second) == "yearly_budget_spent"
    # Refused requests spend nothing: 50 more still fit.
    _c, third, _r = partner_request(mx, [f"phone:+1512557{n:04d}" for n in range(50)])
    assert ServedMatch.objects.get(run_id=third).outcome == "pending"
    assert psi.budget_left(MatchPolicy.objects.get()) == {
        "runs_today": 2,
        "runs_left": 8,
        "spent": 150,
        "left": 0,
    }
    # Last year's requests belong to last year's budget.
    ServedMatch.objects.update(received_at=timezone.now() - timedelta(days=366))
    _c, fourth, _r = partner_request(mx, [f"phone:+1512558{n:04d}" for n in range(100)])
    assert ServedMatch.objects.get(run_id=fourth).outcome == "pending"


def test_a_request_with_points_off_the_curve_is_refused_as_invalid(mx, policy, holdings):
    run_id = str(uuid.uuid4())
    request = psi_lib.Request()
    request.reveal_intersection = True
    request.encrypted_elements.append(b"\x02" + b"\xff" * 32)
    document = envelope(
        psi.REQUEST_TYPE,
        run_id,
        {
            "run_id": run_id,
            "kinds": ["phone"],
            "count": 1,
            "request": base64.b64encode(request.SerializeToString()).decode(),
            "max_part_bytes": 65536,
        },
    )
    assert send_from(mx, document).status_code == 202
    psi.answer_request(served_id=ServedMatch.objects.get(run_id=run_id).pk)
    assert refusal_of(run_id) == "invalid_request"


# --- strict reading -----------------------------------------------------------------------


def good_request_body() -> dict:
    client = psi_lib.client.CreateWithNewKey(True)
    return {
        "run_id": str(uuid.uuid4()),
        "kinds": ["phone"],
        "count": 2,
        "request": base64.b64encode(
            client.CreateRequest(["phone:+1", "phone:+2"]).SerializeToString()
        ).decode(),
        "max_part_bytes": 65536,
    }


@pytest.mark.parametrize(
    "change,field",
    [
        ({"count": 3}, "body.request"),
        ({"count": 0}, "body.count"),
        ({"count": True}, "body.count"),
        ({"count": 20_001}, "body.count"),
        ({"kinds": ["phone", "phone"]}, "body.kinds"),
        ({"kinds": ["victim_phone"]}, "body.kinds"),
        ({"kinds": []}, "body.kinds"),
        ({"request": "not base64!"}, "body.request"),
        ({"request": base64.b64encode(b"\xff\xff").decode()}, "body.request"),
        ({"max_part_bytes": 10}, "body.max_part_bytes"),
        ({"run_id": "nope"}, "body.run_id"),
        ({"plaintext": ["+15125550101"]}, "body.plaintext"),
    ],
)
def test_a_request_body_is_read_strictly(change, field):
    errors: dict[str, str] = {}
    psi.read_request({**good_request_body(), **change}, errors)
    assert field in errors, errors


def test_a_good_request_body_reads_clean():
    errors: dict[str, str] = {}
    clean = psi.read_request(good_request_body(), errors)
    assert errors == {} and clean["count"] == 2


@pytest.mark.parametrize(
    "change,field",
    [
        ({"outcome": "maybe"}, "body.outcome"),
        ({"outcome": "refused", "refusal": "because"}, "body.refusal"),
        ({"part": 2, "parts": 1}, "body.part"),
        ({"parts": 65}, "body.part"),
        ({"setup_bytes": 0}, "body.setup_bytes"),
        ({"data": "***"}, "body.data"),
        ({"data": ""}, "body.data"),
        ({"part": -1}, "body.part"),
    ],
)
def test_a_response_body_is_read_strictly(change, field):
    body = {
        "run_id": str(uuid.uuid4()),
        "outcome": "answered",
        "refusal": "",
        "part": 1,
        "parts": 1,
        "setup_bytes": 3,
        "response_bytes": 3,
        "data": base64.b64encode(b"abcdef").decode(),
        **change,
    }
    errors: dict[str, str] = {}
    psi.read_response(body, errors)
    assert field in errors, errors


def test_a_malformed_request_is_refused_at_the_door_and_nothing_kept(mx, policy):
    body = {**good_request_body(), "count": 5}
    document = envelope(psi.REQUEST_TYPE, body["run_id"], body)
    response = send_from(mx, document)
    assert response.status_code == 422 and response.json()["error"] == "invalid_message"
    assert not ServedMatch.objects.exists()


def test_an_answer_for_a_run_we_never_asked_is_refused(mx):
    run_id = str(uuid.uuid4())
    document = envelope(
        psi.RESPONSE_TYPE,
        run_id,
        {
            "run_id": run_id,
            "outcome": "refused",
            "refusal": "matching_disabled",
            "part": 0,
            "parts": 0,
            "setup_bytes": 0,
            "response_bytes": 0,
            "data": "",
        },
    )
    response = send_from(mx, document)
    assert response.status_code == 422 and response.json()["error"] == "unknown_exchange"


def test_the_policy_is_set_by_administrators_and_audited(mx, administrator, supervisor):
    with pytest.raises(PermissionDenied):
        psi.change_policy(partner=mx.hotline, by=supervisor, enabled=True)
    policy = psi.change_policy(
        partner=mx.hotline, by=administrator, enabled=True, kinds=["email", "phone"]
    )
    assert policy.kinds == ["phone", "email"]  # in the picklist's order
    with pytest.raises(ValidationError):
        psi.change_policy(partner=mx.hotline, by=administrator, identifiers_per_run=20_001)
    with pytest.raises(ValidationError):
        psi.change_policy(partner=mx.hotline, by=administrator, kinds=["victim"])
    entries = AuditEntry.objects.filter(object_type="matchpolicy")
    assert list(entries.values_list("action", flat=True)) == ["create"]


# --- the set blinded ahead ----------------------------------------------------------------


def test_a_set_blinded_ahead_answers_one_request_and_is_gone(mx, policy, holdings):
    prepared = psi.prepare_answer(partner=mx.hotline)
    assert prepared is not None and prepared.kinds == ["email", "phone"]
    assert prepared.capacity == 100
    # One fresh is enough: a second call makes nothing.
    assert psi.prepare_answer(partner=mx.hotline) is None
    asked = ["phone:+15125550103", "email:boss@example.com", "phone:+5215500000000"]
    client, run_id, _r = partner_request(mx, asked, kinds=("email", "phone"))
    psi.answer_request(served_id=ServedMatch.objects.get(run_id=run_id).pk)
    assert not PreparedAnswer.objects.exists()
    [answer] = answers_to(run_id)
    blob = base64.b64decode(answer["data"])
    assert blob[: answer["setup_bytes"]] == bytes(prepared.setup)
    assert set(
        psi.intersect(
            key=client.GetPrivateKeyBytes(),
            items=asked,
            setup=blob[: answer["setup_bytes"]],
            response=blob[answer["setup_bytes"] :],
        )
    ) == {"phone:+15125550103", "email:boss@example.com"}


def test_a_set_blinded_ahead_is_not_used_once_it_holds_a_victims_identifier(
    mx, policy, holdings, supervisor
):
    prepared = psi.prepare_answer(partner=mx.hotline)
    # Since then, +15125550103 turned up as a victim's number: it must not be answered.
    victim_case = make_case(created_by=supervisor)
    add_exploiter(victim_case, supervisor, [("phone", "+15125550103")], role="potential_victim")
    asked = ["phone:+15125550103", "phone:+15125550101"]
    client, run_id, _r = partner_request(mx, asked, kinds=("email", "phone"))
    psi.answer_request(served_id=ServedMatch.objects.get(run_id=run_id).pk)
    assert not PreparedAnswer.objects.filter(pk=prepared.pk).exists()
    [answer] = answers_to(run_id)
    blob = base64.b64decode(answer["data"])
    assert blob[: answer["setup_bytes"]] != bytes(prepared.setup)
    assert psi.intersect(
        key=client.GetPrivateKeyBytes(),
        items=asked,
        setup=blob[: answer["setup_bytes"]],
        response=blob[answer["setup_bytes"] :],
    ) == ["phone:+15125550101"]


def test_nothing_is_blinded_ahead_when_matching_is_off_or_blinding_ahead_is(
    mx, policy, holdings, settings
):
    settings.PUENTE_PSI_PREPARED_MINUTES = 0
    assert psi.prepare_answer(partner=mx.hotline) is None
    settings.PUENTE_PSI_PREPARED_MINUTES = 60
    MatchPolicy.objects.filter(pk=policy.pk).update(enabled=False)
    assert psi.prepare_answer(partner=mx.hotline) is None
    assert not PreparedAnswer.objects.exists()


def test_a_set_blinded_ahead_too_long_ago_is_thrown_away(mx, policy, holdings):
    prepared = psi.prepare_answer(partner=mx.hotline)
    PreparedAnswer.objects.filter(pk=prepared.pk).update(
        created_at=timezone.now() - timedelta(minutes=61)
    )
    fresh = psi.prepare_answer(partner=mx.hotline)
    assert list(PreparedAnswer.objects.values_list("pk", flat=True)) == [fresh.pk]
