from django.urls import path

from puente.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/", views.mfa_verify, name="mfa_verify"),
    path("mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("mfa/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("unlock/<int:user_id>/", views.unlock_account, name="unlock"),
    path("release-address/", views.release_address, name="release_address"),
]
