from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "einblick.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import audit

        audit._membership_receivers()
