from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "einblick.core"
    label = "core"

    def ready(self) -> None:
        from . import pagecache

        pagecache.connect_signals()
