# Matching exploiters' identifiers with a partner hotline (puente/networks/models/psi.py).

import django.core.validators
import django.db.models.deletion
import puente.networks.models.psi
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_identifier_lookup_with_case"),
        ("federation", "0005_message_types_added_by_other_apps"),
        ("networks", "0003_linkage"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MatchRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("run_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("kinds", models.JSONField(default=list, verbose_name="identifier kinds")),
                ("asked", models.PositiveIntegerField(default=0, verbose_name="identifiers asked")),
                (
                    "left_out",
                    models.PositiveIntegerField(default=0, verbose_name="identifiers left out"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("sent", "Waiting for the partner"),
                            ("answered", "Answered"),
                            ("refused", "Refused by the partner"),
                            ("failed", "Failed"),
                            ("expired", "Expired"),
                        ],
                        default="sent",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "matched",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="identifiers shared"
                    ),
                ),
                ("refusal", models.CharField(blank=True, max_length=40, verbose_name="refusal")),
                ("message_id", models.UUIDField(blank=True, null=True, verbose_name="message")),
                ("sealed", models.BinaryField(blank=True, null=True)),
                ("answer_parts", models.PositiveIntegerField(default=0)),
                ("answer_bytes", models.BinaryField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="asked")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished"),
                ),
                (
                    "asked_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="match_runs",
                        to="federation.partnerhotline",
                    ),
                ),
            ],
            options={
                "verbose_name": "identifier match run",
                "verbose_name_plural": "identifier match runs",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="IdentifierMatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=12, verbose_name="kind")),
                ("normalised", models.CharField(max_length=300, verbose_name="identifier")),
                (
                    "cases",
                    models.ManyToManyField(related_name="cross_border_matches", to="cases.case"),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="matches",
                        to="networks.matchrun",
                    ),
                ),
            ],
            options={
                "verbose_name": "identifier shared with a partner",
                "verbose_name_plural": "identifiers shared with a partner",
                "ordering": ["kind", "normalised"],
            },
        ),
        migrations.CreateModel(
            name="PreparedAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kinds", models.JSONField(default=list)),
                ("include_unattached", models.BooleanField(default=False)),
                ("capacity", models.PositiveIntegerField()),
                ("sealed", models.BinaryField()),
                ("setup", models.BinaryField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="federation.partnerhotline",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ServedMatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("run_id", models.UUIDField(verbose_name="partner's run")),
                ("kinds", models.JSONField(default=list, verbose_name="identifier kinds")),
                ("asked", models.PositiveIntegerField(verbose_name="identifiers asked")),
                (
                    "held",
                    models.PositiveIntegerField(default=0, verbose_name="identifiers we compared"),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("pending", "Being answered"),
                            ("answered", "Answered"),
                            ("refused", "Refused"),
                        ],
                        max_length=10,
                        verbose_name="outcome",
                    ),
                ),
                ("refusal", models.CharField(blank=True, max_length=40, verbose_name="refusal")),
                ("request", models.BinaryField(blank=True, null=True)),
                ("max_part_bytes", models.PositiveIntegerField(default=0)),
                ("received_at", models.DateTimeField(auto_now_add=True, verbose_name="received")),
                (
                    "answered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="answered"),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="served_matches",
                        to="federation.partnerhotline",
                    ),
                ),
            ],
            options={
                "verbose_name": "identifier match answered",
                "verbose_name_plural": "identifier matches answered",
                "ordering": ["-received_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="MatchPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("enabled", models.BooleanField(default=False, verbose_name="matching allowed")),
                (
                    "kinds",
                    models.JSONField(
                        default=puente.networks.models.psi._default_kinds,
                        verbose_name="identifier kinds",
                    ),
                ),
                (
                    "include_unattached",
                    models.BooleanField(
                        default=False,
                        help_text="Identifiers recorded on a case but on no person may be anyone's, a victim's among them: off unless you are sure.",
                        verbose_name="include identifiers on no person",
                    ),
                ),
                (
                    "runs_per_day",
                    models.PositiveIntegerField(
                        default=3,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="requests per day",
                    ),
                ),
                (
                    "identifiers_per_run",
                    models.PositiveIntegerField(
                        default=10000,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(20000),
                        ],
                        verbose_name="identifiers per request",
                    ),
                ),
                (
                    "identifiers_per_year",
                    models.PositiveIntegerField(
                        default=50000,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="identifiers per calendar year",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="last changed")),
                (
                    "partner",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="match_policy",
                        to="federation.partnerhotline",
                        verbose_name="partner hotline",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "identifier match policy",
                "verbose_name_plural": "identifier match policies",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("identifiers_per_run__lte", 20000)),
                        name="match_policy_run_cap",
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="matchrun",
            index=models.Index(fields=["status", "created_at"], name="match_run_status"),
        ),
        migrations.AddConstraint(
            model_name="identifiermatch",
            constraint=models.UniqueConstraint(
                fields=("run", "kind", "normalised"), name="one_match_per_run_identifier"
            ),
        ),
        migrations.AddIndex(
            model_name="preparedanswer",
            index=models.Index(fields=["partner", "created_at"], name="prepared_answer_partner"),
        ),
        migrations.AddIndex(
            model_name="servedmatch",
            index=models.Index(
                fields=["partner", "outcome", "received_at"], name="served_match_budget"
            ),
        ),
        migrations.AddConstraint(
            model_name="servedmatch",
            constraint=models.UniqueConstraint(
                fields=("partner", "run_id"), name="one_served_match_per_run"
            ),
        ),
    ]
