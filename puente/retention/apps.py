from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from puente.core.home import add_home_section


class RetentionConfig(AppConfig):
    name = "puente.retention"
    label = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        from puente.retention.queries import may_manage_retention

        add_home_section(
            name="retention", order=91, template="retention/_home.html", load=may_manage_retention
        )

        from puente.audit.labels import add_object_label, add_picklist, add_reason_pattern

        add_reason_pattern(
            r"retention: (?P<n>\d+) (?P<what>.+) kept past (?P<keep>\d+) (?P<unit>\S+)",
            _("retention: %(n)s %(what)s kept past %(keep)s %(unit)s"),
        )
        add_reason_pattern("dry run started", _("dry run started"))
        add_reason_pattern("purge started", _("purge started"))
        add_reason_pattern(
            r"dry run finished \(due\) — (?P<summary>.*)",
            _("dry run finished (due, nothing removed) — %(summary)s"),
        )
        add_reason_pattern(
            r"purge finished \(purged\) — (?P<summary>.*)",
            _("purge finished (purged) — %(summary)s"),
        )

        add_object_label("retention", _("retention purge"))
        add_object_label("retention_run", _("retention purge"))
        add_picklist([("retention", _("retention"))], object_type="home", field="sections")
