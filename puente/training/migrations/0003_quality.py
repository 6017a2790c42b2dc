from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("training", "0002_knowledge")]

    operations: list = []
