"""Staff administration in Puente's own pages, in both languages: the administrators'
list of staff, a new account, and the actions on one account (role, deactivate or
reactivate, password link, two-step verification reset, unlock); the API keys' list; and
the page where a person sets their password from the one-time link.

Thin: each action is a function in `puente.accounts.domain`, which checks the
permission again and writes the audit entry. A refusal (your own account, the last
administrator) comes back as a message on the account's page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from puente.accounts import domain, queries
from puente.accounts.models import ApiKey, User
from puente.accounts.roles import API_SCOPES
from puente.accounts.staff_forms import StaffCreateForm, StaffFilterForm, StaffRoleForm
from puente.core.forms import apply_domain_errors
from puente.core.permissions import Perm, require_perm


@require_perm(Perm.USER_MANAGE)
def staff_list(request):
    data = request.GET.copy()
    # Active staff unless asked otherwise: the list someone checks daily.
    data.setdefault("active", "yes")
    filters = StaffFilterForm(data)
    options = filters.cleaned_data if filters.is_valid() else {"role": "", "active": "yes"}
    active = {"yes": True, "no": False}.get(options.get("active") or "")
    return render(
        request,
        "accounts/staff_list.html",
        {
            "filters": filters,
            "staff": queries.staff_listing(role=options.get("role") or "", active=active),
        },
    )


def _link_page(request, *, user: User, link: domain.PasswordLink, created: bool):
    url = request.build_absolute_uri(
        reverse("accounts:set_password", args=[link.uidb64, link.token])
    )
    return render(
        request,
        "accounts/staff_link.html",
        {"person": user, "link": url, "valid_days": link.valid_days, "created": created},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@require_perm(Perm.USER_MANAGE)
def staff_new(request):
    form = StaffCreateForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            user, link = domain.add_staff_member(
                by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            # Shown once, on this answer to the POST only: the link is stored nowhere.
            return _link_page(request, user=user, link=link, created=True)
    return render(request, "accounts/staff_form.html", {"form": form})


def _member_or_404(user_id: int) -> User:
    user = queries.staff_member(user_id=user_id)
    if user is None:
        raise Http404
    return user


@require_perm(Perm.USER_MANAGE)
def staff_detail(request, user_id: int):
    person = _member_or_404(user_id)
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "person": person,
            "role_form": StaffRoleForm(initial={"role": person.role}),
            "is_self": person.pk == request.user.pk,
            "can_read_trail": request.user.can(Perm.AUDIT_VIEW),
        },
    )


def _act(request, user_id: int, action, done: str):
    """Run one domain action on an account; its refusal, if any, becomes the message."""
    person = get_object_or_404(User, pk=user_id)
    try:
        result = action(person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % {"name": person.display_name})
        return result, person
    return None, person


@require_POST
@require_perm(Perm.USER_MANAGE)
def staff_role(request, user_id: int):
    form = StaffRoleForm(request.POST)
    role = form.cleaned_data["role"] if form.is_valid() else ""
    _act(
        request,
        user_id,
        lambda person: domain.change_staff_role(
            user=person, by=request.user, role=role, request=request
        ),
        _("%(name)s's role is changed."),
    )
    return redirect("staff:detail", user_id=user_id)


@require_POST
@require_perm(Perm.USER_MANAGE)
def staff_deactivate(request, user_id: int):
    _act(
        request,
        user_id,
        lambda person: domain.deactivate_staff(user=person, by=request.user, request=request),
        _("%(name)s can no longer sign in. Everything they did stays in the audit trail."),
    )
    return redirect("staff:detail", user_id=user_id)


@require_POST
@require_perm(Perm.USER_MANAGE)
def staff_reactivate(request, user_id: int):
    _act(
        request,
        user_id,
        lambda person: domain.reactivate_staff(user=person, by=request.user, request=request),
        _("%(name)s can sign in again."),
    )
    return redirect("staff:detail", user_id=user_id)


@never_cache
@require_POST
@require_perm(Perm.USER_MANAGE)
def staff_password(request, user_id: int):
    link, person = _act(
        request,
        user_id,
        lambda person: domain.issue_password_link(user=person, by=request.user, request=request),
        _("%(name)s's password no longer works: hand them the link below."),
    )
    if link is None:
        return redirect("staff:detail", user_id=user_id)
    return _link_page(request, user=person, link=link, created=False)


@require_POST
@require_perm(Perm.USER_MANAGE)
def staff_mfa_reset(request, user_id: int):
    _act(
        request,
        user_id,
        lambda person: domain.reset_staff_second_factor(
            user=person, by=request.user, request=request
        ),
        _("%(name)s will set up an authenticator app again at their next sign-in."),
    )
    return redirect("staff:detail", user_id=user_id)


@require_POST
@require_perm(Perm.USER_MANAGE)
def staff_unlock(request, user_id: int):
    _act(
        request,
        user_id,
        lambda person: domain.unlock_staff(user=person, by=request.user, request=request),
        _("%(name)s can sign in again."),
    )
    return redirect("staff:detail", user_id=user_id)


# --- API keys: seen and revoked here; issued with `puente apikey create` ------------------


@require_perm(Perm.APIKEY_MANAGE)
def api_key_list(request):
    return render(
        request,
        "accounts/staff_api_keys.html",
        {"keys": queries.api_keys(), "scope_names": API_SCOPES},
    )


@require_POST
@require_perm(Perm.APIKEY_MANAGE)
def api_key_revoke(request, api_key_id: int):
    key = get_object_or_404(ApiKey, pk=api_key_id)
    domain.revoke_api_key(key_id=key.pk, by=request.user, via="web", request=request)
    messages.success(request, _("The key “%(name)s” is revoked.") % {"name": key.name})
    return redirect("staff:api_keys")


# --- The one-time link: the person sets their own password ---------------------------------


class SetPasswordFromLink(PasswordResetConfirmView):
    """Django's reset-confirm page (it moves the token out of the address into the
    session before showing the form, so the token cannot leak in a Referer header),
    saving through the domain so the trail says the owner set it."""

    template_name = "accounts/staff_set_password.html"
    reset_url_token = "set-password"
    post_reset_login = False
    success_url = reverse_lazy("accounts:login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A deactivated account's old link opens nothing.
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        try:
            domain.set_password_from_link(
                user=self.user, password=form.cleaned_data["new_password1"], request=self.request
            )
        except ValidationError as exc:
            form.add_error("new_password2", exc)
            return self.form_invalid(form)
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your password is set. Sign in with it now."))
        return HttpResponseRedirect(self.get_success_url())


set_password_from_link = SetPasswordFromLink.as_view()
