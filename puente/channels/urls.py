from django.urls import path

from puente.channels import live_views, views, webhooks

app_name = "channels"
urlpatterns = [
    # The provider's webhooks (set these in Twilio's console: docs/channels.md).
    path("twilio/voice/", webhooks.voice, name="voice"),
    path("twilio/voice/language/", webhooks.voice_language, name="voice_language"),
    path("twilio/voice/status/", webhooks.voice_status, name="voice_status"),
    path("twilio/messaging/", webhooks.messaging, name="messaging"),
    path("twilio/messaging/status/", webhooks.messaging_status, name="messaging_status"),
    path("email/inbound/mime", webhooks.email_inbound, name="email_inbound"),
    path("attachments/<uuid:key>/", views.download_attachment, name="attachment"),
    # The advocates' live pages (live_views.py; the event stream itself is live.py).
    path("queue/", live_views.queue, name="queue"),
    path("availability/", live_views.set_availability, name="availability"),
    path("calls/<int:contact_id>/pop/", live_views.call_pop, name="call_pop"),
    path("calls/<int:contact_id>/take/", live_views.take_call, name="take_call"),
    path("threads/<int:thread_id>/", live_views.thread_page, name="thread"),
    path("threads/<int:thread_id>/messages/", live_views.thread_messages, name="thread_messages"),
    path("threads/<int:thread_id>/<slug:action>/", live_views.thread_action, name="thread_action"),
]
