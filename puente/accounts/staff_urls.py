"""Staff administration, mounted at /staff/ (not under /accounts/, whose pages are open
before the second factor: these are not)."""

from django.urls import path

from puente.accounts import staff_views

app_name = "staff"
urlpatterns = [
    path("", staff_views.staff_list, name="list"),
    path("new/", staff_views.staff_new, name="new"),
    path("api-keys/", staff_views.api_key_list, name="api_keys"),
    path("api-keys/<int:api_key_id>/revoke/", staff_views.api_key_revoke, name="api_key_revoke"),
    path("<int:user_id>/", staff_views.staff_detail, name="detail"),
    path("<int:user_id>/role/", staff_views.staff_role, name="role"),
    path("<int:user_id>/deactivate/", staff_views.staff_deactivate, name="deactivate"),
    path("<int:user_id>/reactivate/", staff_views.staff_reactivate, name="reactivate"),
    path("<int:user_id>/password/", staff_views.staff_password, name="password"),
    path("<int:user_id>/mfa-reset/", staff_views.staff_mfa_reset, name="mfa_reset"),
    path("<int:user_id>/unlock/", staff_views.staff_unlock, name="unlock"),
]
