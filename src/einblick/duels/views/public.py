"""Watching and playing along: seasons, an episode with its challenges (guess → reveal → meet the apprentices),
the vote for the winner, the season's leaderboard."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.api.ratelimit import client_address
from einblick.insights.tracking import track

from .. import rules, selectors, services
from ..models import Challenge, Episode, FunnelStep, Season
from .common import remember, visitor_of


def _episode(request, season: str, episode: str) -> Episode:
    ep = get_object_or_404(
        Episode.objects.select_related("season").prefetch_related("contestants"),
        season__slug=season,
        slug=episode,
    )
    if not ep.is_published() and not rules.can_edit(request.user):
        raise Http404
    return ep


def index(request):
    context = {
        "seasons": selectors.seasons_public(),
        "latest": selectors.episodes_public().order_by("-publish_at")[:6],
    }
    return remember(request, render(request, "duels/index.html", context))


def season(request, season: str):
    obj = get_object_or_404(Season, slug=season)
    episodes = list(selectors.episodes_public(obj))
    if not episodes and not rules.can_edit(request.user):
        raise Http404
    visitor, _known = visitor_of(request)
    correct, guessed = selectors.score_of(visitor, obj)
    context = {
        "season": obj,
        "episodes": episodes,
        "board": selectors.leaderboard(obj),
        "correct": correct,
        "guessed": guessed,
        "staff": rules.can_edit(request.user),
    }
    return remember(request, render(request, "duels/season.html", context))


def episode(request, season: str, episode: str):
    ep = _episode(request, season, episode)
    track(request, "duel")
    visitor, known = visitor_of(request)
    guesses = selectors.guesses_of(visitor, ep)
    challenges = []
    for challenge in ep.challenges.select_related("profession", "company"):
        guess = guesses.get(challenge.pk)
        challenges.append(
            {
                "challenge": challenge,
                "options": selectors.options_for(challenge) if guess is None else [],
                "guess": guess,
                "meet": selectors.meet_options(challenge) if guess else {},
            }
        )
    voted = ep.votes.filter(visitor=visitor).select_related("contestant").first() if known else None
    contestants = list(ep.contestants.all())
    totals = [
        sum(c["challenge"].score_a for c in challenges),
        sum(c["challenge"].score_b for c in challenges),
    ]
    if ep.is_published():
        services.funnel_count(episode=ep, kind=FunnelStep.Kind.VIEW)
    context = {
        "episode": ep,
        "season": ep.season,
        "contestants": contestants,
        "totals": totals,
        "challenges": challenges,
        "all_guessed": all(c["guess"] for c in challenges),
        "right": sum(1 for c in challenges if c["guess"] and c["guess"].correct),
        "voted": voted,
        "results": selectors.vote_results(ep) if voted else [],
        "preview": not ep.is_published(),
        "teacher": request.user.is_authenticated and request.user.is_teacher,
    }
    return remember(request, render(request, "duels/episode.html", context))


def _back(ep: Episode, anchor: str = "") -> HttpResponseRedirect:
    return redirect(ep.get_absolute_url() + (f"#{anchor}" if anchor else ""))


@require_POST
def guess(request, season: str, episode: str, challenge_pk: int):
    ep = _episode(request, season, episode)
    challenge = get_object_or_404(Challenge, pk=challenge_pk, episode=ep)
    visitor, _known = visitor_of(request)
    try:
        choice = int(request.POST.get("choice", ""))
        services.guess_record(challenge=challenge, visitor=visitor, choice_id=choice)
    except (ValueError, ValidationError) as exc:
        messages.error(
            request,
            " ".join(exc.messages)
            if isinstance(exc, ValidationError)
            else _("Please choose one of the four professions."),
        )
    return remember(request, _back(ep, f"challenge-{challenge.pk}"))


@require_POST
def vote(request, season: str, episode: str):
    ep = _episode(request, season, episode)
    visitor, known = visitor_of(request)
    try:
        services.vote_record(
            episode=ep,
            visitor=visitor,
            contestant_id=int(request.POST.get("contestant") or 0),
            address=client_address(request),
            known_visitor=known,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ValueError:
        messages.error(request, _("Please choose one of the contestants."))
    else:
        messages.success(request, _("Thank you for your vote!"))
    return remember(request, _back(ep, "vote"))


@require_POST
def leaderboard_join(request, season: str):
    obj = get_object_or_404(Season, slug=season)
    visitor, _known = visitor_of(request)
    try:
        services.leaderboard_join(season=obj, visitor=visitor, nickname=request.POST.get("nickname", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You are on the leaderboard."))
    return remember(request, redirect(obj.get_absolute_url() + "#leaderboard"))


@require_POST
def leaderboard_report(request, pk: int):
    """Report a nickname on the leaderboard (anonymous, once per visitor)."""
    from ..models import LeaderboardEntry

    entry = get_object_or_404(LeaderboardEntry.objects.select_related("season"), pk=pk, hidden=False)
    visitor, _known = visitor_of(request)
    services.leaderboard_report(entry=entry, visitor=visitor)
    messages.success(request, _("Thank you. The network team looks at the nickname."))
    return remember(request, redirect(entry.season.get_absolute_url() + "#leaderboard"))


def meet(request, challenge_pk: int, kind: str):
    """ "Meet the apprentice": count the step of the way, then go to the booth, the event, the talks or the company."""
    challenge = get_object_or_404(Challenge.objects.select_related("episode", "company"), pk=challenge_pk)
    if not challenge.episode.is_published():
        raise Http404
    options = selectors.meet_options(challenge)
    targets = {
        "booth": options["booth"].get_absolute_url() if options["booth"] else None,
        "event": options["event"].get_absolute_url() if options["event"] else None,
        "talk": reverse("talks:rounds") if options["talk"] else None,
        "company": challenge.company.get_absolute_url() if challenge.company else None,
    }
    target = targets.get(kind)
    if not target:
        raise Http404
    services.funnel_count(episode=challenge.episode, challenge=challenge, kind=kind)
    return redirect(target)
