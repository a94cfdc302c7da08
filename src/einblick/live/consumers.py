"""The WebSocket end of the live Q&A: one connection per viewer of a session (``/ws/live/sessions/<id>/``).

Parses frames, keeps the per-connection limits (size, frequency) and hands commands to ``commands.dispatch``;
broadcasts what changed to the session's group, where each consumer picks the frame meant for its viewer
(public, own, moderator). A bad frame gets an error event; only a connection that keeps sending bad or too many
frames is closed (code 4008) — never the others. Protocol: docs/live.md.
"""

import contextlib
import json
import logging
import time
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import commands, events, groups, protocol, rules, selectors
from .presence import tracker

logger = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_ABUSE = 4008
CLOSE_UNAVAILABLE = 1011
DATABASE_AWAY = (OperationalError, InterfaceError)


def _language(scope) -> str:
    """The page's language: Django's language cookie, else the site's default."""
    code = (scope.get("cookies") or {}).get(settings.LANGUAGE_COOKIE_NAME, "")
    if code and translation.check_for_language(code) and code in dict(settings.LANGUAGES):
        return code
    return settings.LANGUAGE_CODE


# Writes by visitors are checked against the session as it is now, not as it was when the socket connected.
FRESH_SESSION_COMMANDS = frozenset({"ask", "vote", "report"})


class QaConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.group = groups.session_group(self.session_id)
        self.joined = False
        self.frames: deque[float] = deque()
        self.strikes: deque[float] = deque()
        try:
            self.session = await database_sync_to_async(selectors.session_for_qa)(self.session_id)
            if self.session is None:
                await self.close(code=CLOSE_NOT_FOUND)
                return
            user = self.scope.get("user")
            is_moderator = await database_sync_to_async(rules.can_moderate_session)(user, self.session)
        except DATABASE_AWAY:  # the database restarts: the client tries again with backoff
            logger.warning("live Q&A: database unavailable, refusing a connection", exc_info=True)
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        self.actor = commands.Actor(
            user=user if is_moderator else None,
            is_moderator=is_moderator,
            connection=self.channel_name,
            address=(self.scope.get("client") or [""])[0] or "",
            language=_language(self.scope),
        )
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
        except Exception:  # Redis unreachable: the client retries with backoff
            logger.warning("live Q&A: channel layer unavailable, refusing %s", self.group, exc_info=True)
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        self.joined = True
        await self.accept()
        tracker.join(self.session_id, self)

    async def disconnect(self, code):
        if not getattr(self, "joined", False):
            return
        self.joined = False
        tracker.leave(self.session_id, self)
        with contextlib.suppress(Exception):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    # --- frames from the browser ------------------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        limits = settings.LIVE_QA
        now = time.monotonic()
        self._trim(self.frames, now, limits["FRAME_WINDOW"])
        self.frames.append(now)
        if len(self.frames) > limits["FRAMES"]:
            await self._reject("too_fast", _("Too many messages at once. Please slow down."))
            return
        if text_data is None:
            await self._reject("text_only", _("Only text messages are understood."))
            return
        if len(text_data) > limits["MAX_FRAME_BYTES"] or len(text_data.encode()) > limits["MAX_FRAME_BYTES"]:
            await self._reject("too_large", _("This message is too long."))
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self._reject("bad_json", _("This message could not be read."))
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self._reject("bad_message", _("This message could not be read."))
            return
        command = message["type"]
        if command not in commands.HANDLERS:
            await self._reject("unknown_command", _("Unknown command."), command=command[:40])
            return
        try:
            if command in FRESH_SESSION_COMMANDS:
                # Staff may have switched on pre-moderation, switched the Q&A off or cancelled the session meanwhile.
                self.session = await database_sync_to_async(selectors.session_for_qa)(self.session_id)
                if self.session is None:
                    await self.close(code=CLOSE_NOT_FOUND)
                    return
            outcome = await database_sync_to_async(commands.dispatch)(
                self.session, self.actor, command, message
            )
        except commands.CommandError as error:
            await self.send(
                text_data=protocol.frame("error", code=error.code, message=error.message, command=command)
            )
            return
        except DATABASE_AWAY:  # keep the connection: what was typed stays in the form; the client may resend
            logger.warning("live Q&A: database unavailable for %s", command, exc_info=True)
            if command == "hello":  # not welcomed: the client reconnects with backoff and says hello again
                await self.close(code=CLOSE_UNAVAILABLE)
                return
            with translation.override(self.actor.language):
                text = str(_("This is not possible right now. Please try again in a moment."))
            await self.send(
                text_data=protocol.frame("error", code="unavailable", message=text, command=command)
            )
            return
        if outcome.visitor is not None:
            self.actor.visitor = outcome.visitor
        for text in outcome.frames:
            await self.send(text_data=text)
        if command == "hello":
            await self.send_viewers(tracker.estimate(self.session_id))
        if outcome.changed:
            await events.apublish(self.session_id, outcome.changed)

    @staticmethod
    def _trim(times: deque, now: float, seconds: float) -> None:
        while times and now - times[0] > seconds:
            times.popleft()

    async def _reject(self, code: str, message, **extra) -> None:
        """An error event for a bad frame; a connection with too many of them is closed (only this one)."""
        with translation.override(self.actor.language):
            text = protocol.frame("error", code=code, message=str(message), **extra)
        await self.send(text_data=text)
        now = time.monotonic()
        self._trim(self.strikes, now, settings.LIVE_QA["STRIKE_WINDOW"])
        self.strikes.append(now)
        if len(self.strikes) >= settings.LIVE_QA["STRIKES"]:
            logger.info("live Q&A: closing an abusive connection to %s", self.group)
            await self.close(code=CLOSE_ABUSE)

    # --- from the channel layer and the presence ticker -------------------------------------------------------
    async def qa_event(self, message):
        if self.actor.is_moderator:
            text = message["moderator"]
        elif self.actor.visitor and message["owner"] == self.actor.visitor:
            text = message["own"]
        else:
            text = message["public"]
        await self.send(text_data=text)

    async def send_viewers(self, count: int) -> None:
        await self.send(text_data=protocol.frame("viewers", count=count))
