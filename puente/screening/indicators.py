"""The trafficking-indicator checklist, as data.

Each indicator is one thing an advocate can hear in a call *about the person being
screened* (a screening is about one person). It belongs to one group, and may carry:

- `method_of_control`: the HTCDS vic_MethodsOfControl value it is evidence of, so a
  screening can fill in the case's methods of control;
- `mx_form`: the form of exploitation of the Ley General contra la Trata (2012),
  art. 10, it evidences;
- `htcds_form`: the HTCDS vic_TypeOfExploitation value it evidences;
- `activity`: what the person is made to do, in the TVPA's terms: "sex" (a commercial
  sex act) or "labour" (labour or services);
- `says_minor`: ticking it says the person screened is (or appears to be) under 18.
  Nothing else does: a child mentioned in the call (an adoption, someone else's
  children) says nothing about the age of the person screened.

Groups: force, fraud and coercion are the *means* of the TVPA (22 U.S.C. 7102). The
HTCDS methods of control that are not themselves force, fraud or coercion (taking the
earnings, isolation, excessive hours…) are in "control": they support or point to a
means, and are not one on their own.

The rules that turn a set of indicators into a level live in `domain.py`; this module
only says what each indicator is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.core.choices import MethodOfControl as MoC
from puente.core.choices import MexicoExploitationForm as Mx
from puente.core.choices import TypeOfExploitation as Tx


class IndicatorGroup(models.TextChoices):
    FORCE = "force", pgettext_lazy("indicator group", "Force")
    FRAUD = "fraud", pgettext_lazy("indicator group", "Fraud")
    COERCION = "coercion", pgettext_lazy("indicator group", "Coercion")
    CONTROL = "control", pgettext_lazy("indicator group", "Control")
    COMMERCIAL_SEX = "commercial_sex", _("Commercial sex (including minors)")
    LABOUR = "labour", _("Labor and services")
    OTHER_EXPLOITATION = "other_exploitation", _("Other forms of exploitation")
    CONTEXT = "context", _("Vulnerability and context")


# The means of the TVPA: force, fraud or coercion (22 U.S.C. 7102). One is enough.
TVPA_MEANS_GROUPS: frozenset[str] = frozenset(
    {IndicatorGroup.FORCE, IndicatorGroup.FRAUD, IndicatorGroup.COERCION}
)
# Under the Ley General the means are not an element of the offence (art. 10): any sign
# of how the person is held, control included, only strengthens the evidence.
MX_MEANS_GROUPS: frozenset[str] = TVPA_MEANS_GROUPS | {IndicatorGroup.CONTROL}

SEX = "sex"
LABOUR = "labour"


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    label: Promise
    method_of_control: str | None = None
    mx_form: str | None = None
    activity: str | None = None
    says_minor: bool = False
    htcds_form: str | None = None

    @property
    def is_tvpa_means(self) -> bool:
        return self.group in TVPA_MEANS_GROUPS

    @property
    def is_control(self) -> bool:
        return self.group == IndicatorGroup.CONTROL


G = IndicatorGroup

# fmt: off
INDICATORS: tuple[Indicator, ...] = (
    # Force
    Indicator("physical_abuse", G.FORCE, _("Physical violence or abuse"), MoC.PHYSICAL_ABUSE),
    Indicator("sexual_abuse", G.FORCE, _("Sexual abuse or rape"), MoC.SEXUAL_ABUSE),
    Indicator("confinement", G.FORCE, _("Confined, locked in or movement restricted"), MoC.RESTRICTS_MOVEMENT),
    Indicator("psychoactive_substances", G.FORCE, _("Forced or induced use of drugs or alcohol"), MoC.PSYCHOACTIVE),
    # Fraud
    Indicator("false_promises", G.FRAUD, _("False promises of a job, pay, romance or a better life"), MoC.FALSE_PROMISES),
    Indicator("contract_switching", G.FRAUD, _("Work or pay differs from what was promised"), MoC.FALSE_PROMISES),
    # Coercion
    Indicator("threats_person_family", G.COERCION, _("Threats of harm to the person or their family"), MoC.PHYSICAL_THREATS),
    Indicator("threats_family", G.COERCION, _("Exploiter knows where the family lives or threatens the children"), MoC.THREATENS_FAMILY),
    Indicator("threats_deportation", G.COERCION, _("Threats of deportation, arrest or the police"), MoC.THREATS_LAW_ENFORCEMENT),
    Indicator("debt_bondage", G.COERCION, _("Owes a debt that cannot be paid off"), MoC.DEBT_BONDAGE, Mx.CONDICION_SIERVO),
    Indicator("withholds_documents", G.COERCION, _("Passport or identity documents taken"), MoC.WITHHOLDS_DOCUMENTS),
    Indicator("psychological_abuse", G.COERCION, _("Humiliation, intimidation or psychological abuse"), MoC.PSYCHOLOGICAL_ABUSE),
    # Control
    Indicator("takes_earnings", G.CONTROL, _("Someone else takes all or most of the earnings"), MoC.TAKES_EARNINGS),
    Indicator("restricts_money", G.CONTROL, _("No access to own money or bank account"), MoC.RESTRICTS_FINANCES),
    Indicator("withholds_necessities", G.CONTROL, _("Deprived of food, sleep or other necessities"), MoC.WITHHOLDS_NECESSITIES),
    Indicator("restricts_medical", G.CONTROL, _("Denied medical care"), MoC.RESTRICTS_MEDICAL),
    Indicator("excessive_hours", G.CONTROL, _("Excessive working hours, no days off"), MoC.EXCESSIVE_HOURS, Mx.EXPLOTACION_LABORAL),
    Indicator("isolation", G.CONTROL, _("Isolated from family, friends or the community; communication monitored"), MoC.RESTRICTS_MOVEMENT),
    Indicator("treated_as_property", G.CONTROL, _("Bought, sold or treated as someone's property"), MoC.OTHER, Mx.ESCLAVITUD, htcds_form=Tx.SERVITUDE),
    # HTCDS MethodsOfControlUsesChildren: the exploiter limits or uses access to the
    # person's own children to hold them (not "a minor is exploited": that is age).
    Indicator("uses_children", G.CONTROL, _("Kept from their own children, or access to their children used to control them"), MoC.USES_CHILDREN),
    # Commercial sex
    Indicator("minor_commercial_sex", G.COMMERCIAL_SEX, _("The person is under 18 and involved in commercial sex"), None, Mx.EXPLOTACION_SEXUAL, SEX, says_minor=True, htcds_form=Tx.SEXUAL),
    Indicator("commercial_sex_third_party", G.COMMERCIAL_SEX, _("Commercial sex arranged or induced by a third party"), None, Mx.EXPLOTACION_SEXUAL, SEX, htcds_form=Tx.SEXUAL),
    # Labour and services
    Indicator("labour_no_pay", G.LABOUR, _("Labor: no pay or minimal pay"), None, Mx.EXPLOTACION_LABORAL, LABOUR, htcds_form=Tx.FORCED_LABOUR),
    Indicator("labour_cannot_leave", G.LABOUR, _("Labor: cannot leave the job"), None, Mx.TRABAJO_FORZADO, LABOUR, htcds_form=Tx.FORCED_LABOUR),
    Indicator("recruitment_fees", G.LABOUR, _("Labor: charged recruitment or travel fees"), MoC.DEBT_BONDAGE, None, LABOUR),
    Indicator("lives_at_worksite", G.LABOUR, _("Labor: lives at the worksite or in housing controlled by the employer"), None, None, LABOUR),
    # Other forms of exploitation (Ley General, art. 10)
    Indicator("forced_begging", G.OTHER_EXPLOITATION, _("Forced to beg"), None, Mx.MENDICIDAD_FORZOSA, LABOUR, htcds_form=Tx.FORCED_BEGGING),
    Indicator("forced_marriage", G.OTHER_EXPLOITATION, _("Forced or servile marriage"), None, Mx.MATRIMONIO_FORZOSO, htcds_form=Tx.FORCED_MARRIAGE),
    Indicator("minor_criminal_activity", G.OTHER_EXPLOITATION, _("The person is under 18 and used in criminal activity"), None, Mx.MENORES_DELICTIVAS, LABOUR, says_minor=True, htcds_form=Tx.OTHER),
    # The person screened may be the child or a parent: it says nothing of their age.
    Indicator("illegal_adoption", G.OTHER_EXPLOITATION, _("Illegal adoption of a child"), None, Mx.ADOPCION_ILEGAL, htcds_form=Tx.FORCED_ADOPTION),
    Indicator("organ_removal", G.OTHER_EXPLOITATION, _("Removal of organs, tissues or cells"), None, Mx.TRAFICO_ORGANOS, htcds_form=Tx.ORGAN_REMOVAL),
    Indicator("biomedical_experimentation", G.OTHER_EXPLOITATION, _("Illicit medical experimentation"), None, Mx.EXPERIMENTACION, htcds_form=Tx.OTHER),
    # Vulnerability and context: they raise concern but prove nothing on their own.
    Indicator("person_under_18", G.CONTEXT, _("The person is or appears to be under 18"), says_minor=True),
    Indicator("irregular_status", G.CONTEXT, _("Irregular migration status or visa tied to the employer")),
    Indicator("runaway_homeless", G.CONTEXT, _("Runaway, homeless or without a safe place to live")),
    Indicator("language_barrier", G.CONTEXT, _("Does not speak the local language")),
    Indicator("third_party_speaks", G.CONTEXT, _("Someone else speaks for the person or answers for them")),
    Indicator("recruited_by_partner_family", G.CONTEXT, _("Recruited by a partner, relative or acquaintance")),
)
# fmt: on

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}


def get(code: str) -> Indicator:
    return BY_CODE[code]


def unknown_codes(codes) -> list[str]:
    return sorted(set(codes) - BY_CODE.keys())


def grouped() -> list[tuple[str, Promise, list[Indicator]]]:
    """The checklist as the screen shows it: (group code, heading, indicators)."""
    return [
        (group.value, group.label, [i for i in INDICATORS if i.group == group])
        for group in IndicatorGroup
    ]


def methods_of_control_for(codes) -> list[str]:
    """The HTCDS methods of control the indicators are evidence of, in checklist order."""
    wanted = set(codes)
    seen: list[str] = []
    for indicator in INDICATORS:
        moc = indicator.method_of_control
        if indicator.code in wanted and moc and moc not in seen:
            seen.append(moc)
    return seen


def mx_forms_for(codes) -> list[str]:
    """The Ley General art. 10 forms of exploitation the indicators evidence."""
    wanted = set(codes)
    seen: list[str] = []
    for indicator in INDICATORS:
        if indicator.code in wanted and indicator.mx_form and indicator.mx_form not in seen:
            seen.append(indicator.mx_form)
    return seen


def htcds_forms_for(codes) -> list[str]:
    """The HTCDS vic_TypeOfExploitation values the indicators evidence."""
    wanted = set(codes)
    seen: list[str] = []
    for indicator in INDICATORS:
        form = indicator.htcds_form
        if indicator.code in wanted and form and form not in seen:
            seen.append(form)
    return seen


def activities_for(codes) -> set[str]:
    return {i.activity for i in INDICATORS if i.code in set(codes) and i.activity}
