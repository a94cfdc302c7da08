from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "einblick.core"
    label = "core"
