"""Linkage: matching runs and the pairs of persons they propose (puente/networks/linkage.py)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_team_view_indexes"),
        ("networks", "0002_recurrence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LinkageRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("threshold", models.FloatField(verbose_name="threshold")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=8,
                    ),
                ),
                (
                    "persons_compared",
                    models.PositiveIntegerField(default=0, verbose_name="persons compared"),
                ),
                (
                    "pairs_scored",
                    models.PositiveBigIntegerField(default=0, verbose_name="pairs scored"),
                ),
                (
                    "pairs_proposed",
                    models.PositiveIntegerField(default=0, verbose_name="pairs proposed"),
                ),
                ("duration_seconds", models.FloatField(blank=True, null=True)),
                ("error", models.TextField(blank=True)),
                (
                    "started_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="started by",
                    ),
                ),
            ],
            options={
                "verbose_name": "matching run",
                "verbose_name_plural": "matching runs",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="PersonLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("proposed", "Proposed"),
                            ("confirmed", "Confirmed"),
                            ("rejected", "Rejected"),
                        ],
                        default="proposed",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("match_weight", models.FloatField(verbose_name="match weight")),
                ("match_probability", models.FloatField(verbose_name="match probability")),
                ("evidence", models.JSONField(blank=True, default=list)),
                ("proposed_at", models.DateTimeField(auto_now_add=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "person_a",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cases.person",
                    ),
                ),
                (
                    "person_b",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cases.person",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="links",
                        to="networks.linkagerun",
                    ),
                ),
            ],
            options={
                "verbose_name": "person link",
                "verbose_name_plural": "person links",
                "ordering": ["-proposed_at", "-match_weight", "id"],
                "indexes": [
                    models.Index(fields=["status", "-match_weight"], name="personlink_queue_idx"),
                    models.Index(fields=["person_b"], name="personlink_person_b_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("person_a__lt", models.F("person_b"))),
                        name="personlink_ordered_pair",
                    ),
                    models.UniqueConstraint(
                        fields=("person_a", "person_b"), name="personlink_one_per_pair"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status", "proposed"), ("decided_at__isnull", False), _connector="OR"
                        ),
                        name="personlink_decided_has_time",
                    ),
                ],
            },
        ),
    ]
