"""Two real deployments, end to end: the U.S. hotline asks Mexico which of its
exploiters' identifiers Mexico also holds, over the signed exchange (separate server and
worker processes, separate databases). The U.S. learns exactly the intersection, each
U.S. case holding a match gets a task, Mexico keeps only how many were asked, both
sides audit the run, and nothing that crossed carries an identifier in the clear. A
request past Mexico's daily limit comes back refused, with its code, on both sides."""

from __future__ import annotations

import base64
import json

import pytest

from tests.federation.two_hotlines import two_hotlines

pytestmark = pytest.mark.two_hotlines

SHARED = ["+15125550301", "+525587654321", "trata.jobs@example.com"]
US_ONLY = ["+15125550302", "solo.us@example.com"]
MX_ONLY = ["+525511112222", "solo.mx@example.mx"]

PLANT = """
import json
from puente.accounts.models import User
from puente.cases import domain as cases
from puente.federation.models import PartnerHotline
from puente.networks import psi
admin = User.objects.get(username="administrator")
supervisor = User.objects.get(username="supervisor")
case = cases.open_case(by=supervisor, title="PSI planted")
values = {values!r}
cases.add_person(case=case, by=supervisor, role="exploiter", first_name="Planted",
                 identifiers=[("email" if "@" in v else "phone", v) for v in values])
# A victim in another case holds a shared number: it must never be asked or answered.
victim_case = cases.open_case(by=supervisor, title="PSI victim")
cases.add_person(case=victim_case, by=supervisor, role="potential_victim", first_name="V",
                 identifiers=[("phone", "+15125550399")])
# Set last: switching matching on blinds the set ahead, which must see all of it.
psi.change_policy(partner=PartnerHotline.objects.get(), by=admin, enabled=True,
                  kinds=["phone", "email"], runs_per_day={runs_per_day})
items = sorted(psi.exploiter_items(kinds=["phone", "email"]))
print(json.dumps({{"case": case.reference, "items": items}}))
"""

START = """
import json
from puente.accounts.models import User
from puente.federation.models import PartnerHotline
from puente.networks import psi
run = psi.start_match(partner=PartnerHotline.objects.get(), kinds=["phone", "email"],
                      by=User.objects.get(username="supervisor"))
print(json.dumps({"run_id": str(run.run_id), "pk": run.pk, "asked": run.asked}))
"""


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    with two_hotlines(tmp_path_factory.mktemp("psi-pair")) as running:
        yield running


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def _run_id(hotline, run_id: str) -> str:
    # SQLite stores a UUID as 32 hex digits, PostgreSQL as a uuid.
    return run_id.replace("-", "") if "sqlite" in hotline.side.env()["DATABASE_URL"] else run_id


def test_a_run_crosses_and_finds_exactly_the_shared_identifiers(pair):
    us, mx, wire = pair
    planted_us = _last_json(
        us.shell(PLANT.format(runs_per_day=1, values=SHARED + US_ONLY + ["+15125550399"]))
    )
    planted_mx = _last_json(mx.shell(PLANT.format(runs_per_day=1, values=SHARED + MX_ONLY)))
    # The victim's number is on an exploiter here too, and still never asked.
    assert "phone:+15125550399" not in planted_us["items"]
    expected = sorted(set(planted_us["items"]) & set(planted_mx["items"]))
    assert {f"phone:{v}" if "@" not in v else f"email:{v}" for v in SHARED} <= set(expected)

    started = _last_json(us.shell(START))
    assert started["asked"] == len(planted_us["items"])
    run_id = _run_id(us, started["run_id"])
    us.wait_for(
        "SELECT status FROM networks_matchrun WHERE run_id = %s",
        [("answered",)],
        params=(run_id,),
        timeout=120,
    )
    found = us.rows(
        "SELECT m.kind, m.normalised FROM networks_identifiermatch m "
        "JOIN networks_matchrun r ON r.id = m.run_id WHERE r.run_id = %s",
        (run_id,),
    )
    assert sorted(f"{kind}:{value}" for kind, value in found) == expected
    [(matched, sealed)] = us.rows(
        "SELECT matched, sealed FROM networks_matchrun WHERE run_id = %s", (run_id,)
    )
    assert matched == len(expected) and sealed is None
    # The planted case holds every shared identifier: it has its follow-up task.
    tasks = us.rows(
        "SELECT t.title FROM cases_task t JOIN cases_case c ON c.id = t.case_id "
        "WHERE c.reference = %s",
        (planted_us["case"],),
    )
    assert len(tasks) == 1 and "consented referral" in tasks[0][0]

    # Mexico kept how many were asked, of which kinds, and that it answered.
    served = mx.rows(
        "SELECT asked, outcome, refusal, held FROM networks_servedmatch WHERE run_id = %s",
        (_run_id(mx, started["run_id"]),),
    )
    assert served == [(started["asked"], "answered", "", len(planted_mx["items"]))]
    # Both sides audited the run.
    assert sorted(
        a
        for (a,) in us.rows(
            "SELECT action FROM audit_auditentry WHERE object_type = 'matchrun' AND object_id = %s",
            (str(started["pk"]),),
        )
    ) == ["change", "exchange_received", "share"]
    assert sorted(
        a
        for (a,) in mx.rows("SELECT action FROM audit_auditentry WHERE object_type = 'servedmatch'")
    ) == ["exchange_received", "share"]

    # What crossed from the U.S. to Mexico: blinded points, no identifier in the clear.
    [request] = [
        json.loads(r["body"])
        for r in wire.requests
        if json.loads(r["body"])["type"] == "identifiers.match_request"
    ]
    assert request["body"]["count"] == started["asked"]
    raw = json.dumps(request) + base64.b64decode(request["body"]["request"]).decode("latin-1")
    for value in SHARED + US_ONLY:
        assert value not in raw and value.lstrip("+") not in raw


def test_a_request_past_the_partners_daily_limit_is_refused_on_both_sides(pair):
    us, mx, _wire = pair
    started = _last_json(us.shell(START))
    us.wait_for(
        "SELECT status, refusal, sealed FROM networks_matchrun WHERE run_id = %s",
        [("refused", "daily_limit_reached", None)],
        params=(_run_id(us, started["run_id"]),),
        timeout=120,
    )
    assert mx.rows(
        "SELECT outcome, refusal FROM networks_servedmatch WHERE run_id = %s",
        (_run_id(mx, started["run_id"]),),
    ) == [("refused", "daily_limit_reached")]
