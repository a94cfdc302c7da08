"""Signals of the accounts app."""

from django.dispatch import Signal

# Sent inside the transaction of ``services.consent_answer``: kwargs ``consent`` (ParentalConsent) and
# ``accepted`` (bool). Apps whose purposes start with their prefix (for example "events.event.") react to it.
consent_answered = Signal()
