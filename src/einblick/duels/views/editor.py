"""Staff editor and statistics (being written)."""

from django.http import Http404


def _stub(request, *args, **kwargs):
    raise Http404


index = episode_edit = challenges_edit = publish = stats = leaderboard_hide = _stub
