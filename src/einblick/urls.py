from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from einblick.duels.views import share as duel_share

urlpatterns = [
    path("", include("einblick.core.urls")),
    path("konto/", include("einblick.accounts.urls")),
    path("berufe-check/", include("einblick.orientation.urls")),
    path("messe/", include("einblick.fair.urls")),
    path("live/", include("einblick.live.urls")),
    path("gespraeche/", include("einblick.talks.urls")),
    path("veranstaltungen/", include("einblick.events.urls")),
    path("duell/", include("einblick.duels.urls")),
    path("tandem/", include("einblick.tandem.urls")),
    path("einblicke/", include("einblick.insights.urls")),
    path("d/<str:code>", duel_share.short_link, name="duel_short"),
    path("", include("einblick.catalog.urls")),
    path("", include("einblick.api.urls")),  # /api/v1/ and the API key screens
    path("i18n/", include("django.conf.urls.i18n")),
    path("backoffice/", admin.site.urls),
    # Uploaded media; a production proxy serves /media/ itself (docs/operations.md).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]

handler404 = "einblick.core.views.page_not_found"
handler500 = "einblick.core.errors.server_error"
