from django.urls import path

from .consumers import QaConsumer

websocket_urlpatterns = [
    path("ws/live/sessions/<int:session_id>/", QaConsumer.as_asgi()),
]
