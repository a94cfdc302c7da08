"""Screens of the live Q&A: the presenter's moderation page, and the plain forms behind every button so that asking,
voting, reporting and moderating also work without JavaScript (the script sends the same commands over the
WebSocket instead and falls back to these forms while it is not connected)."""

import json
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.signing import BadSignature
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import commands, events, protocol, rules, selectors, services
from .texts import client_texts

VISITOR_COOKIE = "einblick_live_visitor"
DRAFT_COOKIE = "einblick_live_draft"
DRAFT_SALT = "einblick.live.draft"
VISITOR_COMMANDS = {"ask", "vote", "report"}


def _session(pk: int):
    session = selectors.session_for_qa(pk)
    if session is None:
        raise Http404
    return session


def _moderated_session(request, pk: int):
    session = _session(pk)
    if not rules.can_moderate_session(request.user, session):
        raise Http404  # another company's session: as if it did not exist
    return session


def ws_path(session_id: int) -> str:
    return f"/ws/live/sessions/{session_id}/"


def read_draft(request) -> dict:
    """What a visitor typed into the question form before an error (plain-form path)."""
    try:
        data = json.loads(request.get_signed_cookie(DRAFT_COOKIE, default="{}", salt=DRAFT_SALT, max_age=900))
    except (BadSignature, ValueError):
        return {}
    return (
        {key: str(data.get(key, ""))[:400] for key in ("nickname", "text")} if isinstance(data, dict) else {}
    )


@login_required
def moderate(request, pk: int):
    session = _moderated_session(request, pk)
    seq = selectors.room_seq(session.pk)
    questions = list(selectors.questions_for(session.pk, moderator=True))
    sections = {"pending": [], "open": [], "answered": [], "hidden": []}
    for question in questions:
        sections[protocol.moderator_section(question)].append(question)
    context = {
        "session": session,
        "fair": session.fair,
        "live": session.is_live(),
        "sections": sections,
        "bans": selectors.bans_of(session.pk),
        "state": {"seq": seq, "questions": [protocol.question_moderator(q) for q in questions]},
        "texts": client_texts(moderator=True),
        "ws_path": ws_path(session.pk),
    }
    return render(request, "live/moderate.html", context)


@login_required
@require_POST
def moderate_action(request, pk: int):
    session = _moderated_session(request, pk)
    command = request.POST.get("command", "")
    if command not in commands.MODERATOR_COMMANDS:
        return HttpResponseBadRequest()
    data = {
        "question": request.POST.get("question"),
        "text": request.POST.get("text", ""),
        "answered": request.POST.get("answered", "1") != "0",
    }
    actor = commands.Actor(user=request.user, is_moderator=True, language=get_language())
    try:
        outcome = commands.dispatch(session, actor, command, data)
    except commands.CommandError as error:
        messages.error(request, error.message)
    else:
        events.publish(session.pk, outcome.changed)
        messages.success(request, outcome.message)
    if request.POST.get("next") == "queue":
        return redirect("live:queue")
    anchor = f"#q-{data['question']}" if str(data.get("question", "")).isdigit() else ""
    return redirect(reverse("live:moderate", args=[session.pk]) + anchor)


@login_required
def queue(request):
    """Staff: the moderation queue — held or reported live questions of all sessions, reported leaderboard
    nicknames, and the words staff added to the filter."""
    if not (request.user.is_active and request.user.is_staff):
        raise Http404
    from .forms import BlockedWordForm

    form = BlockedWordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.blocked_word_add(entry=form.cleaned_data["entry"], by=request.user)
        messages.success(request, _("The word is added to the filter."))
        return redirect("live:queue")
    q_actions = [("approve", _("Show")), ("hide", _("Hide")), ("ban", _("Hide and ban"))]
    return render(
        request, "live/queue.html", {"form": form, "q_actions": q_actions, **selectors.moderation_queue()}
    )


@login_required
@require_POST
def blocked_word_delete(request, pk: int):
    if not (request.user.is_active and request.user.is_staff):
        raise Http404
    from .models import BlockedWord

    services.blocked_word_delete(word=get_object_or_404(BlockedWord, pk=pk))
    messages.success(request, _("The word is removed from the filter."))
    return redirect("live:queue")


@require_POST
def visitor_action(request, pk: int):
    """Ask, vote or report through a plain form. The visitor id is the browser's (sent along by the script) or a
    cookie made for the purpose."""
    session = _session(pk)
    command = request.POST.get("command", "")
    if command not in VISITOR_COMMANDS:
        return HttpResponseBadRequest()
    visitor = request.POST.get("visitor", "")
    if not commands.VISITOR_RE.match(visitor):
        visitor = request.COOKIES.get(VISITOR_COOKIE, "")
    if not commands.VISITOR_RE.match(visitor):
        visitor = secrets.token_urlsafe(18)
    data = {
        "nickname": request.POST.get("nickname", ""),
        "text": request.POST.get("text", ""),
        "question": request.POST.get("question"),
    }
    actor = commands.Actor(
        visitor=visitor, address=request.META.get("REMOTE_ADDR", ""), language=get_language()
    )
    response = redirect(session.get_absolute_url() + "#live-qa")
    try:
        outcome = commands.dispatch(session, actor, command, data)
    except commands.CommandError as error:
        messages.error(request, error.message)
        if command == "ask":  # keep what was typed (the page fills the form from it)
            draft = json.dumps({"nickname": data["nickname"][:100], "text": data["text"][:1000]})
            response.set_signed_cookie(
                DRAFT_COOKIE, draft, salt=DRAFT_SALT, max_age=900, httponly=True, samesite="Lax"
            )
    else:
        events.publish(session.pk, outcome.changed)
        messages.success(request, outcome.message)
        if command == "ask":
            response.delete_cookie(DRAFT_COOKIE)
    response.set_cookie(VISITOR_COOKIE, visitor, max_age=60 * 60 * 24, httponly=True, samesite="Lax")
    return response
