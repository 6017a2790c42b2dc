from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations: list = []
