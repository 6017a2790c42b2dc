from django.db import migrations, models


class Migration(migrations.Migration):
    """The identifier lookup index carries the case id, so "appears in N other cases" and
    the network view count the distinct cases holding an identifier from the index alone
    (issue 16)."""

    dependencies = [
        ("cases", "0007_team_view_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="identifier", name="identifier_lookup_idx"),
        migrations.AddIndex(
            model_name="identifier",
            index=models.Index(fields=["kind", "normalised", "case"], name="identifier_lookup_idx"),
        ),
    ]
