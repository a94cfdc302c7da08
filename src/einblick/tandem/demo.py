"""Demo data of the Digital-Tandem (called by ``core.demo``): the topic taxonomy, providers with offers, needs of
demo companies (one shared by several companies that no offer covers), two tandems."""

from datetime import timedelta

from django.utils import timezone

from .models import Need, Note, Provider, Step, Tandem, Topic, TrainingOffer

TAXONOMY = {
    "Digitales Recruiting": [
        "Eigene Videos drehen",
        "Social Media für Ausbildung",
        "Online-Bewerbung einrichten",
    ],
    "Digitales Onboarding": ["Onboarding-App und Lernpfade", "Erste Woche digital planen"],
    "Digitales Berichtsheft": ["Berichtsheft online führen"],
    "Prüfungsvorbereitung": ["Online-Prüfungsvorbereitung"],
    "Ausstattung": ["Kamera, Licht und Ton", "Videokonferenzen sicher nutzen"],
}


def tandem_demo_build(*, companies: list, provider_user, staff, now=None) -> list[Tandem]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    topics = {}
    for parent_name, children in TAXONOMY.items():
        parent = Topic.objects.create(name=parent_name)
        for child in children:
            topics[child] = Topic.objects.create(name=child, parent=parent)
    place = companies[0].sites.first().place if companies[0].sites.exists() else None
    bildung = Provider.objects.create(
        name="Bildungswerk Ems (Demo)", kind=Provider.Kind.PROVIDER, place=place, radius_km=60
    )
    bildung.members.add(provider_user)
    ihk = Provider.objects.create(
        name="Kammer-Akademie (Demo)", kind=Provider.Kind.CHAMBER, place=place, radius_km=100
    )
    mentor = Provider.objects.create(
        name=f"{companies[3].name} (Mentor)",
        kind=Provider.Kind.MENTOR,
        place=place,
        radius_km=30,
        company=companies[3],
    )

    def offer(provider, title, kind, names, formats, price, days=None, capacity=12):
        o = TrainingOffer.objects.create(
            provider=provider,
            title=title,
            kind=kind,
            formats=formats,
            price_eur=price,
            capacity=capacity,
            starts=today + timedelta(days=days) if days else None,
            dates="" if days else "auf Anfrage",
            description=f"{title}: praxisnah, in kleinen Gruppen. (Demo)",
        )
        o.topics.set([topics[n] for n in names])
        return o

    videos = offer(
        bildung,
        "Azubi-Videos mit dem Smartphone",
        TrainingOffer.Kind.SEMINAR,
        ["Eigene Videos drehen", "Kamera, Licht und Ton"],
        ["online", "onsite"],
        90,
        days=21,
    )
    offer(
        ihk,
        "Social Media für Ausbildungsbetriebe",
        TrainingOffer.Kind.COURSE,
        ["Social Media für Ausbildung"],
        ["online"],
        0,
        days=14,
        capacity=30,
    )
    offer(
        ihk,
        "Das digitale Berichtsheft einführen",
        TrainingOffer.Kind.SEMINAR,
        ["Berichtsheft online führen"],
        ["online"],
        0,
        days=28,
        capacity=40,
    )
    mentoring = offer(
        mentor,
        "Mentoring: Onboarding digital planen",
        TrainingOffer.Kind.MENTORING,
        ["Erste Woche digital planen"],
        ["inhouse", "onsite"],
        0,
    )

    def need(company, names, formats, people=2, budget="free", text=""):
        n = Need.objects.create(
            company=company,
            audience=["trainers"],
            people=people,
            formats=formats,
            budget=budget,
            text=text,
            start=today,
            end=today + timedelta(days=120),
            equipment=["laptop"],
        )
        n.topics.set([topics[x] for x in names])
        return n

    first = need(
        companies[0],
        ["Eigene Videos drehen"],
        ["online", "onsite"],
        budget="low",
        text="Wir wollen zeigen, wie die Ausbildung bei uns aussieht.",
    )
    second = need(companies[1], ["Erste Woche digital planen"], ["inhouse"])
    need(companies[2], ["Social Media für Ausbildung"], ["online"], people=1)
    # no offer covers the online exam preparation: a cluster of several companies
    for company in companies[4:8]:
        need(company, ["Online-Prüfungsvorbereitung"], ["online"], people=3)
    tandems = [
        Tandem.objects.create(
            need=first,
            offer=videos,
            status=Tandem.Status.RUNNING,
            confirmed_by=staff,
            goals="Zwei kurze Videos für die Karriereseite.",
        ),
        Tandem.objects.create(need=second, offer=mentoring, status=Tandem.Status.PLANNED, confirmed_by=staff),
    ]
    Need.objects.filter(pk__in=[first.pk, second.pk]).update(status=Need.Status.MATCHED)
    running = tandems[0]
    Step.objects.create(
        tandem=running,
        title="Drehplan für das erste Video schreiben",
        due=today - timedelta(days=7),
        done_at=now - timedelta(days=8),
    )
    Step.objects.create(
        tandem=running, title="Erstes Video drehen und schneiden", due=today + timedelta(days=10)
    )
    Note.objects.create(
        tandem=running,
        author=staff,
        met_on=today - timedelta(days=14),
        text="Auftakt: zwei Videos (Werkstatt, Azubi-Alltag), Smartphone und Ansteckmikrofon sind vorhanden.",
    )
    videos.event = _seminar(videos, now)
    videos.save(update_fields=["event"])
    return tandems


def _seminar(offer, now):
    """The online date of the video seminar: an event for the staff of member companies with 12 places."""
    from einblick.events.models import Event

    starts = timezone.localtime(now).replace(hour=14, minute=0, second=0, microsecond=0) + timedelta(days=21)
    return Event.objects.create(
        kind=Event.Kind.SEMINAR,
        audience=Event.Audience.COMPANIES,
        title="Online-Seminar: Azubi-Videos mit dem Smartphone",
        slug="online-seminar-azubi-videos",
        description=(
            "Zwei Stunden online: Wie Ihr Betrieb mit dem Smartphone kurze Videos über die Ausbildung dreht – "
            "Drehplan, Licht, Ton, Schnitt und Veröffentlichung. Für Ausbilderinnen, Ausbilder und Azubis. (Demo)"
        ),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=12,
        join_url="https://meet.jit.si/Einblick-Demo-Azubi-Videos",
        materials_before="Bitte vorher ein Smartphone mit freiem Speicher bereitlegen. Checkliste folgt per E-Mail.",
        registration_opens=now - timedelta(days=7),
        registration_closes=starts - timedelta(days=1),
        cancel_until=starts - timedelta(days=2),
        school_event=False,
        status=Event.Status.PUBLISHED,
    )
