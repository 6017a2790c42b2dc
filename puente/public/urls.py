from django.urls import path

from puente.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("trafficking/", views.trafficking, name="trafficking"),
    path("reaching-out/", views.reaching_out, name="reaching_out"),
    path("tip/", views.tip, name="tip"),
    path("chat/", views.chat_page, name="chat"),
    path("chat/start/", views.chat_start, name="chat_start"),
    path("chat/messages/", views.chat_messages, name="chat_messages"),
    path("chat/send/", views.chat_send, name="chat_send"),
    path("chat/end/", views.chat_end, name="chat_end"),
    path("language/", views.language, name="language"),
]
