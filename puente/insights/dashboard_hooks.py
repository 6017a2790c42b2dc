"""What the dashboards add to lower apps' registries: the home page's links to them, and
the audit trail's words for a dashboard opened or a chart downloaded (with its filter)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.audit.labels import add_field_labels, add_object_label, add_picklist
from puente.audit.visibility import add_content_reader, readable_by_auditors
from puente.core import choices as c
from puente.core.home import add_home_section
from puente.insights import dashboards


def register() -> None:
    add_home_section(
        name="dashboards",
        order=80,
        template="insights/_dashboard_home.html",
        load=dashboards.home_dashboards,
    )
    add_picklist([("dashboards", _("dashboards"))], object_type="home", field="sections")

    add_object_label("dashboard", _("dashboard"))
    add_field_labels(
        "dashboard",
        {
            "dashboard": _("Dashboard"),
            "chart": _("Chart"),
            "start": pgettext_lazy("period", "From"),
            "end": pgettext_lazy("period", "To"),
            "all_years": _("All years"),
            "country": _("Country"),
            "state": pgettext_lazy("place", "State"),
            "exploitation_type": _("Type of trafficking"),
            "form_of_exploitation": _("Form of exploitation (HTCDS)"),
        },
    )
    add_picklist(
        [(board.slug, board.title) for board in dashboards.DASHBOARDS],
        object_type="dashboard",
        field="dashboard",
    )
    add_picklist(dashboards.CHART_TITLES.items(), object_type="dashboard", field="chart")
    add_picklist(c.ExploitationType, object_type="dashboard", field="exploitation_type")
    add_picklist(c.TypeOfExploitation, object_type="dashboard", field="form_of_exploitation")
    # A dashboard entry holds a filter, never a record: whoever reviews the trail reads it.
    add_content_reader(object_types=["dashboard"], may_read=readable_by_auditors)
