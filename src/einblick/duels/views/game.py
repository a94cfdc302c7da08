"""Class games: a teacher plays an episode with the class. The teacher starts a game and shows the board on the
projector; pupils join on their phones with the code and a nickname (no account: the visitor cookie identifies
them) and answer the episode's challenges one after another.

The board shows only counts per answer and a ranking of nicknames — never who chose what (shy pupils). The right
answer is highlighted only after the teacher clicks "Reveal"; the revealed challenges are kept in the teacher's
session (nothing is added to the models), and the ranking counts only revealed challenges so that it gives nothing
away early. When the game ends everything is revealed.

Live updates: the board polls ``stand.json`` every 2 seconds (``static/duels/game.js``, plain ``fetch``). Polling is
deliberately chosen over the ``live`` app's WebSockets: a class is ~30 phones and one board, the data is a handful
of counts, and polling needs no consumer, group or channel layer. Without JavaScript the board shows the state at
load time and a "Refresh" link shows the rest.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from einblick.api.ratelimit import client_address
from einblick.live import ratelimit

from .. import rules, selectors, services
from ..models import Challenge, ClassGame, Episode, Guess
from .common import remember, visitor_of

JOINS_PER_ADDRESS = (120, 600)  # a class shares one address: 120 join attempts in 10 minutes, typos included
RANKING_SIZE = 10
SESSION_REVEALED = "duels_revealed"  # {game pk: [challenge pk, …]} in the teacher's session


# --- permissions (the predicates of class games) ------------------------------------------------------------------


# --- helpers ------------------------------------------------------------------------------------------------------


def _normal_code(code: str) -> str:
    return (code or "").strip().upper()[:8]


def _game_of_teacher(request, code: str) -> ClassGame:
    """The game for its teacher (or staff); everybody else gets 404 (no leak of existence)."""
    game = (
        ClassGame.objects.select_related("episode__season", "teacher").filter(code=_normal_code(code)).first()
    )
    if game is None or not rules.can_run_game(request.user, game):
        raise Http404
    return game


def _revealed(request, game: ClassGame) -> set[int]:
    return set(request.session.get(SESSION_REVEALED, {}).get(str(game.pk), []))


def _reveal(request, game: ClassGame, challenge_pk: int) -> None:
    stored = dict(request.session.get(SESSION_REVEALED, {}))
    ids = set(stored.get(str(game.pk), []))
    ids.add(challenge_pk)
    stored[str(game.pk)] = sorted(ids)
    request.session[SESSION_REVEALED] = stored


def _class_guesses(game: ClassGame):
    """The class's answers: guesses of the game's players on the episode's challenges — made in this game, or before
    joining it without a game (a pupil who guessed at home keeps that first answer, and it still counts here)."""
    return Guess.objects.filter(
        Q(game=game) | Q(game__isnull=True),
        challenge__episode_id=game.episode_id,
        visitor__in=game.players.values("visitor"),
    )


def _board(game: ClassGame, revealed: set[int]) -> dict:
    """Everything the board shows: players, counts per challenge and option, the ranking. Only counts — which
    pupil chose what is never part of it."""
    closed = game.closed_at is not None
    challenges = list(game.episode.challenges.select_related("profession").prefetch_related("decoys"))
    if closed:
        revealed = {c.pk for c in challenges}
    players = list(game.players.order_by("pk"))
    guesses = _class_guesses(game)
    counts: dict[tuple[int, int], int] = {}
    for row in guesses.values("challenge_id", "choice_id").annotate(n=Count("pk")).order_by():
        counts[(row["challenge_id"], row["choice_id"])] = row["n"]

    rows = []
    for number, challenge in enumerate(challenges, start=1):
        shown = challenge.pk in revealed
        options = selectors.options_for(challenge)
        answered = sum(counts.get((challenge.pk, option.pk), 0) for option in options)
        rows.append(
            {
                "challenge": challenge,
                "number": number,
                "answered": answered,
                "revealed": shown,
                "options": [
                    {
                        "profession": option,
                        "count": counts.get((challenge.pk, option.pk), 0),
                        "share": round(100 * counts.get((challenge.pk, option.pk), 0) / answered)
                        if answered
                        else 0,
                        "right": shown and option.pk == challenge.profession_id,
                    }
                    for option in options
                ],
            }
        )

    scores = dict(
        guesses.filter(correct=True, challenge_id__in=revealed)
        .values("visitor")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("visitor", "n")
    )
    ordered = sorted(players, key=lambda p: (-scores.get(p.visitor, 0), p.nickname.casefold(), p.pk))
    ranking = []
    for player in ordered[:RANKING_SIZE]:
        score = scores.get(player.visitor, 0)
        ranking.append(
            {
                "rank": 1 + sum(1 for s in (scores.get(p.visitor, 0) for p in players) if s > score),
                "nickname": player.nickname,
                "correct": score,
            }
        )
    total = sum(row["answered"] for row in rows)
    summary = " · ".join(
        [
            ngettext("%(n)d player joined", "%(n)d players joined", len(players)) % {"n": len(players)},
            ngettext("%(n)d answer", "%(n)d answers", total) % {"n": total},
        ]
    )
    return {
        "closed": closed,
        "players": players,
        "rows": rows,
        "ranking": ranking,
        "n_revealed": len([c for c in challenges if c.pk in revealed]),
        "summary": summary,
    }


def _score_text(correct: int) -> str:
    return ngettext("%(n)d right", "%(n)d right", correct) % {"n": correct}


# --- teacher ------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def start(request, season, episode):
    """A teacher (or staff) starts a class game for an episode (POST); GET shows what will happen."""
    if not rules.can_start_game(request.user):
        raise Http404
    episode = get_object_or_404(Episode.objects.select_related("season"), season__slug=season, slug=episode)
    if not episode.is_published() and not request.user.is_staff:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            game = services.class_game_start(teacher=request.user, episode=episode)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The class game has started. Show this page to your class."))
            return remember(request, redirect("duels:game", code=game.code))
    open_games = ClassGame.objects.filter(teacher=request.user, episode=episode, closed_at__isnull=True)
    context = {"episode": episode, "error": error, "open_games": open_games}
    return remember(request, render(request, "duels/game_start.html", context, status=400 if error else 200))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def board(request, code):
    """The teacher's screen for the projector. POST ``reveal=<challenge id>`` shows that challenge's answer."""
    game = _game_of_teacher(request, code)
    if request.method == "POST":
        try:
            challenge_pk = int(request.POST.get("reveal", ""))
        except ValueError:
            challenge_pk = 0
        if not game.episode.challenges.filter(pk=challenge_pk).exists():
            messages.error(request, _("Please choose one of the challenges of this episode."))
            return remember(request, redirect("duels:game", code=game.code))
        _reveal(request, game, challenge_pk)
        return remember(
            request, redirect(reverse("duels:game", args=[game.code]) + f"#challenge-{challenge_pk}")
        )
    context = {
        "game": game,
        "episode": game.episode,
        "join_url": request.build_absolute_uri(reverse("duels:join")),
        **_board(game, _revealed(request, game)),
    }
    return remember(request, render(request, "duels/game_board.html", context))


@never_cache
def state(request, code):
    """JSON for the board's polling (every 2 s): players, counts per challenge and option, the ranking."""
    game = _game_of_teacher(request, code)
    data = _board(game, _revealed(request, game))
    payload = {
        "code": game.code,
        "closed": data["closed"],
        "summary": data["summary"],
        "players": [p.nickname for p in data["players"]],
        "challenges": [
            {
                "id": row["challenge"].pk,
                "number": row["number"],
                "answered": row["answered"],
                "revealed": row["revealed"],
                "options": [
                    {
                        "id": option["profession"].pk,
                        "name": option["profession"].name,
                        "count": option["count"],
                        "share": option["share"],
                        "right": option["right"] if row["revealed"] else None,
                    }
                    for option in row["options"]
                ],
            }
            for row in data["rows"]
        ],
        "ranking": [dict(entry, text=_score_text(entry["correct"])) for entry in data["ranking"]],
    }
    return remember(request, JsonResponse(payload))


@login_required
@require_POST
def close(request, code):
    game = _game_of_teacher(request, code)
    services.class_game_close(game=game)
    messages.success(request, _("The class game has ended. All answers are revealed."))
    return remember(request, redirect("duels:game", code=game.code))


# --- pupils -------------------------------------------------------------------------------------------------------


class JoinForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Game code"),
        max_length=8,
        help_text=gettext_lazy("Your teacher shows it on the board."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "size": 8}
        ),
    )
    nickname = forms.CharField(
        label=gettext_lazy("Nickname"),
        max_length=24,
        help_text=gettext_lazy("Not your full name: the class sees it in the ranking."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def join(request):
    """A pupil types the code and a nickname; no account needed."""
    if request.method == "POST":
        form = JoinForm(request.POST)
        if form.is_valid():
            visitor, _known = visitor_of(request)
            code = _normal_code(form.cleaned_data["code"])
            if not ratelimit.within(f"duel-join:{client_address(request)}", *JOINS_PER_ADDRESS):
                form.add_error(None, _("Too many attempts from your network. Please wait a few minutes."))
            else:
                try:
                    services.class_game_join(
                        code=code, visitor=visitor, nickname=form.cleaned_data["nickname"]
                    )
                except ValidationError as exc:
                    if exc.code == "unknown":
                        ended = ClassGame.objects.filter(code=code, closed_at__isnull=False).exists()
                        message = _("This class game has ended.") if ended else " ".join(exc.messages)
                        form.add_error("code", message)
                    else:
                        form.add_error("nickname", exc)
                else:
                    return remember(request, redirect("duels:play", code=code))
    else:
        form = JoinForm(initial={"code": _normal_code(request.GET.get("code", ""))})
    status = 400 if form.is_bound and form.errors else 200
    return remember(request, render(request, "duels/game_join.html", {"form": form}, status=status))


@never_cache
@require_http_methods(["GET", "POST"])
def play(request, code):
    """The pupil's phone page: the episode's challenges one after another, four big buttons each."""
    code = _normal_code(code)
    game = ClassGame.objects.select_related("episode__season").filter(code=code).first()
    visitor, known = visitor_of(request)
    player = game.players.filter(visitor=visitor).first() if game is not None and known else None
    if player is None:
        if game is not None and game.closed_at is not None:
            messages.error(request, _("This class game has ended."))
        return remember(request, redirect(reverse("duels:join") + "?" + urlencode({"code": code})))
    closed = game.closed_at is not None

    if request.method == "POST":
        if closed:
            messages.error(request, _("This class game has ended. Answers no longer count."))
            return remember(request, redirect("duels:play", code=game.code))
        challenge = get_object_or_404(Challenge, pk=_int(request.POST.get("challenge")), episode=game.episode)
        already = Guess.objects.filter(challenge=challenge, visitor=visitor).exists()
        try:
            guess = services.guess_record(
                challenge=challenge, visitor=visitor, choice_id=_int(request.POST.get("choice")), game=game
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if already:
                messages.info(request, _("You had already answered this one: your first answer counts."))
            else:
                messages.success(request, _("Saved: %(answer)s") % {"answer": guess.choice.name})
        return remember(request, redirect("duels:play", code=game.code))

    challenges = list(game.episode.challenges.select_related("profession").prefetch_related("decoys"))
    guesses = selectors.guesses_of(visitor, game.episode)
    current = next((c for c in challenges if c.pk not in guesses), None)
    context = {
        "game": game,
        "episode": game.episode,
        "player": player,
        "closed": closed,
        "total": len(challenges),
        "answered": sum(1 for c in challenges if c.pk in guesses),
        "current": None if closed else current,
        "number": challenges.index(current) + 1 if current else None,
        "options": selectors.options_for(current) if current and not closed else [],
        "results": [{"challenge": c, "guess": guesses.get(c.pk)} for c in challenges] if closed else [],
        "correct": sum(1 for g in guesses.values() if g.correct),
    }
    return remember(request, render(request, "duels/game_play.html", context))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
