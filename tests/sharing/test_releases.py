"""Building, protecting and releasing aggregate tables (puente.sharing.releases): what
a release holds, that nothing in it is below k, the DP budget ledger, the audit trail."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.federation.models import PartnerHotline
from puente.sharing import releases
from puente.sharing.models.releases import BudgetSpend, Release
from tests.factories import make_user
from tests.sharing.release_data import add_cases

JAN, MAR = date(2026, 1, 1), date(2026, 3, 31)


@pytest.fixture
def partner(db, own_key):
    # A release for a partner is sent as it is released, signed with this hotline's key.
    return PartnerHotline.objects.create(
        name="Línea Nacional", country="MX", base_url="https://mx.example"
    )


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    # The period must have passed: "today" is after March 2026 whatever the machine says.
    monkeypatch.setattr(releases.timezone, "localdate", lambda *a: date(2026, 11, 30))


def _build(analyst, **kwargs):
    return releases.build_release(
        **{
            "by": analyst,
            "table": "cases_state_type_quarter",
            "period_start": JAN,
            "period_end": MAR,
            "recipient": None,
            "publication_name": "Annual report",
            **kwargs,
        }
    )


def _counts(document):
    yield from (cell["count"] for cell in document["cells"] if cell["count"] is not None)
    yield from (m["count"] for m in document["margins"] if m["count"] is not None)


def test_a_release_holds_the_protected_table_in_codes(analyst, partner):
    add_cases(30, state="US-TX", forms=["SexualExploitation"])
    add_cases(20, state="US-TX", forms=["ForcedLabour"])
    add_cases(25, state="MX-CHH", forms=["SexualExploitation"])
    add_cases(3, state="MX-CHH", forms=["ForcedLabour"])
    add_cases(2, state="US-VT", forms=["ForcedLabour"])  # a rare state: folded
    release = _build(analyst, recipient=partner, publication_name="")
    document = releases.release_document(release)
    assert document["table"] == "cases_state_type_quarter"
    assert document["dimensions"] == ["state", "type_of_exploitation", "quarter"]
    assert document["period"] == {"start": "2026-01-01", "end": "2026-03-31"}
    assert document["protection"] == {
        "method": "suppression",
        "k": 11,
        "epsilon": None,
        "delta": None,
    }
    cells = {(c["state"], c["type_of_exploitation"], c["quarter"]): c for c in document["cells"]}
    assert cells[("US-TX", "SexualExploitation", "2026-Q1")]["count"] == 30
    assert cells[("US-TX", "ForcedLabour", "2026-Q1")]["count"] == 20
    # Chihuahua's 3 labor cases and Vermont's 2 are below k: folded into "other", never shown.
    assert all(c["count"] is None or c["count"] >= 11 for c in document["cells"])
    assert ("US-VT", "ForcedLabour", "2026-Q1") not in cells
    assert min(_counts(document)) >= 11
    grand = [m for m in document["margins"] if set(m) == {"count"}]
    assert grand == [{"count": 80}]
    assert release.status == "released" and release.released_by == analyst
    assert "Rosa" not in str(document) and "US-2026" not in str(document)


def test_a_case_counts_once_in_the_state_where_it_was_exploited(analyst):
    cases = add_cases(12, state="US-TX", forms=["ForcedLabour"])
    from puente.cases.models import CaseLocation

    for case in cases:
        CaseLocation.objects.create(
            case=case, kind="Recruitment", country="MX", subdivision="MX-OAX"
        )
    counts = releases.TABLES["cases_state_quarter"].count(JAN, MAR)
    assert counts == {("US-TX", "2026-Q1"): 12}


def test_types_of_exploitation_are_one_per_case():
    assert releases._type_code(["ForcedLabour"], "labour") == "ForcedLabour"
    assert releases._type_code(["ForcedLabour", "SexualExploitation"], "") == "multiple"
    assert releases._type_code([], "sex") == "SexualExploitation"
    assert releases._type_code([], "not_specified") == "not_specified"


def test_releasing_is_audited_with_its_protection(analyst, partner):
    add_cases(12, forms=["ForcedLabour"])
    shared = _build(analyst, recipient=partner, publication_name="")
    published = _build(analyst)
    share = AuditEntry.objects.get(object_type="release", object_id=str(shared.pk))
    assert share.action == "share" and share.actor == analyst
    fields = {c["field"]: c["new"] for c in share.changes}
    assert fields["table"] == "cases_state_type_quarter"
    assert fields["audience"] == str(partner)
    assert fields["method"] == "suppression" and fields["k"] == 11
    export = AuditEntry.objects.get(object_type="release", object_id=str(published.pk))
    assert export.action == "export"


def test_a_draft_leaves_nothing_until_confirmed(analyst):
    add_cases(12)
    draft = releases.prepare_release(
        by=analyst,
        table="cases_type_month",
        period_start=JAN,
        period_end=MAR,
        recipient=None,
        publication_name="Web",
    )
    assert draft.status == "draft"
    assert not AuditEntry.objects.filter(object_type="release").exists()
    releases.confirm_release(release=draft, by=analyst)
    with pytest.raises(ValidationError):
        releases.confirm_release(release=draft, by=analyst)
    assert AuditEntry.objects.filter(object_type="release").count() == 1


def test_k_cannot_go_below_the_hotline_minimum(analyst, settings):
    settings.PUENTE_RELEASE_K = 20
    with pytest.raises(ValidationError) as refused:
        _build(analyst, k=11)
    assert "k" in refused.value.message_dict
    add_cases(15)
    release = _build(analyst, table="cases_state_quarter")
    # 15 cases: fewer than this hotline's k of 20, so nothing at all is published.
    assert release.k == 20
    assert list(_counts(releases.release_document(release))) == []


def test_a_release_needs_an_audience_and_a_past_period(analyst):
    with pytest.raises(ValidationError) as refused:
        _build(analyst, publication_name="  ", period_end=date(2027, 1, 1))
    assert set(refused.value.message_dict) == {"publication_name", "period_end"}


def test_only_release_managers_build_releases(db):
    with pytest.raises(PermissionDenied):
        _build(make_user(Role.ADVOCATE))


def test_differential_privacy_adds_noise_within_the_bounds(analyst):
    add_cases(40, state="US-TX", forms=["SexualExploitation"])
    add_cases(40, state="US-CA", forms=["ForcedLabour"])
    documents = [
        releases.release_document(
            _build(analyst, table="cases_state_quarter", method="dp", epsilon=0.5)
        )
        for _ in range(4)
    ]
    for document in documents:
        assert document["protection"]["method"] == "dp"
        assert document["protection"]["epsilon"] == 0.5
        # Noise can make cells that were empty small, and hiding them can hide the rest:
        # what is published may be only the totals, but never a count below k.
        assert all(n >= 11 for n in _counts(document))
    totals = [next(m["count"] for m in d["margins"] if set(m) == {"count"}) for d in documents]
    # Over ~90 noised cells the grand total differs from 80 almost surely, and the four
    # releases do not all agree.
    assert len(set(totals)) > 1 or totals[0] != 80


def test_epsilon_must_be_within_the_configured_bounds(analyst, settings):
    settings.PUENTE_RELEASE_EPSILON_MIN = 0.2
    settings.PUENTE_RELEASE_EPSILON_MAX = 1.0
    for epsilon in (0.1, 1.5, None):
        with pytest.raises(ValidationError) as refused:
            _build(analyst, method="dp", epsilon=epsilon)
        assert "epsilon" in refused.value.message_dict


def test_a_release_over_the_yearly_budget_is_refused(analyst, partner, settings):
    settings.PUENTE_RELEASE_EPSILON_BUDGET = 2.0
    add_cases(12)
    _build(analyst, recipient=partner, publication_name="", method="dp", epsilon=1.0)
    _build(analyst, recipient=partner, publication_name="", method="dp", epsilon=0.5)
    assert releases.budget_spent(recipient=partner, year=2026) == pytest.approx(1.5)
    before = Release.objects.count()
    with pytest.raises(ValidationError) as refused:
        _build(analyst, recipient=partner, publication_name="", method="dp", epsilon=1.0)
    message = refused.value.message_dict["epsilon"][0]
    assert "exceed the privacy budget" in message and "1.5 of 2" in message
    assert Release.objects.count() == before  # nothing stored, nothing spent
    assert BudgetSpend.objects.count() == 2
    # Without DP the partner can still be sent a table: suppression spends no budget.
    _build(analyst, recipient=partner, publication_name="")
    with translation.override("es"):
        with pytest.raises(ValidationError) as refused:
            _build(analyst, recipient=partner, publication_name="", method="dp", epsilon=1.0)
        assert "presupuesto de privacidad" in refused.value.message_dict["epsilon"][0]


def test_what_is_published_counts_against_every_partner(analyst, partner, settings):
    settings.PUENTE_RELEASE_EPSILON_BUDGET = 2.0
    add_cases(12)
    _build(analyst, method="dp", epsilon=1.5)  # to the public
    with pytest.raises(ValidationError):
        _build(analyst, recipient=partner, publication_name="", method="dp", epsilon=1.0)
    other = PartnerHotline.objects.create(name="Otra", country="GT", base_url="https://gt.example")
    _build(analyst, recipient=other, publication_name="", method="dp", epsilon=0.5)
    # The public has been given 1.5 and a partner 0.5 more on top: a public release of
    # 0.5 would give that partner 2.5.
    with pytest.raises(ValidationError):
        _build(analyst, method="dp", epsilon=0.5)


def test_the_budget_is_per_year(analyst, partner, settings, monkeypatch):
    settings.PUENTE_RELEASE_EPSILON_BUDGET = 1.0
    add_cases(12)
    _build(analyst, recipient=partner, publication_name="", method="dp", epsilon=1.0)
    monkeypatch.setattr(releases.timezone, "localdate", lambda *a: date(2027, 1, 2))
    _build(analyst, recipient=partner, publication_name="", method="dp", epsilon=1.0)
    assert BudgetSpend.objects.filter(year=2027).count() == 1


@pytest.mark.parametrize(
    "language,expected",
    [
        ("en", ["Forced labor", "Other (rare categories)", "2026, quarter 1", "Texas"]),
        (
            "es",
            ["Trabajo forzoso", "Otros (categorías poco frecuentes)", "2026, trimestre 1", "Texas"],
        ),
    ],
)
def test_value_codes_are_labelled_in_both_languages(language, expected):
    with translation.override(language):
        assert [
            releases.dimension_label("type_of_exploitation", "ForcedLabour"),
            releases.dimension_label("state", "other"),
            releases.dimension_label("quarter", "2026-Q1"),
            releases.dimension_label("state", "US-TX"),
        ] == expected
        for table in releases.TABLES.values():
            assert str(table.title)
        assert releases.dimension_label("gender", "Feminine") != "Feminine"


def test_every_table_counts_from_the_data(analyst):
    add_cases(12, forms=["ForcedLabour"], victims=1)
    for code, table in releases.TABLES.items():
        counts = table.count(JAN, MAR)
        if code.startswith("contacts"):
            continue
        assert sum(counts.values()) == 12, code
        assert all(len(key) == len(table.dimensions) for key in counts)


def test_the_dp_domain_is_fixed_before_the_data():
    quarters = releases.dimension_domain("quarter", start=date(2025, 11, 1), end=date(2026, 2, 1))
    assert quarters == ["2025-Q4", "2026-Q1"]
    assert "US-TX" in releases.dimension_domain("state", start=JAN, end=MAR)
    assert "MX-CMX" in releases.dimension_domain("state", start=JAN, end=MAR)


# --- the CTDC microdata ----------------------------------------------------------------


def test_microdata_follows_the_ctdc_layout_and_names_no_one(analyst):
    add_cases(
        15,
        forms=["ForcedLabour"],
        victims=1,
        venues=["agriculture_animal_husbandry"],
        methods_of_control=["DebtBondage", "PhysicalThreats"],
        summary="Rosa, calle 5",
    )
    rows = releases.export_microdata(by=analyst, period_start=JAN, period_end=MAR)
    header, body = rows[0], rows[1:]
    assert header[:8] == [
        "yearOfRegistration",
        "Datasource",
        "gender",
        "ageBroad",
        "majorityStatus",
        "majorityStatusAtExploit",
        "majorityEntry",
        "citizenship",
    ]
    for column in (
        "meansOfControlDebtBondage",
        "isForcedLabour",
        "isSexualExploit",
        "typeOfSexProstitution",
        "CountryOfExploitation",
        "recruiterRelationFamily",
    ):
        assert column in header
    assert len(body) == 15
    row = dict(zip(header, body[0], strict=True))
    assert row["yearOfRegistration"] == "2026" and row["gender"] == "Female"
    assert row["ageBroad"] == "21--23" and row["majorityStatus"] == "Adult"
    assert row["meansOfControlDebtBondage"] == "1" and row["meansOfControlThreats"] == "1"
    assert row["isForcedLabour"] == "1" and row["typeOfLabourAgriculture"] == "1"
    assert row["CountryOfExploitation"] == "US"
    text = str(rows)
    assert "Rosa" not in text and "Secreta" not in text and "US-2026" not in text
    entry = AuditEntry.objects.get(object_type="ctdc_microdata")
    assert entry.action == "export" and entry.reason == "k=11&rows=15"


def test_microdata_generalises_until_every_group_has_k_people(analyst):
    add_cases(14, victims=1, citizenship=["MX"], age_band="21-23")
    add_cases(3, victims=1, citizenship=["GT"], age_band="21-23")  # rare citizenship
    add_cases(12, victims=1, citizenship=["MX"], age_band="30-38")
    add_cases(1, victims=1, citizenship=["MX"], age_band="9-17", gender="Masculine")
    rows = releases.export_microdata(by=analyst, period_start=JAN, period_end=MAR)
    header, body = rows[0], rows[1:]
    at = [header.index(q) for q in releases.QUASI_IDENTIFIERS]
    groups: dict[tuple, int] = {}
    for row in body:
        key = tuple(row[i] for i in at)
        groups[key] = groups.get(key, 0) + 1
    assert min(groups.values()) >= 11
    assert "GT" not in {row[header.index("citizenship")] for row in body}
    assert len(body) >= 26  # the rare ones are generalised, not all dropped


def test_only_release_managers_export_microdata(db):
    with pytest.raises(PermissionDenied):
        releases.export_microdata(by=make_user(Role.ADVOCATE), period_start=JAN, period_end=MAR)


def test_released_at_is_recorded(analyst):
    add_cases(12)
    release = _build(analyst)
    assert release.released_at is not None
    assert release.released_at <= timezone.now()
    assert isinstance(release.released_at, datetime)


@st.composite
def people(draw):
    values = {
        "ageBroad": ["0--8", "21--23", "30--38", "48+", "-99"],
        "citizenship": ["MX", "US", "GT", "HN", "-99"],
        "CountryOfExploitation": ["US", "MX"],
        "gender": ["Female", "Male", "-99"],
        "majorityStatus": ["Adult", "Minor", "-99"],
        "yearOfRegistration": ["2025", "2026"],
    }
    n = draw(st.integers(0, 80))
    return [
        {qi: draw(st.sampled_from(options)) for qi, options in values.items()} for _ in range(n)
    ]


@settings(max_examples=150)
@given(people(), st.integers(2, 12))
def test_k_anonymity_holds_for_any_people(rows, k):
    kept = releases.k_anonymise([dict(row) for row in rows], k=k)
    groups: dict[tuple, int] = {}
    for row in kept:
        key = tuple(row[qi] for qi in releases.QUASI_IDENTIFIERS)
        groups[key] = groups.get(key, 0) + 1
    assert all(n >= k for n in groups.values())
    assert len(kept) <= len(rows)
    if len(rows) >= k:
        assert len(kept) >= len(rows) - (k - 1)  # at most one group too small to keep


def test_every_released_code_is_one_the_partner_can_read(analyst):
    add_cases(20, state="US-TX", forms=["ForcedLabour"], victims=1)
    add_cases(15, state="US-XX", forms=["SexualExploitation"], victims=1, gender="Bogus")
    for code, table in releases.TABLES.items():
        document = releases.release_document(_build(analyst, table=code))
        domains = {
            d: set(releases.dimension_domain(d, start=JAN, end=MAR)) | {"other"}
            for d in table.dimensions
        }
        for row in document["cells"] + document["margins"]:
            for d in table.dimensions:
                if d in row:
                    assert row[d] in domains[d], (code, d, row[d])
    # The unknown state's cases are not lost: they count under "other".
    document = releases.release_document(_build(analyst, table="cases_state_quarter"))
    assert [m["count"] for m in document["margins"] if set(m) == {"count"}] == [35]
