"""Live Q&A of a fair session: questions under a nickname, votes, reports, bans, viewer samples.

Visitors have no account: a random visitor id from the browser (localStorage) stands for them. It is never shown to
other visitors or to moderators. Every change to a question takes the next number of the session's event sequence
(``Room.last_seq``) and stores it on the question (``Question.rev``): a client that knows the last number it saw
asks for the questions with a higher ``rev`` and is up to date again (docs/live.md, "Reconnect and catch-up").
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Room(models.Model):
    """The event sequence of one session's Q&A."""

    session = models.OneToOneField("fair.Session", on_delete=models.CASCADE, related_name="live_room")
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("Q&A room")
        verbose_name_plural = _("Q&A rooms")

    def __str__(self) -> str:
        return f"{self.session_id}: {self.last_seq}"


class Question(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        VISIBLE = "visible", _("visible")
        HIDDEN = "hidden", _("hidden")

    class Held(models.TextChoices):
        NONE = "", _("not held")
        PREMODERATION = "premoderation", _("pre-moderation")
        FILTER = "filter", _("word filter")
        REPORTS = "reports", _("reported")

    session = models.ForeignKey("fair.Session", on_delete=models.CASCADE, related_name="live_questions")
    visitor_id = models.CharField(max_length=64, db_index=True)
    nickname = models.CharField(_("nickname"), max_length=40)
    text = models.CharField(_("question"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VISIBLE)
    held = models.CharField(_("held because of"), max_length=16, choices=Held.choices, blank=True, default="")
    # A moderator has decided on this question: reports no longer hold it.
    reviewed = models.BooleanField(default=False)
    votes = models.PositiveIntegerField(default=0)
    reports = models.PositiveIntegerField(default=0)
    answered = models.BooleanField(_("answered"), default=False)
    answer = models.TextField(_("answer"), blank=True, max_length=1000)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rev = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("live question")
        verbose_name_plural = _("live questions")
        ordering = ["-votes", "created_at", "id"]
        indexes = [
            models.Index(fields=["session", "rev"], name="live_question_rev"),
            models.Index(fields=["session", "status"], name="live_question_status"),
        ]

    def __str__(self) -> str:
        return f"{self.nickname}: {self.text[:60]}"


class Vote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="vote_set")
    visitor_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["question", "visitor_id"], name="live_vote_once")]

    def __str__(self) -> str:
        return f"+1 {self.question_id}"


class Report(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="report_set")
    visitor_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question report")
        verbose_name_plural = _("question reports")
        constraints = [models.UniqueConstraint(fields=["question", "visitor_id"], name="live_report_once")]

    def __str__(self) -> str:
        return f"! {self.question_id}"


class Ban(models.Model):
    """A visitor (by visitor id) and their nickname may no longer ask, vote or report in this session."""

    session = models.ForeignKey("fair.Session", on_delete=models.CASCADE, related_name="live_bans")
    visitor_id = models.CharField(max_length=64, blank=True, db_index=True)
    nickname = models.CharField(_("nickname"), max_length=40, blank=True)
    # The nickname folded for comparison (case, umlauts, look-alike digits): "Möwe", "MOEWE" and "m0we" are one.
    nickname_key = models.CharField(max_length=80, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.nickname}"


class ViewerSample(models.Model):
    """How many were watching a session at a moment (approximate; a number, no visitor data)."""

    session = models.ForeignKey("fair.Session", on_delete=models.CASCADE, related_name="viewer_samples")
    at = models.DateTimeField()
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("viewer sample")
        verbose_name_plural = _("viewer samples")
        ordering = ["at"]
        indexes = [models.Index(fields=["session", "at"], name="live_viewersample_at")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.at:%H:%M}: {self.count}"


class BlockedWord(models.Model):
    """A word staff added to the German word filter (same syntax as data/wordfilter_de.txt: ``wort``, ``präfix*``,
    ``*teil*``). Used for live Q&A, nicknames and leaderboard names together with the shipped list."""

    entry = models.CharField(_("word"), max_length=60, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("blocked word")
        verbose_name_plural = _("blocked words")
        ordering = ["entry"]

    def __str__(self) -> str:
        return self.entry
