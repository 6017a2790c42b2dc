"""The rules that turn indicators into a level of indicators (no database needed)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from puente.core.choices import IndicatorLevel, LegalFrame, MethodOfControl, MexicoExploitationForm
from puente.screening import indicators as ind
from puente.screening.domain import assess

CODES = [i.code for i in ind.INDICATORS]
FRAMES = [LegalFrame.US_TVPA.value, LegalFrame.MX_LGT.value]
indicator_sets = st.sets(st.sampled_from(CODES))
frames = st.sampled_from(FRAMES)
rank = IndicatorLevel.rank


def level(codes, frame, minor=False) -> str:
    return assess(indicators=set(codes), legal_frame=frame, person_is_minor=minor).level


SEX = {i.code for i in ind.INDICATORS if i.activity == ind.SEX}
LABOUR = {i.code for i in ind.INDICATORS if i.activity == ind.LABOUR}
TVPA_MEANS = {i.code for i in ind.INDICATORS if i.is_tvpa_means}
CONTROL = {i.code for i in ind.INDICATORS if i.is_control}
FORMS = {i.code for i in ind.INDICATORS if i.mx_form}
SAYS_MINOR = {i.code for i in ind.INDICATORS if i.says_minor}


# --- properties ---------------------------------------------------------------------


@given(base=indicator_sets, more=indicator_sets, frame=frames, minor=st.booleans())
def test_ticking_more_indicators_never_lowers_the_level(base, more, frame, minor):
    assert rank(level(base | more, frame, minor)) >= rank(level(base, frame, minor))


@given(codes=indicator_sets, frame=frames)
def test_knowing_the_person_is_a_minor_never_lowers_the_level(codes, frame):
    assert rank(level(codes, frame, minor=True)) >= rank(level(codes, frame))


# Per person: only the person's own age (or "is or appears to be under 18") makes the
# minor rules apply; a child mentioned elsewhere in the call does not.
@given(others=st.sets(st.sampled_from(sorted(set(CODES) - SAYS_MINOR))))
def test_an_adult_in_commercial_sex_is_never_high_for_a_minor_reason(others):
    result = assess(indicators=others | {"commercial_sex_third_party"}, legal_frame="us_tvpa")
    assert not any("under 18" in str(r) for r in result.reasons)


def test_illegal_adoption_plus_an_adult_in_commercial_sex_is_not_a_minor_in_commercial_sex():
    result = assess(
        indicators={"illegal_adoption", "commercial_sex_third_party"}, legal_frame="us_tvpa"
    )
    assert result.level == "low"
    assert not any("under 18" in str(r) for r in result.reasons)


@pytest.mark.parametrize("minor_by", ["age", "appears"])
def test_the_person_being_a_minor_makes_commercial_sex_high_under_the_tvpa(minor_by):
    codes = {"commercial_sex_third_party"} | (
        {"person_under_18"} if minor_by == "appears" else set()
    )
    result = assess(indicators=codes, legal_frame="us_tvpa", person_is_minor=minor_by == "age")
    assert result.level == "high"
    assert [c.law for c in result.conclusions] == ["TVPA, 22 U.S.C. 7102(11)(A)"]


# One clear means is enough under the TVPA; control only points to a means.
@given(
    activity=st.sampled_from(sorted(SEX | LABOUR)),
    means=st.sampled_from(sorted(TVPA_MEANS)),
    minor=st.booleans(),
)
def test_commercial_sex_or_labour_with_any_one_means_is_high(activity, means, minor):
    assert level({activity, means}, "us_tvpa", minor) == "high"


@given(
    activity=st.sampled_from(sorted((SEX | LABOUR) - SAYS_MINOR)),
    control=st.sets(st.sampled_from(sorted(CONTROL)), min_size=1),
)
def test_commercial_sex_or_labour_with_control_only_is_moderate_and_asks(activity, control):
    result = assess(indicators={activity} | control, legal_frame="us_tvpa")
    assert result.level == "moderate"
    assert all("ask how the person is kept there" in str(r) for r in result.reasons)


@given(control=st.sets(st.sampled_from(sorted(CONTROL)), min_size=1))
def test_labour_of_a_minor_still_needs_means_under_the_tvpa(control):
    assert level({"labour_no_pay"}, "us_tvpa", minor=True) == "low"
    assert level({"labour_no_pay"} | control, "us_tvpa", minor=True) == "moderate"
    assert level({"labour_no_pay", "physical_abuse"}, "us_tvpa", minor=True) == "high"


# Mexico: any art. 10 form, without means, is at least moderate.
@given(form=st.sampled_from(sorted(FORMS)), minor=st.booleans())
def test_a_mexican_form_without_means_is_at_least_moderate(form, minor):
    assert rank(level({form}, "mx_lgt", minor)) >= rank("moderate")


@given(form=st.sampled_from(sorted(FORMS)))
def test_a_mexican_form_of_a_minor_is_high(form):
    assert level({form}, "mx_lgt", minor=True) == "high"


# Each conclusion names its law, and no indicator is both the means and the exploitation.
@given(codes=indicator_sets, frame=frames, minor=st.booleans())
def test_every_conclusion_cites_its_law_and_never_counts_one_indicator_twice(codes, frame, minor):
    result = assess(indicators=codes, legal_frame=frame, person_is_minor=minor)
    for conclusion in result.conclusions:
        assert conclusion.frame == frame
        if frame == "us_tvpa":
            assert conclusion.law.startswith("TVPA, 22 U.S.C. 7102")
        else:
            assert conclusion.law.startswith("Ley General de Trata (2012), art. 10")
        assert not set(conclusion.exploitation) & set(conclusion.means)
        assert set(conclusion.exploitation) | set(conclusion.means) <= codes


@pytest.mark.parametrize("frame", FRAMES)
def test_one_indicator_alone_is_never_both_means_and_exploitation(frame):
    for code in CODES:
        for conclusion in assess(indicators={code}, legal_frame=frame).conclusions:
            assert not (conclusion.exploitation and conclusion.means)


def test_mexican_conclusions_cite_the_article_of_each_form():
    result = assess(indicators={"labour_no_pay", "forced_begging"}, legal_frame="mx_lgt")
    assert [c.law for c in result.conclusions] == [
        "Ley General de Trata (2012), art. 10 (fr. IV, art. 21; fr. VI, art. 24)"
    ]


@given(others=indicator_sets, frame=frames)
def test_a_minor_in_commercial_sex_is_always_high(others, frame):
    assert level(others | {"minor_commercial_sex"}, frame) == "high"


def test_uses_children_is_a_method_of_control_not_a_minor():
    assert ind.get("uses_children").method_of_control == MethodOfControl.USES_CHILDREN
    assert ind.get("uses_children").group == "control"
    assert [i.code for i in ind.INDICATORS if i.method_of_control == "UsesChildren"] == [
        "uses_children"
    ]
    assert not ind.get("uses_children").says_minor


@pytest.mark.parametrize("frame", FRAMES)
def test_nothing_ticked_is_none_with_no_reasons(frame):
    result = assess(indicators=set(), legal_frame=frame)
    assert (result.level, result.reasons, result.mx_forms) == ("none", [], [])


@given(codes=indicator_sets, frame=frames)
def test_every_level_above_none_says_why(codes, frame):
    result = assess(indicators=codes, legal_frame=frame)
    assert (result.level == "none") == (not codes)
    if result.level != "none":
        assert result.reasons and all(str(reason).strip() for reason in result.reasons)


@given(code=st.sampled_from(CODES), frame=frames)
def test_any_single_indicator_gives_a_level(code, frame):
    assert level({code}, frame) != "none"


def test_every_indicator_maps_to_real_codes_and_has_a_label():
    assert len(CODES) == len(set(CODES)) >= 25
    for indicator in ind.INDICATORS:
        assert indicator.group in ind.IndicatorGroup.values
        assert indicator.method_of_control in (None, *MethodOfControl.values)
        assert indicator.mx_form in (None, *MexicoExploitationForm.values)
        assert str(indicator.label)


def test_checklist_groups_cover_every_indicator_once():
    listed = [i.code for _code, _heading, items in ind.grouped() for i in items]
    assert sorted(listed) == sorted(CODES)


def test_labels_are_translated_to_spanish():
    with translation.override("es"):
        assert (
            str(ind.get("debt_bondage").label) == "Tiene una deuda que no puede terminar de pagar"
        )
        assert str(ind.IndicatorGroup.FORCE.label) == "Fuerza"


# --- United States (TVPA) ---------------------------------------------------------------

US = LegalFrame.US_TVPA.value
MX = LegalFrame.MX_LGT.value


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ({"minor_commercial_sex"}, "high"),
        ({"person_under_18", "commercial_sex_third_party"}, "high"),
        ({"commercial_sex_third_party", "physical_abuse", "false_promises"}, "high"),
        ({"labour_no_pay", "withholds_documents", "takes_earnings"}, "high"),
        ({"labour_no_pay", "withholds_documents", "debt_bondage"}, "high"),  # one group is enough
        ({"labour_cannot_leave", "threats_deportation"}, "high"),
        ({"commercial_sex_third_party", "physical_abuse"}, "high"),  # force alone
        ({"labour_no_pay", "contract_switching"}, "high"),  # fraud alone
        ({"labour_no_pay", "takes_earnings", "isolation"}, "moderate"),  # control only
        ({"commercial_sex_third_party", "illegal_adoption"}, "low"),  # not pooled
        ({"takes_earnings", "excessive_hours"}, "low"),
        ({"commercial_sex_third_party"}, "low"),
        ({"labour_no_pay"}, "low"),
        ({"physical_abuse", "threats_person_family"}, "low"),  # no sex or labour shown
        ({"organ_removal"}, "low"),
        ({"forced_marriage"}, "low"),
        ({"irregular_status", "language_barrier"}, "low"),
        ({"person_under_18"}, "low"),
        ({"debt_bondage"}, "low"),
        (set(), "none"),
    ],
)
def test_us_rules(codes, expected):
    assert level(codes, US) == expected


def test_us_minor_conclusion_cites_the_tvpa():
    result = assess(indicators={"minor_commercial_sex"}, legal_frame=US)
    assert [c.law for c in result.conclusions] == ["TVPA, 22 U.S.C. 7102(11)(A)"]


def test_us_only_reasons_of_the_deciding_level_are_given():
    result = assess(
        indicators={"labour_no_pay", "takes_earnings", "irregular_status"}, legal_frame=US
    )
    assert result.level == "moderate"
    assert [str(r) for r in result.reasons] == [
        "Commercial sex or labor with methods of control that point to force, fraud or coercion, none of which is shown yet: ask how the person is kept there."
    ]


# --- Mexico (Ley General 2012) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ({"minor_commercial_sex"}, "high"),
        ({"minor_criminal_activity"}, "high"),
        ({"illegal_adoption"}, "moderate"),  # the person may be the parent, not the child
        ({"illegal_adoption", "person_under_18"}, "high"),
        ({"person_under_18", "labour_no_pay"}, "high"),
        ({"commercial_sex_third_party", "threats_person_family"}, "high"),
        ({"labour_no_pay", "isolation"}, "high"),
        ({"debt_bondage", "threats_deportation"}, "high"),
        # The means are not an element in Mexico: exploitation alone is already moderate.
        ({"commercial_sex_third_party"}, "moderate"),
        ({"labour_no_pay"}, "moderate"),
        ({"forced_begging"}, "moderate"),
        ({"organ_removal"}, "moderate"),
        ({"forced_marriage"}, "moderate"),
        # Debt bondage is both servitude (art. 10 II) and a means; alone it is one fact.
        ({"debt_bondage"}, "moderate"),
        ({"recruitment_fees", "lives_at_worksite"}, "low"),
        ({"physical_abuse", "threats_person_family"}, "low"),
        ({"runaway_homeless"}, "low"),
        (set(), "none"),
    ],
)
def test_mx_rules(codes, expected):
    assert level(codes, MX) == expected


def test_frames_differ_where_the_laws_differ():
    # Adult commercial sex by a third party: TVPA needs means, the Ley General does not.
    assert level({"commercial_sex_third_party"}, US) == "low"
    assert level({"commercial_sex_third_party"}, MX) == "moderate"


def test_mx_forms_are_suggested_in_checklist_order():
    result = assess(
        indicators={"forced_begging", "debt_bondage", "labour_no_pay", "excessive_hours"},
        legal_frame=MX,
    )
    assert result.mx_forms == ["condicion_siervo", "explotacion_laboral", "mendicidad_forzosa"]


def test_mx_reason_cites_consent_irrelevant_in_spanish():
    result = assess(indicators={"labour_no_pay"}, legal_frame=MX)
    with translation.override("es"):
        text = str(result.reasons[0])
    assert "art. 40" in text and "consentimiento" in text


def test_unknown_indicator_or_frame_is_refused():
    with pytest.raises(ValidationError):
        assess(indicators={"nonsense"}, legal_frame=US)
    with pytest.raises(ValidationError):
        assess(indicators=set(), legal_frame="uk_msa")


# --- Worked cases (reference/hotlines.md, reference/htcds.md) ---------------------------
# (story, frame, indicators, person is a minor by age, level, laws of the conclusions)
WORKED = [
    # NHTH "High Risk": labour exploitation with no clear force, fraud or coercion.
    (
        "unpaid labour, nothing else",
        US,
        {"labour_no_pay"},
        False,
        "low",
        ["TVPA, 22 U.S.C. 7102(11)"],
    ),
    # A 19-year-old domestic worker, unpaid, beaten (sampledata "Trabajadora del hogar").
    (
        "domestic worker beaten",
        US,
        {"labour_no_pay", "physical_abuse", "confinement"},
        False,
        "high",
        ["TVPA, 22 U.S.C. 7102(11)(B)"],
    ),
    (
        "domestic worker beaten",
        MX,
        {"labour_no_pay", "physical_abuse", "confinement"},
        False,
        "high",
        ["Ley General de Trata (2012), art. 10 (fr. IV, art. 21)"],
    ),
    # False job offer as a model, taken to a table dance (Consejo 2024: false job offers).
    (
        "false modelling offer",
        US,
        {"commercial_sex_third_party", "false_promises"},
        False,
        "high",
        ["TVPA, 22 U.S.C. 7102(11)(A)"],
    ),
    # Adolescents of 14–15 recruited to keep watch for a criminal group, family threatened.
    (
        "teen lookouts",
        MX,
        {"minor_criminal_activity", "threats_family"},
        False,
        "high",
        [
            "Ley General de Trata (2012), art. 10 (fr. VII, art. 25)",
            "Ley General de Trata (2012), art. 10 (fr. VII, art. 25)",
        ],
    ),
    # Children selling at crossroads, earnings taken: forced begging (art. 10 VI).
    (
        "children begging",
        MX,
        {"forced_begging", "takes_earnings"},
        True,
        "high",
        [
            "Ley General de Trata (2012), art. 10 (fr. VI, art. 24)",
            "Ley General de Trata (2012), art. 10 (fr. VI, art. 24)",
        ],
    ),
    (
        "children begging",
        US,
        {"forced_begging", "takes_earnings"},
        True,
        "moderate",
        ["TVPA, 22 U.S.C. 7102(11)"],
    ),
    # A 16-year-old in commercial sex: no means needed under the TVPA.
    (
        "minor in commercial sex",
        US,
        {"commercial_sex_third_party"},
        True,
        "high",
        ["TVPA, 22 U.S.C. 7102(11)(A)"],
    ),
    # Forced marriage of an adult: outside the TVPA, art. 10 IX in Mexico.
    ("forced marriage", US, {"forced_marriage"}, False, "low", ["TVPA, 22 U.S.C. 7102(11)"]),
    (
        "forced marriage",
        MX,
        {"forced_marriage"},
        False,
        "moderate",
        ["Ley General de Trata (2012), art. 10 (fr. IX, arts. 28–29)"],
    ),
    # Debt bondage alone: servitude (art. 10 II) and a means, but one fact counts once.
    (
        "debt alone",
        MX,
        {"debt_bondage"},
        False,
        "moderate",
        ["Ley General de Trata (2012), art. 10 (fr. II, art. 12)"],
    ),
]


@pytest.mark.parametrize(
    ("story", "frame", "codes", "minor", "expected", "laws"),
    WORKED,
    ids=[f"{w[0]}-{w[1]}" for w in WORKED],
)
def test_worked_cases(story, frame, codes, minor, expected, laws):
    result = assess(indicators=codes, legal_frame=frame, person_is_minor=minor)
    assert (result.level, [c.law for c in result.conclusions]) == (expected, laws)
