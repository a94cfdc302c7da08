"""WSGI entry point (kept for tools that speak WSGI only; Einblick runs on ASGI)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "einblick.settings")

application = get_wsgi_application()
