"""Delete expired personal data (run daily by cron or a systemd timer, see docs/operations.md and docs/privacy.md)."""

from django.core.management.base import BaseCommand

from einblick.accounts.privacy import retention_sweep


class Command(BaseCommand):
    help = (
        "Delete pupils' accounts whose data expired (end of the school year of their last activity + "
        "EINBLICK_PUPIL_RETENTION_MONTHS), unanswered consent requests long past, names typed for class "
        "registrations of old events, and live Q&A nicknames and texts after EINBLICK_QA_ANONYMISE_DAYS."
    )

    def handle(self, *args, **options):
        done = retention_sweep()
        self.stdout.write(
            f"{done['pupils']} pupil account(s), {done['consents']} consent request(s) deleted; "
            f"{done['names']} registration name list(s) and {done['questions']} Q&A question(s) anonymised."
        )
