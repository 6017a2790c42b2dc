from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = [("intake", "0001_initial"), ("cases", "0007_team_view_indexes")]

    operations: list = []
