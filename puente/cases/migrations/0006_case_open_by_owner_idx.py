from django.db import migrations, models


class Migration(migrations.Migration):
    """The team view's index: open cases per owner (and the unowned ones)."""

    dependencies = [
        ("cases", "0005_american_spelling_labels"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status", "closed"), _negated=True),
                fields=["owner", "imminent_danger", "status"],
                name="case_open_by_owner_idx",
            ),
        ),
    ]
