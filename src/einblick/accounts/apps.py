from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "einblick.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import audit, two_factor  # noqa: F401  (signal receivers)

        audit._membership_receivers()
