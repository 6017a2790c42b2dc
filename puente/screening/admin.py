from django.contrib import admin

from puente.audit.domain import field_changes, record_event
from puente.screening.domain import PROTOCOL_FIELDS
from puente.screening.models import Protocol


@admin.register(Protocol)
class ProtocolAdmin(admin.ModelAdmin):
    list_display = ("reason", "signaler_type", "title_en", "updated_at")
    list_filter = ("reason", "signaler_type")
    search_fields = ("title_en", "title_es")

    def save_model(self, request, obj, form, change):
        # The back office must leave the same audit trail as the protocol screens.
        before = {}
        if change:
            stored = Protocol.objects.get(pk=obj.pk)
            before = {name: getattr(stored, name) for name in PROTOCOL_FIELDS}
        super().save_model(request, obj, form, change)
        after = {name: getattr(obj, name) for name in PROTOCOL_FIELDS}
        record_event(
            action="change" if change else "create",
            actor=request.user,
            obj=obj,
            changes=field_changes(before, after),
            request=request,
        )
