"""What the reports add to lower apps' registries (home sections, audit labels, the
start-up check of the report definitions)."""

from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from puente.audit.labels import add_field_labels, add_object_label, add_picklist
from puente.audit.visibility import add_content_reader, readable_by_auditors
from puente.core.checks import add_configuration_check
from puente.core.home import add_home_section
from puente.insights.reports.definitions import (
    DefinitionError,
    check_definitions,
    definitions_path,
    read_definitions,
)
from puente.insights.reports.queries import reports_for_home


def _in_reader_language(labels: dict[str, str]) -> str:
    return lazy(lambda: labels.get((get_language() or "en")[:2]) or labels["en"], str)()


def _row_labels() -> list[tuple[str, str]]:
    """Each report row's label (from the definitions file, in both languages), so the
    trail names the figure whose list was opened rather than its code."""
    try:
        definitions = read_definitions(definitions_path())
    except DefinitionError:
        return []  # the start-up check names the problem
    return [
        (row.code, _in_reader_language(row.labels))
        for section in definitions.sections.values()
        for row in section.rows
    ]


def register() -> None:
    add_home_section(
        name="reports_due",
        order=85,
        template="insights/report_home.html",
        load=reports_for_home,
    )
    # A row that counts an unknown code would be a wrong number in a filed report:
    # `puente serve` refuses to start until the definitions file is fixed.
    add_configuration_check(check_definitions)
    # Entries about reports hold counts, codes and which figure was opened, never a name.
    add_content_reader(object_types=["reportrun", "report_figure"], may_read=readable_by_auditors)
    add_object_label("report_figure", _("list behind a report figure"), like="reportrun")
    add_field_labels(
        "report_figure",
        {
            "row": _("figure"),
            "page": _("page"),
            "listed": _("records listed"),
            "not_shown": _("records not shown (restricted cases)"),
        },
    )
    add_field_labels("reportrun", {"file": _("file"), "formats": _("files")})
    add_picklist(_row_labels(), object_type="report_figure", field="row")
    add_picklist([("reports_due", _("reports due"))], object_type="home", field="sections")
