from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "einblick.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (consent answers confirm waiting registrations)
