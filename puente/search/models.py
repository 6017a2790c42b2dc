from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    """One searchable document per contact and per case: the words of its reference,
    names, phones, narrative and notes, already folded to lower case without accents
    so that "Sánchez", "SANCHEZ" and "sanchez" meet on both databases.

    PostgreSQL searches it through a GIN index on to_tsvector('simple', text); SQLite
    through an FTS5 table kept in step by triggers (see the migrations).
    """

    KIND_CONTACT = "contact"
    KIND_CASE = "case"

    kind = models.CharField(max_length=8)
    object_id = models.BigIntegerField()
    # Which case governs who may see this entry (restricted cases never leak).
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
