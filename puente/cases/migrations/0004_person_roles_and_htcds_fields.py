"""A person may hold several roles in a case (issue 11, item 7): `role` becomes the list
`roles`, each person's current role their first. Also the HTCDS Core fields that were
missing (item 6). Reversible: going back keeps each person's first role."""

from django.db import migrations, models


def roles_from_role(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    people = Person.objects.using(schema_editor.connection.alias)
    for person in people.only("pk", "role").iterator(chunk_size=2000):
        people.filter(pk=person.pk).update(roles=[person.role] if person.role else [])


def role_from_roles(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    people = Person.objects.using(schema_editor.connection.alias)
    for person in people.only("pk", "roles").iterator(chunk_size=2000):
        people.filter(pk=person.pk).update(role=(person.roles or ["other"])[0])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_narrative_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="person",
            options={
                "ordering": ["id"],
                "verbose_name": "person",
                "verbose_name_plural": "persons",
            },
        ),
        migrations.AddField(
            model_name="case",
            name="exploitation_websites_and_apps",
            field=models.JSONField(
                blank=True, default=list, verbose_name="exploitation websites and apps"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="forced_labour_industries",
            field=models.JSONField(
                blank=True, default=list, verbose_name="forced labor industries (ISIC)"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="hotline_recruitment_methods",
            field=models.JSONField(
                blank=True,
                default=list,
                verbose_name="methods of recruitment (this hotline's categories)",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="recruitment_websites_and_apps",
            field=models.JSONField(
                blank=True, default=list, verbose_name="recruitment websites and apps"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="types_of_sex_exploitation",
            field=models.JSONField(
                blank=True, default=list, verbose_name="types of sexual exploitation"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="birthdate",
            field=models.DateField(blank=True, null=True, verbose_name="date of birth"),
        ),
        migrations.AddField(
            model_name="person",
            name="consent",
            field=models.BooleanField(blank=True, null=True, verbose_name="consent to data use"),
        ),
        migrations.AddField(
            model_name="person",
            name="roles",
            field=models.JSONField(blank=True, default=list, verbose_name="roles in case"),
        ),
        migrations.AddField(
            model_name="person",
            name="salutation",
            field=models.CharField(blank=True, max_length=40, verbose_name="salutation"),
        ),
        migrations.AddField(
            model_name="person",
            name="title",
            field=models.CharField(blank=True, max_length=100, verbose_name="job title"),
        ),
        migrations.AddField(
            model_name="person",
            name="trafficking_status_decided_by",
            field=models.CharField(
                blank=True,
                choices=[
                    ("Police", "Police"),
                    ("NGO", "Non-governmental organization"),
                    ("CourtOrProsecution", "Court or prosecution"),
                    ("NonPoliceGovernmentalOrganization", "Government agency other than police"),
                    ("Other", "Other"),
                ],
                max_length=40,
                verbose_name="trafficking status decided by",
            ),
        ),
        migrations.RunPython(roles_from_role, role_from_roles),
        migrations.RemoveField(
            model_name="person",
            name="role",
        ),
    ]
