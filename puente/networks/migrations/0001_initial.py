from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = [("cases", "0007_team_view_indexes"), ("federation", "0004_cross_border_approval")]

    operations: list = []
