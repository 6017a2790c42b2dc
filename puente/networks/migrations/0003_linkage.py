from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("networks", "0002_recurrence")]

    operations: list = []
