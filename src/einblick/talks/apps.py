from django.apps import AppConfig


class TalksConfig(AppConfig):
    name = "einblick.talks"
    label = "talks"
