from django.urls import path

from puente.accounts import session_views, staff_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/", views.mfa_verify, name="mfa_verify"),
    path("mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("mfa/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("unlock/<int:user_id>/", views.unlock_account, name="unlock"),
    path("release-address/", views.release_address, name="release_address"),
    # The one-time link an administrator hands a new or reset account (staff_views).
    path(
        "password/<uidb64>/<token>/",
        staff_views.set_password_from_link,
        name="set_password",
    ),
    # The idle warning and kept typing (session_views, kept.py).
    path("session/", session_views.session_status, name="session_status"),
    path("session/renew/", session_views.stay_signed_in, name="session_renew"),
    path("kept/<int:draft_id>/", session_views.take_held_draft, name="held_draft_take"),
    path(
        "kept/<int:draft_id>/discard/",
        session_views.discard_held_draft,
        name="held_draft_discard",
    ),
]
