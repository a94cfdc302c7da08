"""ASGI entry point: HTTP through Django, WebSockets through Channels (the live Q&A, einblick.live.routing).

WebSockets are accepted only from pages of this site (Origin checked against ALLOWED_HOSTS) and see the logged-in
user (session cookie), which decides who may moderate.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "einblick.settings")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from einblick.live.routing import websocket_urlpatterns  # noqa: E402 - needs the app registry

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
