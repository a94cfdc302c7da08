from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "einblick.catalog"
    label = "catalog"
