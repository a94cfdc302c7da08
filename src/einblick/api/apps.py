from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "einblick.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        checks.register(check_rate_settings)


def check_rate_settings(app_configs=None, **kwargs):
    """EINBLICK_API_RATE_ANON / EINBLICK_API_RATE_TOKEN must be readable (e.g. "120/minute")."""
    from django.core.exceptions import ImproperlyConfigured

    from .ratelimit import rate_anon, rate_token

    errors = []
    for name, read in (("EINBLICK_API_RATE_ANON", rate_anon), ("EINBLICK_API_RATE_TOKEN", rate_token)):
        try:
            read()
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), hint=f"Set {name} like '120/minute'.", id="api.E001"))
    return errors
