from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from .. import rules
from ..models import TalkRound


def round_for(pk: int, user) -> TalkRound:
    """A round the user may see (drafts only for staff)."""
    qs = TalkRound.objects.select_related("fair")
    if not rules.can_manage_rounds(user):
        qs = qs.exclude(status=TalkRound.Status.DRAFT)
    return get_object_or_404(qs, pk=pk)


def attempt(request, action, success: str) -> bool:
    """Run a service call; its ValidationError becomes an error message, success a success message."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True
