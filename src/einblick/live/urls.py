from django.urls import path

from . import views

app_name = "live"

urlpatterns = [
    path("sessions/<int:pk>/moderation/", views.moderate, name="moderate"),
    path("sessions/<int:pk>/moderation/action/", views.moderate_action, name="moderate_action"),
    path("sessions/<int:pk>/questions/", views.visitor_action, name="visitor_action"),
    path("moderation/", views.queue, name="queue"),
    path("moderation/woerter/<int:pk>/entfernen/", views.blocked_word_delete, name="blocked_word_delete"),
]
