from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TandemConfig(AppConfig):
    name = "einblick.tandem"
    verbose_name = _("Digital-Tandem")

    def ready(self) -> None:
        from . import signals  # noqa: F401
