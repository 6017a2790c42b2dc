"""Issue 11, screening items 4 and 5.

- A screening is about one person (`person`) and keeps the law each conclusion rests
  on (`conclusions`).
- A screening recorded on a contact that is now in a case belongs to that case: before,
  it never reached the case page.
- `UsesChildren` (HTCDS: the exploiter limits the victim's access to their own
  children) was written into a case's methods of control by the screening indicators
  "person under 18 in commercial sex / in criminal activity". It is taken out of the
  cases where a screening put it there; where an advocate chose it, it stays.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

MISUSED = {"minor_commercial_sex", "minor_criminal_activity"}


def attach_to_contact_case(apps, schema_editor):
    Screening = apps.get_model("screening", "Screening")
    rows = Screening.objects.db_manager(schema_editor.connection.alias).filter(
        case__isnull=True, contact__case__isnull=False
    )
    for screening in rows.select_related("contact").iterator(chunk_size=2000):
        Screening.objects.db_manager(schema_editor.connection.alias).filter(pk=screening.pk).update(
            case_id=screening.contact.case_id
        )


def drop_misused_uses_children(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Screening = apps.get_model("screening", "Screening")
    # JSON "contains" differs between SQLite and PostgreSQL: filter in Python.
    for case in (
        Case.objects.db_manager(schema_editor.connection.alias)
        .only("pk", "methods_of_control")
        .iterator(chunk_size=2000)
    ):
        methods = list(case.methods_of_control or [])
        if "UsesChildren" not in methods:
            continue
        screened = Screening.objects.db_manager(schema_editor.connection.alias).filter(
            Q(case_id=case.pk) | Q(contact__case_id=case.pk)
        )
        if not any(MISUSED & set(s.indicators or []) for s in screened.only("indicators")):
            continue  # an advocate chose it: keep it
        methods.remove("UsesChildren")
        Case.objects.db_manager(schema_editor.connection.alias).filter(pk=case.pk).update(
            methods_of_control=methods
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_person_roles_and_htcds_fields"),
        ("screening", "0002_seed_protocols"),
    ]

    operations = [
        migrations.AddField(
            model_name="screening",
            name="conclusions",
            field=models.JSONField(default=list, verbose_name="conclusions"),
        ),
        migrations.AddField(
            model_name="screening",
            name="person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="screenings",
                to="cases.person",
                verbose_name="person screened",
            ),
        ),
        migrations.AlterField(
            model_name="protocol",
            name="signaler_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("potential_victim", "Potential victim"),
                    ("community_member", "Community member"),
                    ("family_friend", "Family member or friend"),
                    ("service_provider", "Service provider"),
                    ("law_enforcement", "Law enforcement"),
                    ("government", "Government agency"),
                    ("business", "Business"),
                    ("unknown", "Unknown / not said"),
                    ("other", "Other"),
                ],
                help_text="Leave blank for the protocol that applies to any signaler.",
                max_length=20,
                verbose_name="signaler",
            ),
        ),
        migrations.RunPython(attach_to_contact_case, migrations.RunPython.noop),
        migrations.RunPython(drop_misused_uses_children, migrations.RunPython.noop),
    ]
