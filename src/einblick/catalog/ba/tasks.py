"""Background task of the BA import. Tasks take plain values and call a service."""

from django.conf import settings
from django_tasks import task

from ..models import OfferImport
from . import services


@task()
def offer_import_run(*, import_id: int | None = None) -> int:
    """Run a queued import (``import_id``) or, without one, an import for the configured region
    (``EINBLICK_BA_WO``, ``EINBLICK_BA_UMKREIS``) — e.g. from a scheduler. Returns the import's id."""
    if import_id is None:
        offer_import = OfferImport.objects.create(
            params={
                "wo": settings.EINBLICK_BA_WO,
                "umkreis": settings.EINBLICK_BA_UMKREIS,
                "pages": settings.EINBLICK_BA_PAGES,
            }
        )
    else:
        offer_import = OfferImport.objects.get(pk=import_id)
        if offer_import.status != OfferImport.Status.RUNNING or offer_import.finished_at:
            return offer_import.pk  # already run (a task delivered twice)
    return services.offers_import_ba(offer_import=offer_import).pk
