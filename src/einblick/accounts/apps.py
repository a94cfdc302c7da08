from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "einblick.accounts"
    label = "accounts"
