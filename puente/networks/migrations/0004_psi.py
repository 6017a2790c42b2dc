from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("networks", "0003_linkage")]

    operations: list = []
