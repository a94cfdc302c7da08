"""Reactions to other apps' signals."""

from django.dispatch import receiver

from einblick.accounts.signals import consent_answered

from . import services


@receiver(consent_answered)
def on_consent_answered(sender, consent, accepted, **kwargs):
    services.consent_changed(pupil=consent.pupil, purpose=consent.purpose, accepted=accepted)
