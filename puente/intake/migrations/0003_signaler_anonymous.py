"""Who signalled and whether they gave a name are two facts (issue 11, item 8): the
signaler type "anonymous" becomes "unknown" with `anonymous` = yes; every other contact
keeps its type and is recorded as having given a name, as before."""

from django.db import migrations, models


def split_anonymous(apps, schema_editor):
    Contact = apps.get_model("intake", "Contact")
    Contact.objects.db_manager(schema_editor.connection.alias).filter(
        signaler_type="anonymous"
    ).update(signaler_type="unknown", anonymous=True)


def join_anonymous(apps, schema_editor):
    Contact = apps.get_model("intake", "Contact")
    Contact.objects.db_manager(schema_editor.connection.alias).filter(
        signaler_type="unknown", anonymous=True
    ).update(signaler_type="anonymous")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_narrative_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="anonymous",
            field=models.BooleanField(default=False, verbose_name="anonymous"),
        ),
        migrations.AddField(
            model_name="contact",
            name="hotline_category",
            field=models.CharField(blank=True, max_length=40, verbose_name="hotline category"),
        ),
        migrations.AlterField(
            model_name="contact",
            name="signaler_type",
            field=models.CharField(
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
                default="unknown",
                max_length=20,
                verbose_name="signaler",
            ),
        ),
        migrations.RunPython(split_anonymous, join_anonymous),
    ]
