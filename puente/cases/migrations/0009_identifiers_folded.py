"""Identifiers other than phones, e-mails and handles are now matched with their case and
spacing folded (`normalise_identifier`): recompute the stored form of those already kept,
so "Calle Reforma 10" and "calle reforma 10" recorded before meet as well."""

from django.db import migrations

FOLDED_KINDS = ("address", "vehicle", "online_ad", "business")


def fold(apps, schema_editor):
    Identifier = apps.get_model("cases", "Identifier")
    changed = []
    rows = (
        Identifier.objects.db_manager(schema_editor.connection.alias)
        .filter(kind__in=FOLDED_KINDS)
        .only("pk", "value", "normalised")
    )
    for identifier in rows.iterator(chunk_size=5000):
        folded = " ".join(identifier.value.strip().casefold().split())
        if folded and folded != identifier.normalised:
            identifier.normalised = folded
            changed.append(identifier)
        if len(changed) >= 5000:
            Identifier.objects.db_manager(schema_editor.connection.alias).bulk_update(
                changed, ["normalised"]
            )
            changed = []
    if changed:
        Identifier.objects.db_manager(schema_editor.connection.alias).bulk_update(
            changed, ["normalised"]
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_identifier_lookup_with_case")]

    operations = [migrations.RunPython(fold, migrations.RunPython.noop)]
