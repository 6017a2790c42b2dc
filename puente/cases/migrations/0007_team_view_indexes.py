from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The team view's overdue tasks, counted from two partial indexes alone."""

    dependencies = [
        ('cases', '0006_case_open_by_owner_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status', 'closed'), _negated=True), fields=['id'], name='case_open_ids_idx'),
        ),
        migrations.AddIndex(
            model_name='task',
            index=models.Index(condition=models.Q(('done_at__isnull', True)), fields=['assignee', 'due_date', 'case'], name='task_overdue_idx'),
        ),
    ]
