import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from puente.training.quality_seed import seed_rubric


def seed(apps, schema_editor):
    seed_rubric(
        apps.get_model("training", "Rubric"), apps.get_model("training", "Criterion"),
        schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_knowledge"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReviewSample',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period_start', models.DateField(verbose_name='from')),
                ('period_end', models.DateField(verbose_name='to')),
                ('size', models.PositiveSmallIntegerField(verbose_name='sample size')),
                ('drawn_at', models.DateTimeField(auto_now_add=True)),
                ('advocate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('drawn_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-drawn_at'],
            },
        ),
        migrations.CreateModel(
            name='Rubric',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(unique=True, verbose_name='version')),
                ('scale_max', models.PositiveSmallIntegerField(default=4, verbose_name='highest score')),
                ('current', models.BooleanField(default=False)),
                ('change_note', models.CharField(blank=True, max_length=300, verbose_name='change note')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-version'],
            },
        ),
        migrations.CreateModel(
            name='Review',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Waiting for review'), ('done', 'Reviewed')], default='pending', max_length=8)),
                ('comments', models.TextField(blank=True, verbose_name='feedback for the advocate')),
                ('score', models.DecimalField(blank=True, decimal_places=1, max_digits=5, null=True)),
                ('contact_at', models.DateTimeField()),
                ('reviewed_at', models.DateTimeField(blank=True, null=True)),
                ('advocate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('contact', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='quality_review', to='intake.contact')),
                ('reviewer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('sample', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reviews', to='training.reviewsample')),
                ('rubric', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reviews', to='training.rubric')),
            ],
            options={
                'ordering': ['-contact_at'],
            },
        ),
        migrations.CreateModel(
            name='Criterion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField()),
                ('label_en', models.CharField(max_length=200, verbose_name='criterion (English)')),
                ('label_es', models.CharField(max_length=200, verbose_name='criterion (Spanish)')),
                ('guidance_en', models.CharField(blank=True, max_length=500, verbose_name='what to look for (English)')),
                ('guidance_es', models.CharField(blank=True, max_length=500, verbose_name='what to look for (Spanish)')),
                ('weight', models.PositiveSmallIntegerField(default=1, verbose_name='weight')),
                ('rubric', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='criteria', to='training.rubric')),
            ],
            options={
                'ordering': ['rubric', 'position'],
            },
        ),
        migrations.CreateModel(
            name='Score',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.PositiveSmallIntegerField()),
                ('criterion', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='training.criterion')),
                ('review', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='training.review')),
            ],
            options={
                'ordering': ['criterion__position'],
            },
        ),
        migrations.AddConstraint(
            model_name='rubric',
            constraint=models.UniqueConstraint(condition=models.Q(('current', True)), fields=('current',), name='rubric_one_current'),
        ),
        migrations.AddConstraint(
            model_name='rubric',
            constraint=models.CheckConstraint(condition=models.Q(('scale_max__gte', 2), ('scale_max__lte', 10)), name='rubric_scale_range'),
        ),
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['advocate', 'status', 'contact_at'], name='review_advocate_idx'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'pending'), models.Q(('reviewed_at__isnull', False), ('score__isnull', False)), _connector='OR'), name='review_done_has_score'),
        ),
        migrations.AddConstraint(
            model_name='criterion',
            constraint=models.UniqueConstraint(fields=('rubric', 'position'), name='criterion_position_unique'),
        ),
        migrations.AddConstraint(
            model_name='criterion',
            constraint=models.CheckConstraint(condition=models.Q(('weight__gte', 1)), name='criterion_weight_positive'),
        ),
        migrations.AddConstraint(
            model_name='score',
            constraint=models.UniqueConstraint(fields=('review', 'criterion'), name='score_unique'),
        ),
        migrations.AddConstraint(
            model_name='score',
            constraint=models.CheckConstraint(condition=models.Q(('value__gte', 1)), name='score_positive'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
