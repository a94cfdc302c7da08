"""Permission matrix of the whole platform (issue #10, item 5), in the manner of pretix's permission tests.

Every URL pattern of the project is listed in ``CASES`` with how to fill its arguments from one shared world
of objects and the status each role gets for a GET. ``test_every_url_is_in_the_matrix`` fails when a URL is
added without an entry here. A second table, ``WRITES``, posts the important writes as the wrong role: they
answer 404 and change nothing. Rules (design.md §5): another tenant's object answers 404, never 403 or 200;
pages that need an account send anonymous visitors to the login page (302 to ``/konto/anmelden/?next=…``).

Roles: anonymous; pupil (P1, class C1) and pupil_2 (P2, class C2); teacher (T1, teacher of C1) and teacher_2
(T2, teacher of C2); member_a and member_b (members of companies A and B); provider (member of training
provider X); staff (network staff). "The other one" of an owned object: member_b for A's, teacher_2 for C1's,
pupil_2 for P1's.

A row whose expectation the application does not meet is marked ``# BUG:`` and fails until the view is fixed
(none at the time of writing).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

ROLES = (
    "anonymous",
    "pupil",
    "pupil_2",
    "teacher",
    "teacher_2",
    "member_a",
    "member_b",
    "provider",
    "staff",
)
LOGIN = "login"  # 302 to the login page with ?next=<the URL asked for>


def statuses(default, *, anonymous=None, **roles) -> dict:
    result = dict.fromkeys(ROLES, default)
    if anonymous is not None:
        result["anonymous"] = anonymous
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    result.update(roles)
    return result


def public(status=200) -> dict:
    """The same answer for everybody, with or without an account."""
    return statuses(status)


def account(status=200, **roles) -> dict:
    """Any account (login_required); anonymous visitors go to the login page."""
    return statuses(status, anonymous=LOGIN, **roles)


def only(*allowed: str, status=200) -> dict:
    """Only ``allowed`` roles; other accounts 404 (no hint that it exists), anonymous to the login page."""
    return statuses(404, anonymous=LOGIN, **dict.fromkeys(allowed, status))


POST_ONLY = account(405)  # @login_required + @require_POST: a GET is 405 once logged in
POST_ONLY_PUBLIC = public(405)  # @require_POST without login
HOST_A = ("member_a", "staff")  # company A's own pages; staff may act for any company


@dataclass(frozen=True)
class Case:
    name: str  # URL name, "<unnamed ROUTE>" for a pattern without one
    args: Callable | None  # world -> kwargs of reverse()
    expected: dict
    label: str = ""  # tells several cases of one URL apart
    query: str | Callable = ""  # or world -> query string
    path: Callable | None = None  # world -> path, for patterns without a name

    @property
    def id(self) -> str:
        return self.label or self.name

    def url(self, world) -> str:
        if self.path is not None:
            return self.path(world)
        url = reverse(self.name, kwargs=self.args(world) if self.args else None)
        return f"{url}?{self.query(world) if callable(self.query) else self.query}" if self.query else url


def fair_kw(w, **extra):
    return {"slug": w.fair.slug, **extra}


def booth_kw(w, **extra):
    return {"slug": w.fair.slug, "company": w.company_a.slug, **extra}


def episode_kw(w, **extra):
    return {"season": w.season.slug, "episode": w.episode.slug, **extra}


# fmt: off
CASES = [
    # --- core -----------------------------------------------------------------------------------------------
    Case("core:home", None, public()),
    Case("core:healthz", None, public()),
    Case("core:readyz", None, public()),
    Case("core:safety", None, public()),
    # --- accounts -------------------------------------------------------------------------------------------
    Case("accounts:home", None, account()),
    Case("accounts:login", None, statuses(302, anonymous=200)),  # logged in: on to "My account"
    Case("accounts:logout", None, public(405)),  # Django's LogoutView takes POST only
    Case("accounts:signup", None, public()),
    Case("accounts:signup_pupil", None, public()),
    Case("accounts:signup_teacher", None, public()),
    Case("accounts:join_class", None, public()),
    Case("accounts:joined", None, account(302)),  # shown once after joining; otherwise on to "My account"
    Case("accounts:class_list", None, only("teacher", "teacher_2")),
    Case("accounts:class_create", None, only("teacher", "teacher_2")),
    Case("accounts:class_detail", lambda w: {"pk": w.c1.pk}, only("teacher")),
    Case("accounts:class_code_renew", lambda w: {"pk": w.c1.pk}, POST_ONLY),
    Case("accounts:email_change", None, account()),
    # an invalid link: a message and on to the login page or "My account"
    Case("accounts:email_change_confirm", lambda w: {"token": "ungueltig"}, public(302)),
    Case("accounts:consent", lambda w: {"token": w.consent.token}, public()),  # the link is the key
    Case("accounts:privacy", None, account()),
    Case("accounts:privacy_export", None, account()),
    Case("accounts:privacy_delete", None, account(404)),  # a GET is answered 404: deleting takes a POST
    Case("accounts:consent_withdraw", lambda w: {"pk": w.consent.pk}, POST_ONLY),
    Case("accounts:audit_log", None, only("staff")),
    Case("accounts:two_factor", None, account()),
    # without an authenticator app set up there is nothing to check: back to the account page
    Case("accounts:two_factor_check", None, account(302)),
    Case("accounts:password_reset", None, public()),
    Case("accounts:password_reset_done", None, public()),
    Case("accounts:password_reset_confirm", lambda w: {"uidb64": "MQ", "token": "ungueltig"}, public()),
    Case("accounts:password_reset_complete", None, public()),
    # --- orientation ----------------------------------------------------------------------------------------
    Case("orientation:start", None, public()),
    Case("orientation:question", lambda w: {"number": 1}, public()),
    Case("orientation:finish", None, public(302)),  # nothing answered yet: on to the first statement
    Case("orientation:result", lambda w: {"token": w.result_token}, public()),
    Case("orientation:result_save", lambda w: {"token": w.result_token}, POST_ONLY),
    Case("orientation:result_share", lambda w: {"pk": w.result_p1.pk}, POST_ONLY),
    # --- fair -----------------------------------------------------------------------------------------------
    Case("fair:index", None, public(302)),  # on to the running fair
    Case("fair:programme", fair_kw, public()),
    Case("fair:session", lambda w: fair_kw(w, pk=w.session.pk), public()),
    Case("fair:exhibitors", fair_kw, public()),
    Case("fair:booth", booth_kw, public()),
    Case("fair:booth_ask", booth_kw, POST_ONLY_PUBLIC),
    Case("fair:booth_manage", booth_kw, only(*HOST_A)),
    Case("fair:booth_material_upload", booth_kw, POST_ONLY),
    Case("fair:booth_material_delete", lambda w: booth_kw(w, pk=w.material.pk), POST_ONLY),
    Case("fair:booth_question_answer", lambda w: booth_kw(w, pk=w.question.pk), POST_ONLY),
    Case("fair:booth_question_hide", lambda w: booth_kw(w, pk=w.question.pk), POST_ONLY),
    Case("fair:company_stats", booth_kw, only(*HOST_A)),
    Case("fair:company_stats_csv", booth_kw, only(*HOST_A)),
    Case("fair:fair_stats", fair_kw, only("staff")),
    Case("fair:fair_stats_csv", fair_kw, only("staff")),
    Case("fair:agenda", fair_kw, public()),
    Case("fair:agenda_ics", fair_kw, public()),
    Case("fair:agenda_toggle", lambda w: fair_kw(w, pk=w.session.pk), POST_ONLY_PUBLIC),
    Case("fair:agenda_remind", lambda w: fair_kw(w, pk=w.session.pk), POST_ONLY),
    Case("fair:agenda_import", fair_kw, POST_ONLY),
    Case("fair:agenda_feed_reset", fair_kw, POST_ONLY),
    Case("fair:agenda_feed", lambda w: {"token": w.feed_token}, public()),  # the link is the key
    Case("fair:company_fairs", lambda w: {"company": w.company_a.slug}, only(*HOST_A)),
    Case("fair:planner_index", None, only("staff")),
    Case("fair:request_list", booth_kw, only(*HOST_A)),
    Case("fair:request_add", booth_kw, only(*HOST_A)),
    Case("fair:request_withdraw", lambda w: booth_kw(w, pk=w.session_request.pk), POST_ONLY),
    Case("fair:planner", fair_kw, only("staff")),
    Case("fair:plan_status", fair_kw, only("staff")),
    Case("fair:plan_start", fair_kw, POST_ONLY),
    Case("fair:plan_publish", fair_kw, POST_ONLY),
    Case("fair:session_move", lambda w: fair_kw(w, pk=w.session.pk), only("staff")),
    Case("fair:session_pin", lambda w: fair_kw(w, pk=w.session.pk), POST_ONLY),
    Case("fair:request_place", lambda w: fair_kw(w, pk=w.session_request.pk), only("staff")),
    # --- live Q&A -------------------------------------------------------------------------------------------
    Case("live:moderate", lambda w: {"pk": w.session.pk}, only(*HOST_A)),
    Case("live:moderate_action", lambda w: {"pk": w.session.pk}, POST_ONLY),
    Case("live:queue", None, only("staff")),
    Case("live:blocked_word_delete", lambda w: {"pk": 1}, POST_ONLY),
    Case("live:visitor_action", lambda w: {"pk": w.session.pk}, POST_ONLY_PUBLIC),
    # --- talks (round: published, with P1's talk at A; round_open: open for wishes) -------------------------
    Case("talks:rounds", None, account()),
    Case("talks:mine", lambda w: {"pk": w.round.pk}, only("pupil", "pupil_2")),
    Case("talks:book", lambda w: {"pk": w.round.pk}, POST_ONLY),
    Case("talks:waitlist", lambda w: {"pk": w.round.pk}, POST_ONLY),
    Case("talks:cancel", lambda w: {"talk_pk": w.talk.pk}, POST_ONLY),
    Case("talks:hold", lambda w: {"talk_pk": w.talk.pk}, POST_ONLY),
    Case("talks:ics", lambda w: {"pk": w.round.pk}, only("pupil", "pupil_2")),  # each pupil's own plan
    Case("talks:pdf", lambda w: {"pk": w.round.pk}, only("pupil", "pupil_2")),
    Case("talks:round_new", None, only("staff")),
    Case("talks:manage", lambda w: {"pk": w.round.pk}, only("staff")),
    Case("talks:round_edit", lambda w: {"pk": w.round.pk}, only("staff")),
    Case("talks:open", lambda w: {"pk": w.round.pk}, POST_ONLY),
    Case("talks:offer_new", lambda w: {"pk": w.round.pk}, only("staff")),
    Case("talks:offer_edit", lambda w: {"pk": w.round.pk, "offer_pk": w.talk_offer.pk}, only("staff")),
    Case("talks:offer_delete", lambda w: {"pk": w.round.pk, "offer_pk": w.talk_offer.pk}, POST_ONLY),
    Case("talks:allocate", lambda w: {"pk": w.round.pk}, POST_ONLY),
    Case("talks:run_status", lambda w: {"pk": w.round.pk}, only("staff")),
    Case("talks:publish", lambda w: {"pk": w.round.pk}, POST_ONLY),
    Case("talks:talk_add", lambda w: {"pk": w.round.pk}, only("staff"), query=lambda w: f"pupil={w.p1.pk}"),
    Case("talks:talk_move", lambda w: {"pk": w.round.pk, "talk_pk": w.talk.pk}, only("staff")),
    Case("talks:talk_remove", lambda w: {"pk": w.round.pk, "talk_pk": w.talk.pk}, POST_ONLY),
    Case("talks:company", lambda w: {"pk": w.round.pk, "company_pk": w.company_a.pk}, only(*HOST_A)),
    Case("talks:company_offer", lambda w: {"pk": w.round_open.pk, "company_pk": w.company_a.pk},
         only(*HOST_A)),
    Case("talks:attendance", lambda w: {"talk_pk": w.talk.pk}, POST_ONLY),
    Case("talks:class", lambda w: {"pk": w.round.pk, "class_pk": w.c1.pk}, only("teacher", "staff")),
    Case(
        "talks:class_pupil",
        lambda w: {"pk": w.round.pk, "class_pk": w.c1.pk, "pupil_pk": w.p1.pk},
        only("teacher", "staff"),
    ),
    # --- events (event: hosted by A; reg_p1: P1's, checked in; reg_c1: class C1 by T1; reg_a: A at a seminar)
    Case("events:list", None, public()),
    Case("events:mine", None, account()),
    Case("events:mine_ics", None, account()),
    Case("events:certificate_name", None, POST_ONLY),
    Case("events:certificates", None, account()),  # one's own certificates (a page saying "none yet" without)
    Case("events:portfolio_json", None, account()),
    Case("events:portfolio_csv", None, account()),
    Case("events:manage", None, only(*HOST_A)),  # staff, and hosts of an event
    Case("events:new", None, only("staff")),
    Case("events:confirm", lambda w: {"pk": w.reg_p1.pk}, POST_ONLY),
    Case("events:cancel", lambda w: {"pk": w.reg_p1.pk}, POST_ONLY),
    Case("events:checkin_undo", lambda w: {"pk": w.reg_p1.pk}, POST_ONLY),
    Case("events:group", lambda w: {"pk": w.reg_c1.pk}, only("teacher"), label="events:group-class"),
    Case("events:group", lambda w: {"pk": w.reg_a.pk}, only("member_a"), label="events:group-company"),
    Case("events:ticket_qr", lambda w: {"pk": w.reg_p1.pk}, only("pupil", *HOST_A),
         label="events:ticket_qr-pupil"),
    Case(
        "events:ticket_qr", lambda w: {"pk": w.reg_c1.pk}, only("teacher", *HOST_A),
        label="events:ticket_qr-class",
    ),
    Case(
        "events:certificate", lambda w: {"pk": w.reg_p1.pk}, only("pupil", *HOST_A),
        label="events:certificate-pupil",
    ),
    Case(
        "events:certificate", lambda w: {"pk": w.reg_c1.pk}, only("teacher", *HOST_A),
        label="events:certificate-class",
    ),
    Case("events:feedback", lambda w: {"pk": w.reg_p1.pk}, only("pupil")),
    Case("events:class_attendance", lambda w: {"pk": w.reg_c1.pk}, only("teacher", *HOST_A)),
    Case("events:detail", lambda w: {"slug": w.event.slug}, public()),
    Case("events:ics", lambda w: {"slug": w.event.slug}, public()),
    Case("events:register", lambda w: {"slug": w.event.slug}, only("pupil", "pupil_2")),
    Case("events:register_class", lambda w: {"slug": w.event.slug}, only("teacher", "teacher_2")),
    Case(
        "events:register_company", lambda w: {"slug": w.seminar.slug}, only("member_a", "member_b"),
        label="events:register_company-seminar",
    ),
    Case(  # not a seminar for companies: nobody registers a company there
        "events:register_company", lambda w: {"slug": w.event.slug}, only(),
        label="events:register_company-pupils",
    ),
    Case("events:edit", lambda w: {"slug": w.event.slug}, only(*HOST_A)),
    Case("events:registrations", lambda w: {"slug": w.event.slug}, only(*HOST_A)),
    Case("events:checkin", lambda w: {"slug": w.event.slug}, only(*HOST_A)),
    Case("events:checkin_api", lambda w: {"slug": w.event.slug}, public(405)),  # JSON; method checked first
    Case("events:feedback_results", lambda w: {"slug": w.event.slug}, only(*HOST_A)),
    # --- duels ----------------------------------------------------------------------------------------------
    Case("duels:index", None, public()),
    Case("duels:feed", None, public()),
    Case("duels:feed_atom", None, public()),
    Case("duels:meet", lambda w: {"challenge_pk": w.challenge.pk, "kind": "company"}, public(302)),
    Case("duels:join", None, public()),
    Case("duels:play", lambda w: {"code": w.game.code}, public(302)),  # not a player yet: on to "join"
    Case("duels:game", lambda w: {"code": w.game.code}, only("teacher", "staff")),
    # polled JSON: no login redirect, 404 for anyone but the game's teacher and staff
    Case("duels:game_state", lambda w: {"code": w.game.code}, statuses(404, teacher=200, staff=200)),
    Case("duels:game_close", lambda w: {"code": w.game.code}, POST_ONLY),
    Case("duels:editor", None, only("staff")),
    Case("duels:episode_new", None, only("staff")),
    Case("duels:episode_edit", lambda w: {"pk": w.episode.pk}, only("staff")),
    Case("duels:challenges_edit", lambda w: {"pk": w.episode.pk}, only("staff")),
    Case("duels:publish", lambda w: {"pk": w.episode.pk}, POST_ONLY),
    Case("duels:stats", lambda w: {"pk": w.episode.pk}, only("staff")),
    Case("duels:leaderboard_hide", lambda w: {"pk": w.leaderboard_entry.pk}, POST_ONLY),
    Case("duels:leaderboard_restore", lambda w: {"pk": w.leaderboard_entry.pk}, POST_ONLY),
    Case("duels:leaderboard_report", lambda w: {"pk": w.leaderboard_entry.pk}, POST_ONLY_PUBLIC),
    Case("duels:season", lambda w: {"season": w.season.slug}, public()),
    Case("duels:leaderboard_join", lambda w: {"season": w.season.slug}, POST_ONLY_PUBLIC),
    Case("duels:episode", episode_kw, public()),
    Case("duels:guess", lambda w: episode_kw(w, challenge_pk=w.challenge.pk), POST_ONLY_PUBLIC),
    Case("duels:vote", episode_kw, POST_ONLY_PUBLIC),
    Case("duels:game_start", episode_kw, only("teacher", "teacher_2", "staff")),
    Case("duels:share_image", lambda w: episode_kw(w, size="1200x630"), public()),
    Case("duels:card", episode_kw, public()),
    Case("duels:qr", episode_kw, public()),
    Case("duel_short", lambda w: {"code": w.episode.short}, public(302)),  # counted, then on to the episode
    # --- tandem (tandem: A's need with X's offer) -----------------------------------------------------------
    Case("tandem:index", None, account()),
    Case("tandem:need_new", lambda w: {"slug": w.company_a.slug}, only(*HOST_A)),
    Case("tandem:overview", None, only("staff")),
    Case("tandem:confirm", None, POST_ONLY),
    Case("tandem:report", None, only("staff")),
    Case("tandem:report_csv", None, only("staff")),
    Case("tandem:tandem", lambda w: {"pk": w.tandem.pk}, only("member_a", "provider", "staff")),
    Case(
        "tandem:file", lambda w: {"pk": w.tandem.pk, "file_pk": w.attachment.pk},
        only("member_a", "provider", "staff"),
    ),
    Case("tandem:request", lambda w: {"need_pk": w.need_a.pk}, POST_ONLY),
    Case("tandem:seminars", None, public()),
    Case("tandem:commission", None, POST_ONLY),
    Case("tandem:offer_new", lambda w: {"provider_pk": w.provider.pk}, only("provider", "staff")),
    Case(
        "tandem:offer_edit", lambda w: {"provider_pk": w.provider.pk, "pk": w.training_offer.pk},
        only("provider", "staff"),
    ),
    # --- insights -------------------------------------------------------------------------------------------
    Case("insights:dashboard", None, only("staff")),
    Case("insights:export", lambda w: {"fmt": "csv"}, only("staff")),
    Case("insights:refresh", None, POST_ONLY),
    Case("insights:company", lambda w: {"slug": w.company_a.slug}, only(*HOST_A)),
    Case("insights:company_export", lambda w: {"slug": w.company_a.slug, "fmt": "csv"}, only(*HOST_A)),
    # --- catalogue ------------------------------------------------------------------------------------------
    Case("catalog:search", None, public()),
    Case("catalog:professions", None, public()),
    Case("catalog:profession", lambda w: {"slug": w.profession.slug}, public()),
    Case("catalog:companies", None, public()),
    Case("catalog:company", lambda w: {"slug": w.company_a.slug}, public()),
    Case("catalog:offers", None, public()),
    Case("catalog:offer", lambda w: {"pk": w.offer_a.pk}, public()),
    Case("catalog:offer_apply", lambda w: {"pk": w.offer_a.pk}, public(302)),  # counted, then on
    Case("catalog:company_register", None, public()),
    Case("catalog:invitation_accept", lambda w: {"token": w.invitation.token}, public()),  # link = key
    Case("catalog:company_manage", lambda w: {"slug": w.company_a.slug}, only(*HOST_A)),
    Case("catalog:company_edit", lambda w: {"slug": w.company_a.slug}, only(*HOST_A)),
    Case("catalog:site_add", lambda w: {"slug": w.company_a.slug}, only(*HOST_A)),
    Case("catalog:site_edit", lambda w: {"slug": w.company_a.slug, "pk": w.site_a.pk}, only(*HOST_A)),
    Case("catalog:contact_add", lambda w: {"slug": w.company_a.slug}, only(*HOST_A)),
    Case("catalog:contact_edit", lambda w: {"slug": w.company_a.slug, "pk": w.contact_a.pk}, only(*HOST_A)),
    Case("catalog:offer_add", lambda w: {"slug": w.company_a.slug}, only(*HOST_A)),
    Case("catalog:offer_edit", lambda w: {"slug": w.company_a.slug, "pk": w.offer_a.pk}, only(*HOST_A)),
    Case("catalog:offer_delete", lambda w: {"slug": w.company_a.slug, "pk": w.offer_a.pk}, POST_ONLY),
    Case("catalog:invite", lambda w: {"slug": w.company_a.slug}, only(*HOST_A)),
    Case("catalog:staff_companies", None, only("staff")),
    Case("catalog:staff_company_decide", lambda w: {"slug": w.company_a.slug, "action": "approve"},
         POST_ONLY),
    Case("catalog:staff_offer_hide", lambda w: {"pk": w.offer_a.pk}, POST_ONLY),
    Case("catalog:staff_offer_import", None, only("staff")),
    # --- API: reads are public; the company endpoints want the company's key (a session is not one) ---------
    Case("api:v1:api-root", None, public()),
    Case("api:v1:field_list", None, public()),
    Case("api:v1:profession_list", None, public()),
    Case("api:v1:profession_detail", lambda w: {"slug": w.profession.slug}, public()),
    Case("api:v1:company_list", None, public()),
    Case("api:v1:company_detail", lambda w: {"slug": w.company_a.slug}, public()),
    Case("api:v1:offer_list", None, public()),
    Case("api:v1:offer_detail", lambda w: {"offer_id": w.offer_a.pk}, public()),
    Case("api:v1:place_list", None, public()),
    Case("api:v1:company_self", None, public(401)),
    Case("api:v1:own_offer_list", None, public(401)),
    Case("api:v1:own_offer_create", None, public(401)),  # same path as the list: a GET lists
    Case("api:v1:own_offer_detail", lambda w: {"offer_id": w.offer_a.pk}, public(401)),
    Case("api:v1:own_offer_replace", lambda w: {"offer_id": w.offer_a.pk}, public(401)),  # GET = detail
    Case("api:v1:own_offer_update", lambda w: {"offer_id": w.offer_a.pk}, public(401)),
    Case("api:v1:own_offer_delete", lambda w: {"offer_id": w.offer_a.pk}, public(401)),
    Case("<unnamed ^api/v1/>", None, public(404), path=lambda w: "/api/v1/gibt-es-nicht"),  # JSON 404
    Case("api:tokens", lambda w: {"slug": w.company_a.slug}, only(*HOST_A)),
    Case("api:token_revoke", lambda w: {"slug": w.company_a.slug, "pk": w.api_token.pk}, POST_ONLY),
    # --- the same URLs for the other owner: B's objects are B's (the mirror of the rows above) --------------
    Case("fair:booth_manage", lambda w: {"slug": w.fair.slug, "company": w.company_b.slug},
         only("member_b", "staff"), label="fair:booth_manage-b"),
    Case("fair:company_stats", lambda w: {"slug": w.fair.slug, "company": w.company_b.slug},
         only("member_b", "staff"), label="fair:company_stats-b"),
    Case("talks:company", lambda w: {"pk": w.round.pk, "company_pk": w.company_b.pk},
         only("member_b", "staff"), label="talks:company-b"),
    Case("accounts:class_detail", lambda w: {"pk": w.c2.pk}, only("teacher_2"),
         label="accounts:class_detail-c2"),
    Case("talks:class", lambda w: {"pk": w.round.pk, "class_pk": w.c2.pk}, only("teacher_2", "staff"),
         label="talks:class-c2"),
    Case("events:ticket_qr", lambda w: {"pk": w.reg_p2.pk}, only("pupil_2", *HOST_A),
         label="events:ticket_qr-p2"),
    Case("events:class_attendance", lambda w: {"pk": w.reg_a.pk}, only("member_a", "staff"),
         label="events:class_attendance-company"),
    Case("tandem:tandem", lambda w: {"pk": w.tandem_b.pk}, only("member_b", "provider", "staff"),
         label="tandem:tandem-b"),
    # --- ids of two owners mixed in one URL: 404 for everybody, staff included ------------------------------
    Case("talks:class_pupil", lambda w: {"pk": w.round.pk, "class_pk": w.c1.pk, "pupil_pk": w.p2.pk},
         only(), label="talks:class_pupil-pupil-of-another-class"),
    Case("tandem:file", lambda w: {"pk": w.tandem.pk, "file_pk": w.attachment_b.pk},
         only(), label="tandem:file-of-another-tandem"),
    Case("tandem:offer_edit", lambda w: {"provider_pk": w.provider.pk, "pk": w.training_offer_y.pk},
         only(), label="tandem:offer_edit-of-another-provider"),
    Case("catalog:site_edit", lambda w: {"slug": w.company_b.slug, "pk": w.site_a.pk},
         only(), label="catalog:site_edit-of-another-company"),
    Case("catalog:contact_edit", lambda w: {"slug": w.company_b.slug, "pk": w.contact_a.pk},
         only(), label="catalog:contact_edit-of-another-company"),
    Case("catalog:offer_edit", lambda w: {"slug": w.company_b.slug, "pk": w.offer_a.pk},
         only(), label="catalog:offer_edit-of-another-company"),
    # --- not public yet: only who prepares it sees it (404 for everybody else, anonymous included) ----------
    Case("fair:session", lambda w: fair_kw(w, pk=w.session_draft.pk), public(404),
         label="fair:session-draft"),
    Case("live:moderate", lambda w: {"pk": w.session_draft.pk}, only(), label="live:moderate-draft"),
    Case("catalog:company", lambda w: {"slug": w.company_pending.slug}, statuses(404, staff=200),
         label="catalog:company-pending"),
    Case("api:v1:company_detail", lambda w: {"slug": w.company_pending.slug}, public(404),
         label="api:v1:company_detail-pending"),
    Case("events:detail", lambda w: {"slug": w.event_draft.slug}, statuses(404, member_a=200, staff=200),
         label="events:detail-draft"),
    Case("events:ics", lambda w: {"slug": w.event_draft.slug}, public(404), label="events:ics-draft"),
    Case("events:register", lambda w: {"slug": w.event_draft.slug}, only(), label="events:register-draft"),
    Case("events:edit", lambda w: {"slug": w.event_draft.slug}, only(*HOST_A), label="events:edit-draft"),
    Case("duels:episode", lambda w: {"season": w.season.slug, "episode": w.episode_draft.slug},
         statuses(404, staff=200), label="duels:episode-draft"),
    Case("duel_short", lambda w: {"code": w.episode_draft.short}, statuses(404, staff=302),
         label="duel_short-draft"),
    Case("talks:mine", lambda w: {"pk": w.round_draft.pk}, only(), label="talks:mine-draft"),
    Case("talks:manage", lambda w: {"pk": w.round_draft.pk}, only("staff"), label="talks:manage-draft"),
]
# fmt: on

# Left out of the matrix, each with its reason:
EXCLUDED_NAMESPACES = {
    # Django's admin under /backoffice/: staff's back office of last resort, guarded by Django's own
    # is_staff/permission checks (not this project's code).
    "admin",
}
EXCLUDED_NAMES = {
    # Django's set_language view: POST only, no data of anybody, just the language cookie.
    "set_language",
    # The API's schema and its Swagger page: the same public document for everybody, and the slowest pages to
    # build; tests/api/test_openapi.py fetches both (and tests/api/test_schema.py checks the API against it).
    "api:v1:openapi-json",
    "api:v1:openapi-view",
}
EXCLUDED_ROUTES = {
    # Uploaded public media (logos, booth PDFs) served by django.views.static in development; a proxy serves
    # /media/ in production. Private files (tandem attachments) live in PRIVATE_MEDIA_ROOT, outside this
    # route, and are served only by tandem:file, which is in the matrix.
    "media/<path:path>",
}


def _walk(resolver, prefix="", namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route, namespace
            else:
                yield f"<unnamed {route}>", route, namespace


def project_urls() -> dict[str, str]:
    """Every URL pattern of the project (name → route) but the excluded ones."""
    urls = {}
    for name, route, namespace in _walk(get_resolver()):
        top = (namespace or "").split(":")[0]
        if top in EXCLUDED_NAMESPACES or name in EXCLUDED_NAMES or route in EXCLUDED_ROUTES:
            continue
        urls[name] = route
    return urls


def test_every_url_is_in_the_matrix():
    covered = {case.name for case in CASES}
    missing = {name: route for name, route in project_urls().items() if name not in covered}
    assert not missing, (
        "URLs without an entry in tests/test_permission_matrix.py CASES (add how to fill their arguments "
        "and the expected status per role): "
        + ", ".join(f"{name} (/{route})" for name, route in sorted(missing.items()))
    )
    stale = covered - set(project_urls())
    assert not stale, f"CASES lists URLs that no longer exist: {sorted(stale)}"
    every = list(_walk(get_resolver()))
    gone = (EXCLUDED_NAMES - {name for name, _route, _ns in every}) | (
        EXCLUDED_ROUTES - {route for _name, route, _ns in every}
    )
    assert not gone, f"exclusions of URLs that no longer exist: {sorted(gone)}"


def test_every_case_names_every_role():
    for case in CASES:
        assert set(case.expected) == set(ROLES), case.id
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), "two cases of one URL need different labels"


# ------------------------------------------------------------------------------------------------- the world


def build_world() -> SimpleNamespace:
    """Owner pairs and one object of each kind; small, built with the factories and services."""
    from einblick.accounts.models import ParentalConsent
    from einblick.api import services as api_services
    from einblick.catalog.models import Company, Invitation
    from einblick.duels.models import Challenge, ClassGame, Contestant, Episode, LeaderboardEntry, Season
    from einblick.events.models import Event, Registration
    from einblick.fair import selectors as fair_selectors
    from einblick.fair import services as fair_services
    from einblick.fair.models import Session, SessionRequest
    from einblick.orientation import tokens
    from einblick.orientation.models import InterestResult
    from einblick.talks.models import Talk, TalkOffer, TalkRound
    from einblick.tandem import services as tandem_services
    from einblick.tandem.models import Provider, Tandem, Topic, TrainingOffer
    from tests.factories import (
        CompanyFactory,
        ContactFactory,
        EventFactory,
        FieldFactory,
        MembershipFactory,
        OfferFactory,
        ProfessionFactory,
        PupilFactory,
        SchoolClassFactory,
        SiteFactory,
        StaffFactory,
        TeacherFactory,
        UserFactory,
    )
    from tests.fair.support import make_fair, make_session, pdf_upload

    w = SimpleNamespace()
    now = timezone.now()

    # people and their owners
    w.t1, w.t2 = TeacherFactory(), TeacherFactory(first_name="Jan", last_name="Oltmanns")
    w.c1, w.c2 = SchoolClassFactory(teacher=w.t1, name="8a"), SchoolClassFactory(teacher=w.t2, name="9b")
    w.p1 = PupilFactory(nickname="Lea", school_class=w.c1, school=w.c1.school, consent_age_declared_at=now)
    w.p2 = PupilFactory(nickname="Tom", school_class=w.c2, school=w.c2.school, consent_age_declared_at=now)
    field_ = FieldFactory()
    names = ["Mechatroniker:in", "Industriemechaniker:in", "Metallbauer:in", "Tischler:in"]
    professions = [ProfessionFactory(name=name, field=field_) for name in names]
    w.profession = professions[0]
    w.company_a = CompanyFactory(name="Meyer Maschinenbau GmbH", slug="meyer")
    w.company_a.professions.add(w.profession)
    w.company_b = CompanyFactory(name="Tischlerei Brink", slug="brink")
    w.member_a = MembershipFactory(company=w.company_a, user__email="ausbildung@meyer.example").user
    w.member_b = MembershipFactory(company=w.company_b, user__email="ausbildung@brink.example").user
    w.site_a = SiteFactory(company=w.company_a)
    SiteFactory(company=w.company_b)
    w.contact_a = ContactFactory(company=w.company_a)
    w.offer_a = OfferFactory(
        site=w.site_a, profession=w.profession, apply_url="https://example.org/bewerbung"
    )
    w.invitation = Invitation.objects.create(
        company=w.company_a, email="neu@meyer.example", invited_by=w.member_a
    )
    w.api_token, _plain = api_services.api_token_create(
        company=w.company_a, name="Bewerber", created_by=w.member_a
    )
    w.company_pending = CompanyFactory(name="Neu & Co. KG", slug="neu", status=Company.Status.PENDING)
    w.staff = StaffFactory()
    w.provider_user = UserFactory(is_provider=True, email="kurse@bildungswerk.example")
    w.consent = ParentalConsent.objects.create(
        pupil=w.p2, purpose="events.event.1", label="Werkstattbesuch", parent_email="eltern@example.org"
    )

    # interest check
    profile = {"R": 80, "I": 60, "A": 20, "S": 30, "E": 40, "C": 50}
    w.result_token = tokens.result_token(profile)
    w.result_p1 = InterestResult.objects.create(user=w.p1, **{k.lower(): v for k, v in profile.items()})

    # fair: running now, A's booth and live session, A's session request, P1's agenda
    w.fair = make_fair()
    w.session = make_session(w.fair, minutes=-10, length=60, company=w.company_a)
    w.session_draft = make_session(w.fair, minutes=120, company=w.company_a, status=Session.Status.DRAFT)
    w.exhibitor = fair_services.exhibitor_add(fair=w.fair, company=w.company_a, intro="Willkommen!")
    fair_services.exhibitor_add(fair=w.fair, company=w.company_b)
    w.material = fair_services.booth_material_add(exhibitor=w.exhibitor, title="Flyer", file=pdf_upload())
    w.question = fair_services.booth_question_ask(exhibitor=w.exhibitor, nickname="Mia", text="Wie lange?")
    w.session_request = SessionRequest.objects.create(
        fair=w.fair, company=w.company_a, title="Roboter live", duration_minutes=30
    )
    fair_services.agenda_add(user=w.p1, session=w.session)
    w.feed_token = fair_selectors.agenda_feed_token(fair_services.agenda_feed_get(user=w.p1))

    # talks: a published round with P1's talk at A; an open round in which A edits its offer
    w.round = TalkRound.objects.create(
        title="Speed-Dating Ausbildung",
        wish_deadline=now - timedelta(days=1),
        first_slot_at=now + timedelta(days=2),
        n_slots=4,
        status=TalkRound.Status.PUBLISHED,
    )
    w.talk_offer = TalkOffer.objects.create(round=w.round, company=w.company_a, table="T1")
    TalkOffer.objects.create(round=w.round, company=w.company_b, table="T2")
    w.talk = Talk.objects.create(round=w.round, offer=w.talk_offer, pupil=w.p1, slot=0)
    w.round_open = TalkRound.objects.create(
        title="Speed-Dating Frühjahr",
        wish_deadline=now + timedelta(days=5),
        first_slot_at=now + timedelta(days=9),
        status=TalkRound.Status.OPEN,
    )
    TalkOffer.objects.create(round=w.round_open, company=w.company_a)
    w.round_draft = TalkRound.objects.create(
        title="Speed-Dating Sommer",
        wish_deadline=now + timedelta(days=30),
        first_slot_at=now + timedelta(days=40),
    )

    # events: A hosts a visit; P1 (checked in), P2 and class C1 (checked in) registered; A at a seminar
    w.event = EventFactory(hosts=[w.company_a])
    confirmed = Registration.Status.CONFIRMED
    w.reg_p1 = Registration.objects.create(
        event=w.event, pupil=w.p1, status=confirmed, confirmed_at=now, checked_in_at=now
    )
    w.reg_p2 = Registration.objects.create(event=w.event, pupil=w.p2, status=confirmed, confirmed_at=now)
    w.reg_c1 = Registration.objects.create(
        event=w.event,
        teacher=w.t1,
        school_class=w.c1,
        places=5,
        names="Lea\nMats",
        status=confirmed,
        confirmed_at=now,
        checked_in_at=now,
        attended=4,
    )
    w.event_draft = EventFactory(hosts=[w.company_a], status=Event.Status.DRAFT, title="Entwurf")
    w.seminar = EventFactory(kind=Event.Kind.SEMINAR, audience=Event.Audience.COMPANIES, title="Azubi-Videos")
    w.reg_a = Registration.objects.create(
        event=w.seminar, teacher=w.member_a, company=w.company_a, places=2, status=confirmed, confirmed_at=now
    )

    # duels: a published episode with a challenge at A, a class game of T1, a leaderboard entry
    w.season = Season.objects.create(title="Staffel 1", slug="staffel-1")
    w.episode = Episode.objects.create(
        season=w.season, number=1, title="Folge 1", slug="folge-1", publish_at=now - timedelta(days=1)
    )
    Contestant.objects.create(episode=w.episode, order=0, name="Lena")
    Contestant.objects.create(episode=w.episode, order=1, name="Ole")
    w.challenge = Challenge.objects.create(
        episode=w.episode,
        task="Baue das Teil",
        apprentice="Jannik",
        company=w.company_a,
        profession=w.profession,
    )
    w.challenge.decoys.set(professions[1:])
    w.episode_draft = Episode.objects.create(season=w.season, number=2, title="Folge 2", slug="folge-2")
    w.game = ClassGame.objects.create(teacher=w.t1, episode=w.episode, code="KLASSE")
    w.leaderboard_entry = LeaderboardEntry.objects.create(season=w.season, visitor="v" * 20, nickname="Mia")

    # tandem: provider X; a tandem of A's need with X's offer (with A's file); B's need in a tandem of its own
    topic = Topic.objects.create(name="Eigene Videos drehen", parent=Topic.objects.create(name="Recruiting"))
    w.provider = Provider.objects.create(name="Bildungswerk", radius_km=80)
    w.provider.members.add(w.provider_user)
    w.training_offer = TrainingOffer.objects.create(
        provider=w.provider, title="Azubi-Videos", formats=["online"], price_eur=0, capacity=10
    )
    w.training_offer.topics.set([topic])
    w.training_offer_y = TrainingOffer.objects.create(
        provider=Provider.objects.create(name="Handwerkskammer"), title="Prüfung online", formats=["online"]
    )
    need = {"topics": [topic], "audience": ["trainers"], "people": 2, "formats": ["online"], "budget": "free"}
    w.need_a = tandem_services.need_create(company=w.company_a, user=w.member_a, **need)
    w.need_b = tandem_services.need_create(company=w.company_b, user=w.member_b, **need)
    w.tandem = Tandem.objects.create(need=w.need_a, offer=w.training_offer, confirmed_by=w.staff)
    w.tandem_b = Tandem.objects.create(need=w.need_b, offer=w.training_offer, confirmed_by=w.staff)
    w.attachment = tandem_services.attachment_add(
        tandem=w.tandem, upload=pdf_upload("plan.pdf"), by=w.member_a
    )
    w.attachment_b = tandem_services.attachment_add(
        tandem=w.tandem_b, upload=pdf_upload("brink.pdf"), by=w.member_b
    )

    w.users = {
        "anonymous": None,
        "pupil": w.p1,
        "pupil_2": w.p2,
        "teacher": w.t1,
        "teacher_2": w.t2,
        "member_a": w.member_a,
        "member_b": w.member_b,
        "provider": w.provider_user,
        "staff": w.staff,
    }
    w.sessions = {role: _session_for(user) for role, user in w.users.items() if user is not None}
    return w


def _session_for(user) -> str:
    """A logged-in session made once per module (``force_login`` in every test costs a third of the time)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One world per module (and xdist worker), rolled back at the end; each test runs in a savepoint."""
    from django.utils import translation

    with django_db_blocker.unblock(), translation.override("de"):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _client(client, world, role):
    from django.conf import settings

    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def _check(response, expected, url):
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("accounts:login") + "?next="), response["Location"]
    else:
        assert response.status_code == expected, f"{url}: got {response.status_code}, expected {expected}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_get(db, world, client, case, role):
    url = case.url(world)
    response = _client(client, world, role).get(url, HTTP_USER_AGENT="Mozilla/5.0 (permission matrix)")
    _check(response, case.expected[role], url)


# ---------------------------------------------------------------------------------- writes as the wrong role


@dataclass(frozen=True)
class Write:
    label: str
    role: str
    name: str
    args: Callable
    data: Callable = lambda w: {}
    unchanged: Callable = lambda w: True  # world -> True if the object is as before
    expected: int = 404


def _reg_status(w, reg):
    reg.refresh_from_db()
    return reg.status


def _exists(model_instance) -> bool:
    return type(model_instance).objects.filter(pk=model_instance.pk).exists()


WRITES = [
    Write(
        "cancel another pupil's event registration",
        "pupil_2",
        "events:cancel",
        lambda w: {"pk": w.reg_p1.pk},
        unchanged=lambda w: _reg_status(w, w.reg_p1) == "confirmed",
    ),
    Write(
        "cancel another teacher's class registration",
        "teacher_2",
        "events:cancel",
        lambda w: {"pk": w.reg_c1.pk},
        unchanged=lambda w: _reg_status(w, w.reg_c1) == "confirmed",
    ),
    Write(
        "cancel another company's seminar registration",
        "member_b",
        "events:cancel",
        lambda w: {"pk": w.reg_a.pk},
        unchanged=lambda w: _reg_status(w, w.reg_a) == "confirmed",
    ),
    Write(
        "cancel a pupil's registration as the host (staff and the pupil only)",
        "member_a",
        "events:cancel",
        lambda w: {"pk": w.reg_p1.pk},
        unchanged=lambda w: _reg_status(w, w.reg_p1) == "confirmed",
    ),
    Write(
        "confirm another pupil's registration",
        "pupil_2",
        "events:confirm",
        lambda w: {"pk": w.reg_p1.pk},
        unchanged=lambda w: _reg_status(w, w.reg_p1) == "confirmed",
    ),
    Write(
        "edit another class's group",
        "teacher_2",
        "events:group",
        lambda w: {"pk": w.reg_c1.pk},
        data=lambda w: {"places": 1, "names": "X"},
        unchanged=lambda w: type(w.reg_c1).objects.get(pk=w.reg_c1.pk).places == 5,
    ),
    Write(
        "check in at another host's event (JSON)",
        "member_b",
        "events:checkin_api",
        lambda w: {"slug": w.event.slug},
        data=lambda w: {"code": w.reg_p2.ticket},
        unchanged=lambda w: type(w.reg_p2).objects.get(pk=w.reg_p2.pk).checked_in_at is None,
    ),
    Write(
        "check in at another host's event (form)",
        "member_b",
        "events:checkin",
        lambda w: {"slug": w.event.slug},
        data=lambda w: {"code": w.reg_p2.ticket},
        unchanged=lambda w: type(w.reg_p2).objects.get(pk=w.reg_p2.pk).checked_in_at is None,
    ),
    Write(
        "undo a check-in at another host's event",
        "member_b",
        "events:checkin_undo",
        lambda w: {"pk": w.reg_p1.pk},
        unchanged=lambda w: type(w.reg_p1).objects.get(pk=w.reg_p1.pk).checked_in_at is not None,
    ),
    Write(
        "edit another host's event",
        "member_b",
        "events:edit",
        lambda w: {"slug": w.event.slug},
        data=lambda w: {"title": "Gekapert"},
        unchanged=lambda w: type(w.event).objects.get(pk=w.event.pk).title == w.event.title,
    ),
    Write(
        "ask for an offer for another company's need",
        "member_b",
        "tandem:request",
        lambda w: {"need_pk": w.need_a.pk},
        data=lambda w: {"offer": w.training_offer.pk},
        unchanged=lambda w: w.need_a.tandems.count() == 1,
    ),
    Write(
        "confirm a tandem (staff only)",
        "member_a",
        "tandem:confirm",
        lambda w: {},
        data=lambda w: {"need": w.need_b.pk, "offer": w.training_offer.pk},
        unchanged=lambda w: w.need_b.tandems.count() == 1,
    ),
    Write(
        "delete a file of another company's tandem",
        "member_b",
        "tandem:tandem",
        lambda w: {"pk": w.tandem.pk},
        data=lambda w: {"action": "delete_file", "file": w.attachment.pk},
        unchanged=lambda w: _exists(w.attachment),
    ),
    Write(
        "delete another tandem's file through one's own tandem",
        "member_a",
        "tandem:tandem",
        lambda w: {"pk": w.tandem.pk},
        data=lambda w: {"action": "delete_file", "file": w.attachment_b.pk},
        unchanged=lambda w: _exists(w.attachment_b),
    ),
    Write(
        "change the status of another company's tandem",
        "member_b",
        "tandem:tandem",
        lambda w: {"pk": w.tandem.pk},
        data=lambda w: {"action": "status", "status": "dropped", "goals": "", "outcome": ""},
        unchanged=lambda w: type(w.tandem).objects.get(pk=w.tandem.pk).status == w.tandem.status,
    ),
    Write(
        "edit another provider's offer",
        "member_a",
        "tandem:offer_edit",
        lambda w: {"provider_pk": w.provider.pk, "pk": w.training_offer.pk},
        data=lambda w: {"title": "Gekapert"},
        unchanged=lambda w: (
            type(w.training_offer).objects.get(pk=w.training_offer.pk).title == "Azubi-Videos"
        ),
    ),
    Write(
        "edit another company's offer",
        "member_b",
        "catalog:offer_edit",
        lambda w: {"slug": w.company_a.slug, "pk": w.offer_a.pk},
        data=lambda w: {"places": 99, "description": "Gekapert"},
        unchanged=lambda w: type(w.offer_a).objects.get(pk=w.offer_a.pk).places == w.offer_a.places,
    ),
    Write(
        "edit another company's offer through one's own company",
        "member_b",
        "catalog:offer_edit",
        lambda w: {"slug": w.company_b.slug, "pk": w.offer_a.pk},
        data=lambda w: {"places": 99, "description": "Gekapert"},
        unchanged=lambda w: type(w.offer_a).objects.get(pk=w.offer_a.pk).places == w.offer_a.places,
    ),
    Write(
        "delete another company's offer",
        "member_b",
        "catalog:offer_delete",
        lambda w: {"slug": w.company_a.slug, "pk": w.offer_a.pk},
        unchanged=lambda w: _exists(w.offer_a),
    ),
    Write(
        "edit another company's profile",
        "member_b",
        "catalog:company_edit",
        lambda w: {"slug": w.company_a.slug},
        data=lambda w: {"name": "Gekapert"},
        unchanged=lambda w: type(w.company_a).objects.get(pk=w.company_a.pk).name == w.company_a.name,
    ),
    Write(
        "revoke another company's API key",
        "member_b",
        "api:token_revoke",
        lambda w: {"slug": w.company_a.slug, "pk": w.api_token.pk},
        unchanged=lambda w: type(w.api_token).objects.get(pk=w.api_token.pk).revoked_at is None,
    ),
    Write(
        "approve a company (staff only)",
        "member_a",
        "catalog:staff_company_decide",
        lambda w: {"slug": w.company_a.slug, "action": "hide"},
        data=lambda w: {"reason": "x"},
        unchanged=lambda w: type(w.company_a).objects.get(pk=w.company_a.pk).status == "approved",
    ),
    Write(
        "revoke another company's API key through one's own company",
        "member_b",
        "api:token_revoke",
        lambda w: {"slug": w.company_b.slug, "pk": w.api_token.pk},
        unchanged=lambda w: type(w.api_token).objects.get(pk=w.api_token.pk).revoked_at is None,
    ),
    Write(
        "delete another company's booth material through one's own booth",
        "member_b",
        "fair:booth_material_delete",
        lambda w: {"slug": w.fair.slug, "company": w.company_b.slug, "pk": w.material.pk},
        unchanged=lambda w: _exists(w.material),
    ),
    Write(
        "withdraw another company's session request through one's own company",
        "member_b",
        "fair:request_withdraw",
        lambda w: {"slug": w.fair.slug, "company": w.company_b.slug, "pk": w.session_request.pk},
        unchanged=lambda w: type(w.session_request).objects.get(pk=w.session_request.pk).status == "open",
    ),
    Write(
        "delete another company's booth material",
        "member_b",
        "fair:booth_material_delete",
        lambda w: booth_kw(w, pk=w.material.pk),
        unchanged=lambda w: _exists(w.material),
    ),
    Write(
        "hide a question at another company's booth",
        "member_b",
        "fair:booth_question_hide",
        lambda w: booth_kw(w, pk=w.question.pk),
        unchanged=lambda w: type(w.question).objects.get(pk=w.question.pk).status == w.question.status,
    ),
    Write(
        "withdraw another company's session request",
        "member_b",
        "fair:request_withdraw",
        lambda w: booth_kw(w, pk=w.session_request.pk),
        unchanged=lambda w: type(w.session_request).objects.get(pk=w.session_request.pk).status == "open",
    ),
    Write(
        "moderate another company's live Q&A",
        "member_b",
        "live:moderate_action",
        lambda w: {"pk": w.session.pk},
        data=lambda w: {"command": "ban", "question": "1"},
    ),
    Write(
        "cancel another pupil's talk",
        "pupil_2",
        "talks:cancel",
        lambda w: {"talk_pk": w.talk.pk},
        unchanged=lambda w: type(w.talk).objects.get(pk=w.talk.pk).status == "booked",
    ),
    Write(
        "mark attendance of another company's talk",
        "member_b",
        "talks:attendance",
        lambda w: {"talk_pk": w.talk.pk},
        data=lambda w: {"attended": "1"},
        unchanged=lambda w: type(w.talk).objects.get(pk=w.talk.pk).status == "booked",
    ),
    Write(
        "enter wishes for a pupil of another class",
        "teacher_2",
        "talks:class_pupil",
        lambda w: {"pk": w.round_open.pk, "class_pk": w.c1.pk, "pupil_pk": w.p1.pk},
        data=lambda w: {"wish_0": f"c{w.company_a.pk}"},
        unchanged=lambda w: not w.p1.talk_wishes.exists(),
    ),
    Write(
        "renew another teacher's class code",
        "teacher_2",
        "accounts:class_code_renew",
        lambda w: {"pk": w.c1.pk},
        unchanged=lambda w: type(w.c1).objects.get(pk=w.c1.pk).code == w.c1.code,
    ),
    Write(
        "withdraw another pupil's parental consent",
        "pupil",
        "accounts:consent_withdraw",
        lambda w: {"pk": w.consent.pk},
        unchanged=lambda w: type(w.consent).objects.get(pk=w.consent.pk).declined_at is None,
    ),
    Write(
        "share another pupil's interest result",
        "pupil_2",
        "orientation:result_share",
        lambda w: {"pk": w.result_p1.pk},
        data=lambda w: {"share": "1"},
        unchanged=lambda w: not type(w.result_p1).objects.get(pk=w.result_p1.pk).shared_with_teacher,
    ),
    Write(
        "end another teacher's class game",
        "teacher_2",
        "duels:game_close",
        lambda w: {"code": w.game.code},
        unchanged=lambda w: type(w.game).objects.get(pk=w.game.pk).closed_at is None,
    ),
    Write(
        "set a reminder for a session not on one's agenda",
        "pupil_2",
        "fair:agenda_remind",
        lambda w: fair_kw(w, pk=w.session.pk),
        data=lambda w: {"remind": "1"},
    ),
]


@pytest.mark.parametrize("write", WRITES, ids=[f"{w.label} ({w.role})" for w in WRITES])
def test_write_as_the_wrong_role(db, world, client, write):
    url = reverse(write.name, kwargs=write.args(world))
    response = _client(client, world, write.role).post(url, write.data(world))
    assert response.status_code == write.expected, (
        f"{url}: got {response.status_code}, expected {write.expected}"
    )
    assert write.unchanged(world), f"{write.label}: the object changed"
