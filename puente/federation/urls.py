from django.urls import path

from puente.federation import views

app_name = "federation"
urlpatterns = [
    path("inbox/", views.inbox_view, name="inbox"),
    path("send/<str:reference>/", views.send, name="send"),
    path("incoming/", views.incoming, name="incoming"),
    path("referrals/<int:cross_border_id>/", views.referral_detail, name="referral"),
    path("referrals/<int:cross_border_id>/status/", views.referral_status, name="referral_status"),
    path("referrals/<int:cross_border_id>/open-case/", views.referral_open_case, name="open_case"),
    path("referrals/<int:cross_border_id>/approval/", views.approval, name="approval"),
    path("partners/", views.partner_list, name="partners"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner"),
    path("keys/<int:key_id>/revoke/", views.key_revoke, name="key_revoke"),
    path("messages/<int:message_id>/retry/", views.message_retry, name="message_retry"),
]
