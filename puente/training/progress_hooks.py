"""Registrations for the training app's progress part (called from TrainingConfig.ready()):
the live-call gate, the home page's practice sections, and how the audit trail names a
required scenario and who may read those entries."""

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from puente.accounts.gates import add_permission_gate
from puente.audit.labels import add_field_labels, add_object_label, add_picklist
from puente.audit.visibility import add_content_reader, readable_with
from puente.core.home import add_home_section
from puente.core.permissions import Perm
from puente.training import progress, scenarios


def _scenario_label(slug: str) -> str:
    return progress.scenario_title(slug)


# The audit trail shows a scenario by its title in the reader's language, decided when
# the entry is shown (the curriculum may have changed since it was registered).
_lazy_scenario_label = lazy(_scenario_label, str)


def register() -> None:
    add_permission_gate(
        name="required_practice",
        perms=progress.LIVE_CALL_PERMS,
        withheld=progress.withheld_live_call_perms,
        reason=progress.live_call_refusal,
        withheld_among=progress.withheld_live_call_perms_among,
    )
    add_home_section(
        name="practice",
        order=8,
        template="training/progress/_home.html",
        load=progress.home_practice,
    )
    add_home_section(
        name="practice_team",
        order=70,
        template="training/progress/_home_team.html",
        load=progress.home_team_practice,
    )
    add_picklist(
        [("practice", _("practice calls")), ("practice_team", _("trainees' progress"))],
        object_type="home",
        field="sections",
    )
    # Who must pass what before taking live calls is about a colleague's training: for
    # the supervisors who set it, like quality reviews.
    add_content_reader(
        object_types=["practicerequirement"], may_read=readable_with(Perm.TRAINING_SUPERVISE)
    )
    add_object_label("practicerequirement", _("practice required before live calls"))
    add_field_labels("practicerequirement", {"scenario": _("practice scenario")})
    add_picklist(
        [(s.slug, _lazy_scenario_label(s.slug)) for s in scenarios.all_scenarios()],
        object_type="practicerequirement",
        field="scenario",
    )
