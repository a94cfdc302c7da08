""" "Mach mal – das Duell" (issue #7): seasons of video duels; two contestants take on challenges set by apprentices
and guess the profession; the audience guesses along, votes for the winner and meets the apprentices."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def short_code() -> str:
    return secrets.token_urlsafe(5)[:7]


class Season(models.Model):
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(unique=True, max_length=180)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("duels:season", args=[self.slug])


class EpisodeQuerySet(models.QuerySet):
    def published(self, now=None):
        now = now or timezone.now()
        return self.filter(publish_at__isnull=False, publish_at__lte=now)


class Episode(models.Model):
    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="episodes")
    number = models.PositiveSmallIntegerField(_("episode number"))
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(max_length=180)
    teaser = models.CharField(_("teaser"), max_length=300, blank=True)
    video_url = models.URLField(
        _("episode video"), blank=True, help_text=_("YouTube, Vimeo, PeerTube or MP4.")
    )
    thumbnail = models.ImageField(_("thumbnail"), upload_to="duels/", blank=True)
    publish_at = models.DateTimeField(
        _("published from"),
        null=True,
        blank=True,
        help_text=_("Empty = not published. A future time schedules it."),
    )
    short = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("episode")
        verbose_name_plural = _("episodes")
        ordering = ["season", "number"]
        constraints = [
            models.UniqueConstraint(fields=["season", "number"], name="episode_number_unique"),
            models.UniqueConstraint(fields=["season", "slug"], name="episode_slug_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.season} #{self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("duels:episode", args=[self.season.slug, self.slug])

    def is_published(self, now=None) -> bool:
        return self.publish_at is not None and self.publish_at <= (now or timezone.now())


class Contestant(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="contestants")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=80)
    photo = models.ImageField(_("photo"), upload_to="duels/", blank=True)
    line = models.CharField(_("short line"), max_length=160, blank=True)

    class Meta:
        verbose_name = _("contestant")
        verbose_name_plural = _("contestants")
        ordering = ["episode", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class Challenge(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="challenges")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    task = models.CharField(
        _("task"), max_length=200, help_text=_("For example: Lay 1 m² of tiles in 10 minutes.")
    )
    apprentice = models.CharField(_("apprentice who set it"), max_length=80)
    company = models.ForeignKey(
        "catalog.Company", verbose_name=_("company"), on_delete=models.SET_NULL, null=True, blank=True
    )
    profession = models.ForeignKey(
        "catalog.Profession",
        verbose_name=_("profession"),
        on_delete=models.PROTECT,
        related_name="duel_challenges",
    )
    decoys = models.ManyToManyField(
        "catalog.Profession",
        verbose_name=_("plausible wrong answers"),
        related_name="+",
        blank=True,
        help_text=_("Three; empty = chosen from the same field."),
    )
    why = models.TextField(_("why it is this profession"), blank=True)
    video_url = models.URLField(
        _("clip"), blank=True, help_text=_("A vertical clip, or empty for the episode video.")
    )
    start_seconds = models.PositiveIntegerField(
        _("starts at second (in the episode video)"), null=True, blank=True
    )
    score_a = models.PositiveSmallIntegerField(_("points of contestant 1"), default=0)
    score_b = models.PositiveSmallIntegerField(_("points of contestant 2"), default=0)

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["episode", "order", "pk"]

    def __str__(self) -> str:
        return self.task


class Guess(models.Model):
    """A visitor's guess (no account: ``visitor`` is the id in a signed cookie)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="guesses")
    visitor = models.CharField(max_length=40)
    choice = models.ForeignKey("catalog.Profession", on_delete=models.CASCADE, related_name="+")
    correct = models.BooleanField()
    game = models.ForeignKey(
        "ClassGame", on_delete=models.SET_NULL, null=True, blank=True, related_name="guesses"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["challenge", "visitor"], name="guess_once")]

    def __str__(self) -> str:
        return f"{self.challenge}: {self.choice}"


class Vote(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="votes")
    contestant = models.ForeignKey(Contestant, on_delete=models.CASCADE, related_name="votes")
    visitor = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["episode", "visitor"], name="vote_once")]

    def __str__(self) -> str:
        return f"{self.episode}: {self.contestant}"


class LeaderboardEntry(models.Model):
    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="leaderboard")
    visitor = models.CharField(max_length=40)
    nickname = models.CharField(_("nickname"), max_length=24)
    hidden = models.BooleanField(_("removed by staff"), default=False)
    # visitors who reported the nickname (their keys): from REPORT_HOLD reports it is hidden until staff decide
    reported_by = models.JSONField(default=list, blank=True)
    reviewed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("leaderboard entry")
        verbose_name_plural = _("leaderboard entries")
        constraints = [models.UniqueConstraint(fields=["season", "visitor"], name="leaderboard_once")]

    def __str__(self) -> str:
        return self.nickname


class ClassGame(models.Model):
    """A teacher plays an episode with the class: pupils join with a code on their phones."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="class_games")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=8, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code


class Player(models.Model):
    game = models.ForeignKey(ClassGame, on_delete=models.CASCADE, related_name="players")
    visitor = models.CharField(max_length=40)
    nickname = models.CharField(max_length=24)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["game", "visitor"], name="player_once")]

    def __str__(self) -> str:
        return self.nickname


class FunnelStep(models.Model):
    """One counted step of the way from watching to meeting (no personal data: counts per day and channel)."""

    class Kind(models.TextChoices):
        VIEW = "view", _("episode viewed")
        GUESS = "guess", _("guessed")
        REVEAL = "reveal", _("answer seen")
        VOTE = "vote", _("voted")
        BOOTH = "booth", _("went to a booth")
        EVENT = "event", _("went to an event")
        TALK = "talk", _("went to talks")
        COMPANY = "company", _("went to the company")
        SHARE = "share", _("came by a shared link")

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="funnel")
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    challenge_key = models.PositiveIntegerField(default=0)  # the challenge's id or 0 (for the unique key)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=40, blank=True)  # utm_source or "direct"
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "challenge_key", "kind", "channel", "day"], name="funnel_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.episode} {self.kind} {self.day}: {self.count}"
