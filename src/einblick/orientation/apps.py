from django.apps import AppConfig


class OrientationConfig(AppConfig):
    name = "einblick.orientation"
    label = "orientation"
