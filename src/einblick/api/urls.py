from django.urls import URLPattern, path, re_path

from . import views
from .api import api

app_name = "api"


def _api_urls():
    patterns, app, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            if pattern.name == "api-root":  # django-ninja's root is a bare 404; say where to go instead
                pattern.callback = views.api_index
            pattern.callback = views.json_method_not_allowed(pattern.callback)
    return patterns, app, namespace


urlpatterns = [
    # /api/v1/… — namespace "api:v1" (django-ninja)
    path("api/v1/", _api_urls()),
    re_path(r"^api/v1/", views.not_found),
    # company members
    path("betrieb/<slug:slug>/api-schluessel/", views.token_list, name="tokens"),
    path("betrieb/<slug:slug>/api-schluessel/<int:pk>/widerrufen/", views.token_revoke, name="token_revoke"),
]
