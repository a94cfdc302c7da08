from django.apps import AppConfig


class FairConfig(AppConfig):
    name = "einblick.fair"
    label = "fair"

    def ready(self) -> None:
        from . import hooks  # noqa: F401 - registers the interest-check next steps
