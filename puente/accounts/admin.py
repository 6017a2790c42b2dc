"""The back office (/backoffice/): Django's admin, kept for developers only.

Every staff task has its page in Puente itself, in both languages: staff accounts and
API keys at /staff/ (`staff_views.py`), protocols, the directory, partners and retention
in their apps. The back office opens only to superusers — an account made on the server
with `puente createsuperuser`, which holds no Puente role and so reads no case files —
for inspecting data while developing or repairing. Hotline administrators are not
superusers and are refused here. Saves still go through the domain, so even a developer's
change is in the chained audit trail.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from puente.accounts import domain
from puente.accounts.models import ApiKey, User
from puente.core.permissions import Perm


def _backoffice_login(request, extra_context=None):
    # One sign-in page for everything, so the lockout and the second factor cannot be
    # side-stepped through the admin's own login form.
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if admin.site.has_permission(request):
        return redirect(next_url)
    raise PermissionDenied


def _developers_only(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


# Replacing the one method on the default site's instance keeps every other AdminSite
# behaviour; mypy only allows assigning to a method on a subclass.
admin.site.login = _backoffice_login  # type: ignore[method-assign]  # deliberate override
admin.site.has_permission = _developers_only  # type: ignore[method-assign]  # deliberate override
admin.site.site_header = _("Puente back office")
admin.site.site_title = _("Puente back office")


class RolePermissionAdmin(admin.ModelAdmin):
    # Which Puente permission the matching page in Puente needs (documentation: the
    # back office itself opens to superusers only).
    perm: str = ""

    def _allowed(self, request) -> bool:
        return _developers_only(request)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        # Accounts and keys are deactivated or revoked, never deleted: the audit trail
        # must keep pointing at who did what.
        return False


@admin.register(User)
class StaffAdmin(RolePermissionAdmin, DjangoUserAdmin):
    perm = Perm.USER_MANAGE
    list_display = (
        "username",
        "display_name",
        "role",
        "is_active",
        "is_staff",
        "locked_display",
        "last_login",
    )
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")
    readonly_fields = ("failed_logins", "locked_until", "last_login", "date_joined")
    actions = ["unlock_accounts", "reset_second_factor"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "language")}),
        (_("Access"), {"fields": ("role", "is_active", "is_staff")}),
        (
            _("Sign-in protection"),
            {"fields": ("failed_logins", "locked_until", "last_login", "date_joined")},
        ),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "password1", "password2")}),
    )

    @admin.display(description=_("locked"), boolean=True)
    def locked_display(self, obj: User) -> bool:
        return obj.is_locked

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            # Nobody changes their own role or access (the domain refuses it too).
            readonly += tuple(sorted(domain.ACCESS_FIELDS))
        return readonly

    def save_model(self, request, obj, form, change):
        """Through the domain, so every change is in the chained audit trail with before
        and after (the back office's own history is not)."""
        if change:
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in domain.STAFF_FIELDS
            }
            try:
                domain.change_staff(user=obj, by=request.user, changes=changes, request=request)
            except ValidationError as exc:
                raise PermissionDenied(exc.messages[0]) from exc
            return
        created = domain.create_staff(
            by=request.user,
            request=request,
            username=form.cleaned_data["username"],
            role=form.cleaned_data.get("role") or "",
            password=form.cleaned_data.get("password1") or None,
        )
        obj.pk = created.pk
        obj._state.adding = False

    def user_change_password(self, request, id, form_url=""):
        """The password page, saving through the domain (audited) instead of the form."""
        user = self.get_object(request, unquote(id))
        if (
            request.method == "POST"
            and user is not None
            and self.has_change_permission(request, user)
        ):
            form = self.change_password_form(user, request.POST)
            if form.is_valid():
                usable = form.cleaned_data.get("usable_password", "true") != "false"
                domain.set_staff_password(
                    user=user,
                    by=request.user,
                    password=form.cleaned_data["password1"] if usable else None,
                    request=request,
                )
                messages.success(request, _("The password was changed."))
                return redirect(reverse("admin:accounts_user_change", args=[user.pk]))
        return super().user_change_password(request, id, form_url)

    @admin.action(description=_("Unlock selected accounts"))
    def unlock_accounts(self, request, queryset):
        count = 0
        for user in queryset:
            if user.failed_logins or user.locked_until:
                domain.unlock_user(user=user, by=request.user, request=request)
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d account unlocked.", "%(count)d accounts unlocked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reset two-step verification (lost phone)"))
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            domain.reset_second_factor(user=user, by=request.user, request=request)
        self.message_user(
            request,
            _("They will set up an authenticator app again at their next sign-in."),
            messages.SUCCESS,
        )


@admin.register(ApiKey)
class ApiKeyAdmin(RolePermissionAdmin):
    perm = Perm.APIKEY_MANAGE
    list_display = (
        "name",
        "key_prefix",
        "acting_user",
        "scopes",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    list_select_related = ("acting_user",)
    readonly_fields = (
        "name",
        "key_prefix",
        "key_hash",
        "scopes",
        "acting_user",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke_keys"]

    def has_add_permission(self, request):
        # Keys are issued with `puente apikey create`, which shows the raw key exactly once.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke selected keys"))
    def revoke_keys(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            domain.revoke_api_key(key_id=key.pk, by=request.user, via="web", request=request)
        self.message_user(request, _("The selected keys are revoked."), messages.SUCCESS)
