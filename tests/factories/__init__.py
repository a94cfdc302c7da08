"""factory_boy factories with realistic German defaults (towns of the demo region, real professions)."""

from datetime import timedelta

import factory
from django.utils import timezone

from einblick.accounts.models import School, SchoolClass, User
from einblick.catalog import search
from einblick.catalog.models import Company, CompanyMembership, Contact, Field, Offer, Place, Profession, Site

PASSWORD = "geheim-123"

TOWNS = [
    ("26871", "Papenburg", "Landkreis Emsland", "03454", 53.0833, 7.4),
    ("49716", "Meppen", "Landkreis Emsland", "03454", 52.6906, 7.291),
    ("26789", "Leer (Ostfriesland)", "Landkreis Leer", "03457", 53.2313, 7.461),
    ("48529", "Nordhorn", "Landkreis Grafschaft Bentheim", "03456", 52.4319, 7.0678),
    ("26725", "Emden", "Emden, Stadt", "03402", 53.3594, 7.2059),
    ("26603", "Aurich", "Landkreis Aurich", "03452", 53.4716, 7.4836),
]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"nutzer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    nickname = factory.Faker("first_name", locale="de_DE")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PupilFactory(UserFactory):
    is_pupil = True
    school_year = 8


class StaffFactory(UserFactory):
    is_staff = True


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        django_get_or_create = ("plz", "name")

    plz, name, district, district_code, latitude, longitude = TOWNS[0]
    state = "Niedersachsen"

    @classmethod
    def town(cls, index: int) -> Place:
        plz, name, district, code, lat, lon = TOWNS[index]
        return cls(plz=plz, name=name, district=district, district_code=code, latitude=lat, longitude=lon)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Oberschule Nr. {n}")
    place = factory.SubFactory(PlaceFactory)


class TeacherFactory(UserFactory):
    is_teacher = True
    first_name = "Imke"
    last_name = "Saathoff"
    school = factory.SubFactory(SchoolFactory)


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    teacher = factory.SubFactory(TeacherFactory)
    school = factory.LazyAttribute(lambda c: c.teacher.school)
    name = factory.Sequence(lambda n: f"8{chr(97 + n % 26)}{n}")
    school_year = 8


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("slug",)

    slug = "metall-maschinenbau"
    name = "Metall, Maschinenbau"
    name_en = "Metal, mechanical engineering"


class ProfessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profession
        django_get_or_create = ("name",)

    name = factory.Iterator(["Mechatroniker:in", "Industriemechaniker:in", "Metallbauer:in", "Tischler:in"])
    slug = factory.LazyAttribute(lambda p: search.normalise(p.name).replace(" ", "-"))
    name_en = "Mechatronics technician"
    field = factory.SubFactory(FieldFactory)
    duration_months = 42
    law = "BBiG"
    description = "Du baust und reparierst Maschinen. Du suchst Fehler und behebst sie."
    r, i, a, s, e, c = 5, 3, 1, 1, 1, 2
    search_text = factory.LazyAttribute(lambda p: search.document(search.gender_forms(p.name)))


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Demo Metallbau {n} GmbH")
    slug = factory.Sequence(lambda n: f"demo-metallbau-{n}")
    profile = "Wir sind ein Familienbetrieb im Emsland."
    sector = "Metallbau"
    status = Company.Status.APPROVED
    search_text = factory.LazyAttribute(lambda c: search.document(c.name, c.sector))


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    company = factory.SubFactory(CompanyFactory)
    street = "Hauptstraße 1"
    place = factory.SubFactory(PlaceFactory)
    latitude = factory.LazyAttribute(lambda s: s.place.latitude)
    longitude = factory.LazyAttribute(lambda s: s.place.longitude)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    company = factory.SubFactory(CompanyFactory)
    name = "Anke Janssen"
    role = "Ausbildungsleitung"
    email = "ausbildung@example.org"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyMembership

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    site = factory.SubFactory(SiteFactory)
    company = factory.LazyAttribute(lambda o: o.site.company)
    profession = factory.SubFactory(ProfessionFactory)
    kind = Offer.Kind.APPRENTICESHIP
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=200))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    places = 2
    description = "Starte bei uns deine Ausbildung."
    apply_email = "bewerbung@example.org"


class EventFactory(factory.django.DjangoModelFactory):
    """A published company visit next week, registration open now, 12 places."""

    class Meta:
        model = "events.Event"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Werkstattbesuch Nr. {n}")
    slug = factory.Sequence(lambda n: f"werkstattbesuch-{n}")
    description = "Ein Vormittag in der Werkstatt: zuschauen, mitmachen, Fragen stellen."
    kind = "visit"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(hours=3))
    place = factory.SubFactory(PlaceFactory)
    address = "Industriestraße 4"
    latitude = 53.37
    longitude = 7.21
    capacity = 12
    grade_min = 7
    grade_max = 10
    registration_opens = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    registration_closes = factory.LazyAttribute(lambda e: e.starts_at - timedelta(days=1))
    cancel_until = factory.LazyAttribute(lambda e: e.starts_at - timedelta(days=2))
    status = "published"

    @factory.post_generation
    def hosts(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.hosts.set(extracted)
