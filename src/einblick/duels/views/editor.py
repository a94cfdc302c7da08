"""Staff: the duel editor (seasons, episodes with contestants, challenges), publishing and scheduling, statistics
per episode with a CSV download, and moderation of the season leaderboards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from einblick.core.spreadsheet import to_csv

from .. import rules, selectors, services
from ..forms import ChallengeFormSet, ContestantFormSet, EpisodeForm, PublishForm, SeasonForm
from ..models import Episode, FunnelStep, LeaderboardEntry, Season

# the way from watching to meeting, in the order shown; percentages are of the episode's views
FUNNEL = [
    FunnelStep.Kind.VIEW,
    FunnelStep.Kind.GUESS,
    FunnelStep.Kind.REVEAL,
    FunnelStep.Kind.VOTE,
    FunnelStep.Kind.BOOTH,
    FunnelStep.Kind.EVENT,
    FunnelStep.Kind.TALK,
    FunnelStep.Kind.COMPANY,
]
MEETING = {FunnelStep.Kind.BOOTH, FunnelStep.Kind.EVENT, FunnelStep.Kind.TALK, FunnelStep.Kind.COMPANY}
LEADERBOARD_ROWS = 50


def _staff(request) -> None:
    if not rules.can_edit(request.user):
        raise Http404


def _episode(pk: int) -> Episode:
    return get_object_or_404(Episode.objects.select_related("season"), pk=pk)


def status_of(episode: Episode, now=None) -> tuple[str, str]:
    """(key, label): draft, scheduled or published."""
    if episode.publish_at is None:
        return "draft", pgettext("episode status", "draft")
    if episode.publish_at > (now or timezone.now()):
        return "scheduled", pgettext("episode status", "scheduled")
    return "published", pgettext("episode status", "published")


# --- overview --------------------------------------------------------------------------------------------------
@login_required
def index(request):
    _staff(request)
    season_form = SeasonForm(request.POST or None, prefix="season")
    if request.method == "POST" and season_form.is_valid():
        season = season_form.save()
        messages.success(request, _("The season is created."))
        return redirect(f"{reverse('duels:episode_new')}?season={season.pk}")
    now = timezone.now()
    episodes = Episode.objects.annotate(
        n_contestants=Count("contestants", distinct=True), n_challenges=Count("challenges", distinct=True)
    ).order_by("number")
    seasons = list(Season.objects.prefetch_related(Prefetch("episodes", queryset=episodes)))
    for season in seasons:
        for episode in season.episodes.all():
            episode.status, episode.status_label = status_of(episode, now)
        season.board = selectors.leaderboard(season, limit=LEADERBOARD_ROWS)
    context = {"seasons": seasons, "season_form": season_form, "now": now}
    return render(request, "duels/editor_index.html", context)


# --- episode and contestants -------------------------------------------------------------------------------------
def _episode_page(request, episode, form, contestants, publish_form=None, problems=None):
    saved = episode.pk is not None
    context = {
        "episode": episode,
        "form": form,
        "contestants": contestants,
        "title": _("Edit episode") if saved else _("New episode"),
    }
    if saved:
        status, label = status_of(episode)
        context.update(
            status=status,
            status_label=label,
            problems=services.episode_check(episode=episode) if problems is None else problems,
            publish_form=publish_form or PublishForm(initial={"publish_at": _local(episode.publish_at)}),
        )
    return render(request, "duels/editor_episode.html", context)


def _local(value):
    return timezone.localtime(value) if value else None


@login_required
def episode_edit(request, pk: int | None = None):
    _staff(request)
    if not pk and not Season.objects.exists():
        messages.warning(request, _("Create a season first."))
        return redirect("duels:editor")
    if pk:
        episode = _episode(pk)
    else:
        episode = Episode()
        season = Season.objects.filter(pk=request.GET.get("season") or 0).first() or Season.objects.first()
        if season:
            last = season.episodes.order_by("-number").values_list("number", flat=True).first()
            episode.season, episode.number = season, (last or 0) + 1
    data = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = EpisodeForm(*data, instance=episode)
    contestants = ContestantFormSet(*data, instance=form.instance, prefix="contestants")
    if request.method == "POST" and form.is_valid() and contestants.is_valid():
        with transaction.atomic():
            episode = form.save()
            contestants.instance = episode
            contestants.save()
        messages.success(request, _("The episode is saved."))
        return redirect("duels:episode_edit", pk=episode.pk)
    if pk:  # a failed save must not show the edited, unsaved values as the episode's state
        episode.refresh_from_db()
    return _episode_page(request, episode, form, contestants)


# --- challenges --------------------------------------------------------------------------------------------------
@login_required
def challenges_edit(request, pk: int):
    _staff(request)
    episode = _episode(pk)
    formset = ChallengeFormSet(request.POST or None, episode=episode)
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save()
        messages.success(request, _("The challenges are saved."))
        return redirect("duels:challenges_edit", pk=episode.pk)
    return render(request, "duels/editor_challenges.html", {"episode": episode, "formset": formset})


# --- publishing --------------------------------------------------------------------------------------------------
@login_required
@require_POST
def publish(request, pk: int):
    _staff(request)
    episode = _episode(pk)
    form = PublishForm(request.POST)
    problems = None
    if form.is_valid():
        action = form.cleaned_data["action"]
        if action == PublishForm.UNPUBLISH:
            services.episode_unpublish(episode=episode)
            messages.success(request, _("The episode is no longer published."))
            return redirect("duels:episode_edit", pk=episode.pk)
        when = form.cleaned_data["publish_at"] if action == PublishForm.SCHEDULE else None
        try:
            services.episode_publish(episode=episode, when=when)
        except ValidationError as exc:
            problems = exc.messages
            form.add_error(None, _("The episode cannot be published yet."))
            episode.refresh_from_db()
        else:
            if when:
                when_text = date_format(timezone.localtime(when), "d.m.Y H:i")
                messages.success(
                    request, _("The episode will be published on %(when)s.") % {"when": when_text}
                )
            else:
                messages.success(request, _("The episode is published."))
            return redirect("duels:episode_edit", pk=episode.pk)
    form_ = EpisodeForm(instance=episode)
    contestants = ContestantFormSet(instance=episode, prefix="contestants")
    return _episode_page(request, episode, form_, contestants, publish_form=form, problems=problems)


# --- statistics --------------------------------------------------------------------------------------------------
def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _stats(episode: Episode) -> dict:
    challenges = selectors.challenge_stats(episode)
    for row in challenges:
        row["percent"] = _percent(row["correct"], row["guesses"])
        row["bar"] = round(row["percent"] or 0)
    votes = selectors.vote_results(episode)
    total_votes = sum(row["votes"] for row in votes)
    for row in votes:
        row["percent"] = _percent(row["votes"], total_votes)
        row["bar"] = round(row["percent"] or 0)
    counts = selectors.funnel(episode)
    views = counts.get(FunnelStep.Kind.VIEW, 0)
    labels = dict(FunnelStep.Kind.choices)
    funnel = []
    for kind in FUNNEL:
        count = counts.get(kind, 0)
        percent = _percent(count, views)
        funnel.append(
            {
                "kind": str(kind),
                "label": labels[kind],
                "count": count,
                "percent": percent,
                "bar": min(100, round(percent)) if percent is not None else 0,
                "meeting": kind in MEETING,
            }
        )
    meeting = sum(counts.get(kind, 0) for kind in MEETING)
    shares = selectors.channels(episode)
    total_shares = sum(shares.values())
    channels = [
        {
            "channel": channel,
            "count": count,
            "percent": _percent(count, total_shares),
            "bar": round(_percent(count, total_shares) or 0),
        }
        for channel, count in shares.items()
    ]
    return {
        "views": views,
        "challenges": challenges,
        "votes": votes,
        "total_votes": total_votes,
        "funnel": funnel,
        "meeting": meeting,
        "meeting_percent": _percent(meeting, views),
        "channels": channels,
    }


def _stats_csv(episode: Episode, data: dict) -> HttpResponse:
    """UTF-8 with BOM, semicolons and decimal commas: opens in a German spreadsheet as it is."""
    header = [_("Section"), _("Item"), _("Count"), _("Correct"), _("Percent")]
    rows = [[_("Episode"), _("Views"), data["views"], "", ""]]
    for position, row in enumerate(data["challenges"], start=1):
        challenge = row["challenge"]
        item = f"{position}. {challenge.task} ({challenge.profession.name})"
        rows.append([_("Guesses per challenge"), item, row["guesses"], row["correct"], _num(row["percent"])])
    for row in data["votes"]:
        rows.append([_("Votes"), row["contestant"].name, row["votes"], "", _num(row["percent"])])
    for row in data["funnel"]:
        rows.append(
            [
                _("Way from watching to meeting (percent of views)"),
                str(row["label"]),
                row["count"],
                "",
                _num(row["percent"]),
            ]
        )
    rows.append(
        [
            _("Way from watching to meeting (percent of views)"),
            _("meeting in total"),
            data["meeting"],
            "",
            _num(data["meeting_percent"]),
        ]
    )
    for row in data["channels"]:
        rows.append([_("Shared links per channel"), row["channel"], row["count"], "", _num(row["percent"])])
    response = HttpResponse(to_csv(header, rows), content_type="text/csv; charset=utf-8")
    filename = f"mach-mal-{episode.season.slug}-{episode.slug}-statistik.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _num(value: float | None):
    # rounded here: the CSV writer's number format cuts off further digits instead of rounding
    return "" if value is None else round(float(value), 1)


@login_required
def stats(request, pk: int):
    _staff(request)
    episode = _episode(pk)
    data = _stats(episode)
    if request.GET.get("format") == "csv":
        return _stats_csv(episode, data)
    status, label = status_of(episode)
    return render(
        request,
        "duels/editor_stats.html",
        {"episode": episode, "status": status, "status_label": label, **data},
    )


# --- leaderboard moderation --------------------------------------------------------------------------------------
@login_required
@require_POST
def leaderboard_hide(request, pk: int):
    _staff(request)
    entry = get_object_or_404(LeaderboardEntry, pk=pk)
    services.leaderboard_hide(entry=entry)
    messages.success(
        request, _("“%(nickname)s” is removed from the leaderboard.") % {"nickname": entry.nickname}
    )
    if request.POST.get("next") == "queue":
        return redirect("live:queue")
    return redirect(f"{reverse('duels:editor')}#leaderboard-{entry.season_id}")


@login_required
@require_POST
def leaderboard_restore(request, pk: int):
    """Staff keep a reported nickname (from the moderation queue)."""
    _staff(request)
    entry = get_object_or_404(LeaderboardEntry, pk=pk)
    services.leaderboard_restore(entry=entry)
    messages.success(request, _("“%(nickname)s” stays on the leaderboard.") % {"nickname": entry.nickname})
    return redirect("live:queue")
