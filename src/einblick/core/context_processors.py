from django.conf import settings


def site(request):
    """Branding of this installation (settings, not code) for every template."""
    return {"brand": settings.EINBLICK}
