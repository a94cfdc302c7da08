"""Demo data of the booths, agendas and statistics (issue #4): booth visits on the days already open, answered and
open booth questions, anonymous agenda adds, and the demo pupil's agenda with an overlap. Deterministic (own seed,
so the rest of the demo stays as it is)."""

import random
from datetime import timedelta

from django.utils import timezone

from .models import AgendaItem, BoothQuestion, BoothVisit, Fair, Session, SessionCounter

QUESTIONS = [
    (
        "Finn",
        "Muss ich für die Ausbildung gut in Mathe sein?",
        "Grundrechnen und Prozentrechnung reichen für den Anfang – den Rest lernst du bei uns Schritt für Schritt.",
    ),
    (
        "Mira",
        "Kann ich vorher ein Praktikum machen?",
        "Ja, gern! Schreib uns einfach, wann deine Praktikumszeit in der Schule ist.",
    ),
    (
        "Jonas",
        "Wie viel verdiene ich im ersten Lehrjahr?",
        "Im ersten Jahr zahlen wir nach Tarif – die genauen Beträge stehen in unseren Angeboten.",
    ),
]
OPEN_QUESTIONS = [
    ("Lina", "Gibt es bei euch auch einen Tag der offenen Tür?"),
    ("Ole", "Wie komme ich ohne Auto zu euch?"),
]


def booths_demo_build(*, fair: Fair, now=None) -> None:
    rng = random.Random(55)
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_days = sorted({day.date for day in fair.days.all() if day.starts_at <= now})
    exhibitors = list(fair.exhibitors.select_related("company").order_by("company__name"))
    visits = []
    for exhibitor in exhibitors:
        for day in open_days:
            visits.append(
                BoothVisit(
                    exhibitor=exhibitor,
                    day=day,
                    count=rng.randint(3, 40) if day == today else rng.randint(15, 140),
                )
            )
    BoothVisit.objects.bulk_create(visits)
    for index, exhibitor in enumerate(exhibitors[::3]):
        nickname, text, answer = QUESTIONS[index % len(QUESTIONS)]
        BoothQuestion.objects.create(
            exhibitor=exhibitor,
            nickname=nickname,
            text=text,
            answer=answer,
            answer_public=True,
            status=BoothQuestion.Status.ANSWERED,
            answered_at=now - timedelta(hours=rng.randint(1, 20)),
        )
        nickname, text = OPEN_QUESTIONS[index % len(OPEN_QUESTIONS)]
        BoothQuestion.objects.create(exhibitor=exhibitor, nickname=nickname, text=text)
    sessions = list(
        Session.objects.filter(fair=fair, status=Session.Status.PUBLISHED).order_by("starts_at", "id")
    )
    SessionCounter.objects.bulk_create(
        [SessionCounter(session=s, agenda_adds=rng.randint(0, 25)) for s in sessions if rng.random() < 0.6]
    )
    from einblick.accounts.models import User

    pupil = User.objects.filter(username="schueler").first()
    upcoming = [s for s in sessions if s.starts_at > now + timedelta(minutes=30)]
    if pupil and len(upcoming) >= 3:
        first = upcoming[0]
        overlapping = next((s for s in upcoming[1:] if s.starts_at < first.ends_at), upcoming[1])
        later = next((s for s in upcoming if s.starts_at >= first.ends_at + timedelta(hours=1)), None)
        for session in (first, overlapping, later):
            if session is not None:
                AgendaItem.objects.get_or_create(user=pupil, session=session)
