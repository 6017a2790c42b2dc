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


def level(codes, frame) -> str:
    return assess(indicators=set(codes), legal_frame=frame).level


# --- properties ---------------------------------------------------------------------


@given(base=indicator_sets, more=indicator_sets, frame=frames)
def test_ticking_more_indicators_never_lowers_the_level(base, more, frame):
    assert rank(level(base | more, frame)) >= rank(level(base, frame))


@given(others=indicator_sets, frame=frames)
def test_a_minor_in_commercial_sex_is_always_high(others, frame):
    assert level(others | {"minor_commercial_sex"}, frame) == "high"


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
        ({"labour_no_pay", "withholds_documents", "debt_bondage"}, "moderate"),  # one group
        ({"labour_cannot_leave", "threats_deportation"}, "moderate"),
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


def test_us_minor_reason_cites_the_tvpa():
    result = assess(indicators={"minor_commercial_sex"}, legal_frame=US)
    assert any("22 U.S.C. 7102" in str(r) for r in result.reasons)


def test_us_only_reasons_of_the_deciding_level_are_given():
    result = assess(
        indicators={"labour_no_pay", "takes_earnings", "irregular_status"}, legal_frame=US
    )
    assert result.level == "moderate"
    assert [str(r) for r in result.reasons] == [
        "Commercial sex or labour together with indicators from one of force, fraud, coercion or control."
    ]


# --- Mexico (Ley General 2012) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ({"minor_commercial_sex"}, "high"),
        ({"minor_criminal_activity"}, "high"),
        ({"illegal_adoption"}, "high"),
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
