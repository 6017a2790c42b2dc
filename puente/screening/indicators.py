"""The trafficking-indicator checklist, as data.

Each indicator is one thing an advocate can hear in a call. It belongs to one group
(the HTCDS methods of control are split into force, fraud, coercion and control, as
the U.S. "force, fraud or coercion" test reads them), and may carry:

- `method_of_control`: the HTCDS vic_MethodsOfControl value it is evidence of, so a
  screening can fill in the case's methods of control;
- `mx_form`: the form of exploitation of the Ley General contra la Trata (2012),
  art. 10, it evidences;
- `activity`: what the person is made to do, in the TVPA's terms: "sex" (a commercial
  sex act) or "labour" (labour or services);
- `minor`: the indicator means the person is under 18.

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


class IndicatorGroup(models.TextChoices):
    FORCE = "force", pgettext_lazy("indicator group", "Force")
    FRAUD = "fraud", pgettext_lazy("indicator group", "Fraud")
    COERCION = "coercion", pgettext_lazy("indicator group", "Coercion")
    CONTROL = "control", pgettext_lazy("indicator group", "Control")
    COMMERCIAL_SEX = "commercial_sex", _("Commercial sex (including minors)")
    LABOUR = "labour", _("Labour and services")
    OTHER_EXPLOITATION = "other_exploitation", _("Other forms of exploitation")
    CONTEXT = "context", _("Vulnerability and context")


# The groups whose indicators are the *means* of trafficking (TVPA: force, fraud or
# coercion; HTCDS: methods of control).
MEANS_GROUPS: frozenset[str] = frozenset(
    {IndicatorGroup.FORCE, IndicatorGroup.FRAUD, IndicatorGroup.COERCION, IndicatorGroup.CONTROL}
)

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
    minor: bool = False

    @property
    def is_means(self) -> bool:
        return self.group in MEANS_GROUPS


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
    Indicator("treated_as_property", G.CONTROL, _("Bought, sold or treated as someone's property"), MoC.OTHER, Mx.ESCLAVITUD),
    # Commercial sex
    Indicator("minor_commercial_sex", G.COMMERCIAL_SEX, _("Person under 18 involved in commercial sex"), MoC.USES_CHILDREN, Mx.EXPLOTACION_SEXUAL, SEX, minor=True),
    Indicator("commercial_sex_third_party", G.COMMERCIAL_SEX, _("Commercial sex arranged or induced by a third party"), None, Mx.EXPLOTACION_SEXUAL, SEX),
    # Labour and services
    Indicator("labour_no_pay", G.LABOUR, _("Labour: no pay or minimal pay"), None, Mx.EXPLOTACION_LABORAL, LABOUR),
    Indicator("labour_cannot_leave", G.LABOUR, _("Labour: cannot leave the job"), None, Mx.TRABAJO_FORZADO, LABOUR),
    Indicator("recruitment_fees", G.LABOUR, _("Labour: charged recruitment or travel fees"), MoC.DEBT_BONDAGE, None, LABOUR),
    Indicator("lives_at_worksite", G.LABOUR, _("Labour: lives at the worksite or in housing controlled by the employer"), None, None, LABOUR),
    # Other forms of exploitation (Ley General, art. 10)
    Indicator("forced_begging", G.OTHER_EXPLOITATION, _("Forced to beg"), None, Mx.MENDICIDAD_FORZOSA, LABOUR),
    Indicator("forced_marriage", G.OTHER_EXPLOITATION, _("Forced or servile marriage"), None, Mx.MATRIMONIO_FORZOSO),
    Indicator("minor_criminal_activity", G.OTHER_EXPLOITATION, _("Person under 18 used in criminal activity"), MoC.USES_CHILDREN, Mx.MENORES_DELICTIVAS, LABOUR, minor=True),
    Indicator("illegal_adoption", G.OTHER_EXPLOITATION, _("Illegal adoption of a child"), None, Mx.ADOPCION_ILEGAL, minor=True),
    Indicator("organ_removal", G.OTHER_EXPLOITATION, _("Removal of organs, tissues or cells"), None, Mx.TRAFICO_ORGANOS),
    Indicator("biomedical_experimentation", G.OTHER_EXPLOITATION, _("Illicit medical experimentation"), None, Mx.EXPERIMENTACION),
    # Vulnerability and context: they raise concern but prove nothing on their own.
    Indicator("person_under_18", G.CONTEXT, _("The person is under 18"), minor=True),
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
