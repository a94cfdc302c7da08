"""Writes of the duels app: guesses, votes, the leaderboard, class games and the counted way from watching to
meeting. Visitors need no account: ``visitor`` is the random id of a signed cookie (see views/common.py)."""

import html
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from einblick.live import ratelimit, wordfilter

from . import selectors
from .models import Challenge, ClassGame, Episode, FunnelStep, Guess, LeaderboardEntry, Player, Season, Vote

VOTES_PER_ADDRESS = (30, 600)  # at most 30 votes from one address in 10 minutes (a school shares one address)
GAME_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
NICKNAME_RE = re.compile(r"^[\w .\-äöüÄÖÜß]{2,24}$")


def funnel_count(
    *, episode: Episode, kind: str, challenge: Challenge | None = None, channel: str = "", day=None
):
    """Count one step (aggregated per day, episode, challenge, kind and channel: no personal data)."""
    day = day or timezone.localdate()
    key = {
        "episode": episode,
        "challenge_key": challenge.pk if challenge else 0,
        "kind": kind,
        "channel": (channel or "")[:40],
        "day": day,
    }
    updated = FunnelStep.objects.filter(**key).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                FunnelStep.objects.create(**key, challenge=challenge, count=1)
        except IntegrityError:  # created at the same moment by another request
            FunnelStep.objects.filter(**key).update(count=F("count") + 1)


def _published(challenge: Challenge) -> None:
    if not challenge.episode.is_published():
        raise ValidationError(gettext("This challenge is not published."), code="unpublished")


def guess_record(
    *, challenge: Challenge, visitor: str, choice_id: int, game: ClassGame | None = None
) -> Guess:
    """A visitor's guess, once per challenge (a second guess returns the first). Only the four offered answers."""
    _published(challenge)
    options = {p.pk for p in selectors.options_for(challenge)}
    if choice_id not in options:
        raise ValidationError(gettext("Please choose one of the four professions."), code="choice")
    existing = Guess.objects.filter(challenge=challenge, visitor=visitor).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            guess = Guess.objects.create(
                challenge=challenge,
                visitor=visitor,
                choice_id=choice_id,
                correct=choice_id == challenge.profession_id,
                game=game,
            )
    except IntegrityError:
        return Guess.objects.get(challenge=challenge, visitor=visitor)
    # the answer shows right after the guess: both steps are counted once, for the first guess
    funnel_count(episode=challenge.episode, challenge=challenge, kind=FunnelStep.Kind.GUESS)
    funnel_count(episode=challenge.episode, challenge=challenge, kind=FunnelStep.Kind.REVEAL)
    return guess


def vote_record(
    *, episode: Episode, visitor: str, contestant_id: int, address: str, known_visitor: bool
) -> Vote:
    """One vote per visitor and episode. Against trivial stuffing: the visitor id must come from a signed cookie
    set on an earlier page view (``known_visitor``), and one address may cast at most 30 votes in 10 minutes."""
    if not episode.is_published():
        raise ValidationError(gettext("This episode is not published."), code="unpublished")
    if not episode.contestants.filter(pk=contestant_id).exists():
        raise ValidationError(gettext("Please choose one of the contestants."), code="choice")
    if not known_visitor:
        raise ValidationError(gettext("Please watch the episode first, then vote."), code="implausible")
    existing = Vote.objects.filter(episode=episode, visitor=visitor).first()
    if existing:
        raise ValidationError(gettext("You have already voted for this episode."), code="duplicate")
    if not ratelimit.within(f"duel-vote:{address}", *VOTES_PER_ADDRESS):
        raise ValidationError(
            gettext("Too many votes from your network. Please try again later."), code="rate"
        )
    try:
        with transaction.atomic():
            vote = Vote.objects.create(episode=episode, visitor=visitor, contestant_id=contestant_id)
    except IntegrityError:
        raise ValidationError(gettext("You have already voted for this episode."), code="duplicate") from None
    funnel_count(episode=episode, kind=FunnelStep.Kind.VOTE)
    return vote


def nickname_clean(nickname: str) -> str:
    """A nickname for public lists: 2–24 letters, digits, spaces, dots and dashes; no HTML, no insults."""
    text = " ".join((nickname or "").split())
    if text != html.escape(text) or not NICKNAME_RE.match(text):
        raise ValidationError(
            gettext("2 to 24 letters or digits, please (spaces, dots and dashes are fine)."), code="format"
        )
    if not wordfilter.is_clean(text):
        raise ValidationError(gettext("Please choose another nickname."), code="word")
    return text


def leaderboard_join(*, season: Season, visitor: str, nickname: str) -> LeaderboardEntry:
    text = nickname_clean(nickname)
    entry, created = LeaderboardEntry.objects.get_or_create(
        season=season, visitor=visitor, defaults={"nickname": text}
    )
    if not created and not entry.hidden:
        entry.nickname = text
        entry.save(update_fields=["nickname"])
    return entry


def leaderboard_hide(*, entry: LeaderboardEntry) -> None:
    LeaderboardEntry.objects.filter(pk=entry.pk).update(hidden=True, reviewed=True)


def leaderboard_restore(*, entry: LeaderboardEntry) -> None:
    """Staff looked at a reported nickname and keep it: shown again, reports no longer hide it."""
    LeaderboardEntry.objects.filter(pk=entry.pk).update(hidden=False, reviewed=True)


REPORT_HOLD = 3  # reports by different visitors that hide a nickname until staff have looked at it


@transaction.atomic
def leaderboard_report(*, entry: LeaderboardEntry, visitor: str) -> LeaderboardEntry:
    """A visitor reports a nickname (once each); enough reports hide it for the moderation queue."""
    entry = LeaderboardEntry.objects.select_for_update().get(pk=entry.pk)
    if visitor in entry.reported_by or entry.visitor == visitor:
        return entry
    entry.reported_by = [*entry.reported_by, visitor][-50:]
    if len(entry.reported_by) >= REPORT_HOLD and not entry.reviewed:
        entry.hidden = True
    entry.save(update_fields=["reported_by", "hidden"])
    return entry


def class_game_start(*, teacher, episode: Episode) -> ClassGame:
    if not episode.is_published():
        raise ValidationError(gettext("This episode is not published."), code="unpublished")
    for _ in range(10):
        code = "".join(secrets.choice(GAME_CODE_ALPHABET) for _ in range(6))
        try:
            with transaction.atomic():
                return ClassGame.objects.create(teacher=teacher, episode=episode, code=code)
        except IntegrityError:
            continue
    raise RuntimeError("no free game code")


def class_game_join(*, code: str, visitor: str, nickname: str) -> Player:
    game = ClassGame.objects.filter(code=(code or "").strip().upper(), closed_at__isnull=True).first()
    if game is None:
        raise ValidationError(gettext("There is no open class game with this code."), code="unknown")
    text = nickname_clean(nickname)
    player, created = Player.objects.get_or_create(game=game, visitor=visitor, defaults={"nickname": text})
    if not created and player.nickname != text:
        player.nickname = text
        player.save(update_fields=["nickname"])
    return player


def class_game_close(*, game: ClassGame) -> None:
    ClassGame.objects.filter(pk=game.pk, closed_at__isnull=True).update(closed_at=timezone.now())


def episode_check(*, episode: Episode) -> list[str]:
    """What keeps an episode from being published (shown in the editor; publishing is refused while not empty)."""
    problems = []
    if episode.contestants.count() < 2:
        problems.append(gettext("An episode needs two contestants."))
    challenges = list(episode.challenges.all())
    if not challenges:
        problems.append(gettext("Add at least one challenge."))
    if len(challenges) > 6:
        problems.append(gettext("At most six challenges."))
    from einblick.core.embeds import UnknownVideoProvider, embed_for

    for url in [episode.video_url] + [c.video_url for c in challenges]:
        if url:
            try:
                embed_for(url)
            except UnknownVideoProvider as exc:
                problems.append(f"{url}: {exc}")
    return problems


def episode_publish(*, episode: Episode, when=None) -> Episode:
    problems = episode_check(episode=episode)
    if problems:
        raise ValidationError(problems, code="incomplete")
    episode.publish_at = when or timezone.now()
    episode.save(update_fields=["publish_at"])
    return episode


def episode_unpublish(*, episode: Episode) -> Episode:
    """Take an episode (or its schedule) back to draft; guesses and votes stay."""
    Episode.objects.filter(pk=episode.pk).update(publish_at=None)
    episode.publish_at = None
    return episode
