from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("networks", "0001_initial")]

    operations: list = []
