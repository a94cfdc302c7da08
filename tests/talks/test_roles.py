"""Who may see and do what on the talk pages (views: pupil, company, teacher, manage), and the role journeys:
a teacher entering wishes for the class, the consent rule for young pupils, the plan PDF, the company's talk list
with attendance, the waiting list buttons."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from einblick.accounts.models import ParentalConsent
from einblick.catalog.models import CompanyMembership
from einblick.talks import services
from einblick.talks.models import Talk, TalkParticipant, TalkRound, TalkWish, WaitlistEntry
from tests.factories import PupilFactory, SchoolClassFactory, StaffFactory, TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def set_round(talk_round, **fields) -> TalkRound:
    TalkRound.objects.filter(pk=talk_round.pk).update(**fields)
    talk_round.refresh_from_db()
    return talk_round


def publish(talk_round, **fields) -> TalkRound:
    fields.setdefault("wish_deadline", timezone.now() - timedelta(hours=1))
    return set_round(talk_round, status=TalkRound.Status.PUBLISHED, **fields)


@pytest.fixture
def world(talk_round, offers, pupils):
    """A published round; company A (offers[0]) and B (offers[1]) with one member each; teachers A and B with a
    class each (pupil 0 in class A, pupil 1 in class B); pupil 0 has a talk with company A, pupil 1 with B."""
    publish(talk_round)
    member_a, member_b = UserFactory(), UserFactory()
    CompanyMembership.objects.create(company=offers[0].company, user=member_a)
    CompanyMembership.objects.create(company=offers[1].company, user=member_b)
    class_a = SchoolClassFactory(teacher=TeacherFactory())
    class_b = SchoolClassFactory(teacher=TeacherFactory())
    pupils[0].school_class = class_a
    pupils[0].save()
    pupils[1].school_class = class_b
    pupils[1].save()
    talk_a = Talk.objects.create(round=talk_round, offer=offers[0], pupil=pupils[0], slot=0)
    talk_b = Talk.objects.create(round=talk_round, offer=offers[1], pupil=pupils[1], slot=1)
    users = {
        "anonymous": None,
        "pupil": pupils[0],
        "other_pupil": pupils[1],
        "member_a": member_a,
        "member_b": member_b,
        "teacher_a": class_a.teacher,
        "teacher_b": class_b.teacher,
        "staff": StaffFactory(),
    }
    return {
        "round": talk_round,
        "offers": offers,
        "pupils": pupils,
        "class_a": class_a,
        "class_b": class_b,
        "talk_a": talk_a,
        "talk_b": talk_b,
        "users": users,
    }


def _requests(w):
    r, offers, class_a = w["round"], w["offers"], w["class_a"]
    pupil = w["pupils"][0]
    return {
        "company": ("get", reverse("talks:company", args=[r.pk, offers[0].company_id]), None),
        "company_offer": ("get", reverse("talks:company_offer", args=[r.pk, offers[0].company_id]), None),
        "attendance": ("post", reverse("talks:attendance", args=[w["talk_a"].pk]), {"attended": "1"}),
        "class": ("get", reverse("talks:class", args=[r.pk, class_a.pk]), None),
        "class_pupil": ("get", reverse("talks:class_pupil", args=[r.pk, class_a.pk, pupil.pk]), None),
        "waitlist": ("post", reverse("talks:waitlist", args=[r.pk]), {"offer": offers[2].pk}),
        "hold": ("post", reverse("talks:hold", args=[w["talk_a"].pk]), {}),
        "pdf": ("get", reverse("talks:pdf", args=[r.pk]), None),
        "round_new": ("get", reverse("talks:round_new"), None),
        "offer_new": ("get", reverse("talks:offer_new", args=[r.pk]), None),
        "talk_add": ("get", reverse("talks:talk_add", args=[r.pk]) + f"?pupil={pupil.pk}", None),
    }


# 302 = the action ran and redirected back (never to the login page, except for "anonymous");
# company_offer redirects members to their talk list because the round is past the wishes
STAFF_ONLY = {"round_new", "offer_new", "talk_add"}
MATRIX = {
    "anonymous": dict.fromkeys(
        [
            "company",
            "company_offer",
            "attendance",
            "class",
            "class_pupil",
            "waitlist",
            "hold",
            "pdf",
            *STAFF_ONLY,
        ],
        302,
    ),
    "pupil": {"waitlist": 302, "hold": 302, "pdf": 200},
    "other_pupil": {"waitlist": 302, "pdf": 200},  # their own (empty) plan; pupil 0's talk is 404
    "member_a": {"company": 200, "company_offer": 302, "attendance": 302},
    "member_b": {},
    "teacher_a": {"class": 200, "class_pupil": 200},
    "teacher_b": {},
    "staff": {
        "company": 200,
        "company_offer": 302,
        "attendance": 302,
        "class": 200,
        "class_pupil": 200,
        **dict.fromkeys(STAFF_ONLY, 200),
    },
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_permission_matrix(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    for name, (method, url, data) in _requests(world).items():
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        expected = MATRIX[role].get(name, 404)
        assert response.status_code == expected, (role, name, response.status_code)
        if expected == 302:
            to_login = response["Location"].startswith(LOGIN)
            assert to_login is (role == "anonymous"), (role, name, response["Location"])


def test_objects_of_another_company_class_or_pupil_are_404(client, world):
    r, offers, users = world["round"], world["offers"], world["users"]
    client.force_login(users["member_a"])
    assert client.get(reverse("talks:company", args=[r.pk, offers[1].company_id])).status_code == 404
    assert client.get(reverse("talks:company_offer", args=[r.pk, offers[1].company_id])).status_code == 404
    talk_b = world["talk_b"]
    assert client.post(reverse("talks:attendance", args=[talk_b.pk]), {"attended": "0"}).status_code == 404
    assert Talk.objects.get(pk=talk_b.pk).status == Talk.Status.BOOKED

    client.force_login(users["teacher_a"])
    class_b, pupil_b = world["class_b"], world["pupils"][1]
    assert client.get(reverse("talks:class", args=[r.pk, class_b.pk])).status_code == 404
    assert client.get(reverse("talks:class_pupil", args=[r.pk, class_b.pk, pupil_b.pk])).status_code == 404
    # a pupil of another class through the own class's URL
    url = reverse("talks:class_pupil", args=[r.pk, world["class_a"].pk, pupil_b.pk])
    assert client.get(url).status_code == 404

    client.force_login(users["other_pupil"])
    talk_a = world["talk_a"]
    assert client.post(reverse("talks:hold", args=[talk_a.pk]), {"accept": "1"}).status_code == 404
    assert client.post(reverse("talks:cancel", args=[talk_a.pk])).status_code == 404
    assert Talk.objects.get(pk=talk_a.pk).status == Talk.Status.BOOKED


def test_company_member_does_not_see_a_round_without_their_offer_or_a_draft(client, world):
    r, offers, users = world["round"], world["offers"], world["users"]
    client.force_login(users["member_a"])
    # company A offers nothing in another round
    other = TalkRound.objects.create(
        title="Andere", wish_deadline=r.wish_deadline, first_slot_at=r.first_slot_at, status="published"
    )
    assert client.get(reverse("talks:company", args=[other.pk, offers[0].company_id])).status_code == 404
    set_round(r, status=TalkRound.Status.DRAFT)
    assert client.get(reverse("talks:company", args=[r.pk, offers[0].company_id])).status_code == 404


def test_company_member_edits_the_offer_while_wishes_are_open(client, world):
    r, offers, users = world["round"], world["offers"], world["users"]
    set_round(r, status=TalkRound.Status.OPEN, wish_deadline=timezone.now() + timedelta(days=1))
    url = reverse("talks:company_offer", args=[r.pk, offers[0].company_id])
    client.force_login(users["member_b"])
    assert client.get(url).status_code == 404
    client.force_login(users["member_a"])
    assert client.get(url).status_code == 200
    data = {"parallel": 1, "group_size": 1, "mode": "online", "table": "", "slots": ["2", "3"]}
    # the talk of pupil 0 at slot 0 keeps the company there: leaving slot 0 is refused
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    offers[0].refresh_from_db()
    assert offers[0].available_slots == []
    Talk.objects.filter(offer=offers[0]).delete()
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("talks:company", args=[r.pk, offers[0].company_id])
    offers[0].refresh_from_db()
    assert offers[0].available_slots == [2, 3]


# ------------------------------------------------------------------------------------------------------ teachers


@pytest.fixture
def open_class(talk_round, offers):
    """An open round and a class of three young pupils (no consent of their own) and one elsewhere."""
    school_class = SchoolClassFactory(teacher=TeacherFactory())
    members = [PupilFactory(school_class=school_class) for _ in range(3)]
    return school_class, members


def test_teacher_enters_wishes_for_a_pupil(client, talk_round, offers, open_class):
    school_class, members = open_class
    pupil = members[0]
    client.force_login(school_class.teacher)
    url = reverse("talks:class_pupil", args=[talk_round.pk, school_class.pk, pupil.pk])
    page = client.get(url)
    assert page.status_code == 200 and offers[0].company.name in page.text
    response = client.post(
        url, {"wish_0": f"c{offers[1].company_id}", "wish_1": f"c{offers[0].company_id}", "slots": ["1", "2"]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("talks:class", args=[talk_round.pk, school_class.pk])
    assert list(TalkWish.objects.filter(pupil=pupil).values_list("rank", "company")) == [
        (0, offers[1].company_id),
        (1, offers[0].company_id),
    ]
    participant = TalkParticipant.objects.get(round=talk_round, pupil=pupil)
    assert (participant.entered_by, participant.school_class, participant.available_slots) == (
        school_class.teacher,
        school_class,
        [1, 2],
    )
    # the teacher's registration covers the consent rule
    assert services.consent_ok(talk_round, pupil)
    assert not TalkWish.objects.exclude(pupil=pupil).exists()


def test_teacher_wishes_with_bad_input_save_nothing(client, talk_round, offers, open_class):
    school_class, members = open_class
    client.force_login(school_class.teacher)
    url = reverse("talks:class_pupil", args=[talk_round.pk, school_class.pk, members[0].pk])
    value = f"c{offers[1].company_id}"
    response = client.post(url, {"wish_0": value, "wish_1": value, "slots": ["0"]})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = client.post(url, {"wish_0": value})  # no time ticked
    assert response.status_code == 200 and "slots" in response.context["form"].errors
    assert not TalkWish.objects.exists()


def test_teacher_sets_the_class_time_window(client, talk_round, offers, open_class):
    school_class, members = open_class
    outsider = PupilFactory(school_class=SchoolClassFactory())
    TalkParticipant.objects.create(round=talk_round, pupil=outsider, available_slots=[0])
    client.force_login(school_class.teacher)
    url = reverse("talks:class", args=[talk_round.pk, school_class.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"first": "1", "last": "2"})
    assert response.status_code == 302 and response["Location"] == url
    slots = dict(TalkParticipant.objects.filter(round=talk_round).values_list("pupil", "available_slots"))
    assert slots == {**{p.pk: [1, 2] for p in members}, outsider.pk: [0]}
    # the whole round = no limit
    client.post(url, {"first": "0", "last": "3"})
    assert {tuple(TalkParticipant.objects.get(pupil=p).available_slots) for p in members} == {()}
    # the end before the start is refused
    response = client.post(url, {"first": "2", "last": "1"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert TalkParticipant.objects.get(pupil=members[0]).available_slots == []


def test_class_window_only_while_wishes_are_open(client, talk_round, offers, open_class):
    school_class, _ = open_class
    set_round(talk_round, wish_deadline=timezone.now() - timedelta(minutes=1))
    client.force_login(school_class.teacher)
    response = client.post(
        reverse("talks:class", args=[talk_round.pk, school_class.pk]), {"first": "1", "last": "2"}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not TalkParticipant.objects.exists()


def test_class_overview_lists_the_wishes(client, talk_round, offers, open_class):
    school_class, members = open_class
    services.wishes_set(
        pupil=members[0], round=talk_round, wishes=[offers[2].company], entered_by=school_class.teacher
    )
    client.force_login(school_class.teacher)
    page = client.get(reverse("talks:class", args=[talk_round.pk, school_class.pk]))
    assert page.status_code == 200 and offers[2].company.name in page.text


def test_class_overview_lists_profession_wishes(client, talk_round, offers, open_class):
    school_class, members = open_class
    profession = offers[0].company.professions.get()
    services.wishes_set(
        pupil=members[0], round=talk_round, wishes=[profession], entered_by=school_class.teacher
    )
    client.force_login(school_class.teacher)
    page = client.get(reverse("talks:class", args=[talk_round.pk, school_class.pk]))
    assert page.status_code == 200 and profession.name in page.text
    for pupil in members:
        assert reverse("talks:class_pupil", args=[talk_round.pk, school_class.pk, pupil.pk]) in page.text


# ------------------------------------------------------------------------------------------------------ consent


def _mine(talk_round):
    return reverse("talks:mine", args=[talk_round.pk])


def _wishes(offers):
    return {"wish_0": f"c{offers[0].company_id}", "slots": ["0", "1"]}


@pytest.fixture
def young(db):
    """A pupil under the consent age who declared nothing."""
    return PupilFactory()


def test_young_pupil_must_answer_the_consent_question(client, talk_round, offers, young):
    client.force_login(young)
    page = client.get(_mine(talk_round))
    assert 'name="consent-of_age"' in page.text and 'name="consent-parent_email"' in page.text
    response = client.post(_mine(talk_round), _wishes(offers))
    assert response.status_code == 200
    assert response.context["consent_form"].non_field_errors()
    assert not TalkWish.objects.exists()


def test_young_pupil_declares_the_age(client, talk_round, offers, young):
    client.force_login(young)
    response = client.post(_mine(talk_round), {**_wishes(offers), "consent-of_age": "on"})
    assert response.status_code == 302
    assert TalkWish.objects.filter(pupil=young).count() == 1
    young.refresh_from_db()
    assert young.consent_age_declared_at is not None
    assert services.consent_ok(talk_round, young)
    assert 'name="consent-of_age"' not in client.get(_mine(talk_round)).text


def test_young_pupil_names_a_parent(client, talk_round, offers, young, run_tasks):
    client.force_login(young)
    response = client.post(
        _mine(talk_round), {**_wishes(offers), "consent-parent_email": "Mutter@Example.org"}
    )
    assert response.status_code == 302
    assert TalkWish.objects.filter(pupil=young).count() == 1
    consent = ParentalConsent.objects.get(pupil=young)
    assert consent.purpose == services.consent_purpose(talk_round)
    assert consent.parent_email == "mutter@example.org"
    assert consent.confirmed_at is None
    assert not services.consent_ok(talk_round, young)  # until the parent confirms
    run_tasks()
    assert [m.to for m in mail.outbox] == [["mutter@example.org"]]
    assert consent.token in mail.outbox[0].body
    # the wishes can be changed while the request is pending, without asking again
    response = client.post(_mine(talk_round), {"wish_0": f"c{offers[1].company_id}", "slots": ["0"]})
    assert response.status_code == 302
    assert TalkWish.objects.get(pupil=young).company == offers[1].company
    assert ParentalConsent.objects.count() == 1


def test_young_pupil_cannot_name_their_own_address(client, talk_round, offers, young):
    client.force_login(young)
    response = client.post(_mine(talk_round), {**_wishes(offers), "consent-parent_email": young.email})
    assert response.status_code == 200
    assert "parent_email" in response.context["consent_form"].errors
    assert not TalkWish.objects.exists() and not ParentalConsent.objects.exists()


def test_both_consent_answers_at_once_are_refused(client, talk_round, offers, young):
    client.force_login(young)
    data = {**_wishes(offers), "consent-of_age": "on", "consent-parent_email": "vater@example.org"}
    response = client.post(_mine(talk_round), data)
    assert response.status_code == 200
    assert not TalkWish.objects.exists() and not ParentalConsent.objects.exists()


def test_pupil_with_teacher_entered_wishes_sees_no_consent_fieldset(client, talk_round, offers, open_class):
    school_class, members = open_class
    pupil = members[0]
    services.wishes_set(
        pupil=pupil, round=talk_round, wishes=[offers[0].company], entered_by=school_class.teacher
    )
    client.force_login(pupil)
    page = client.get(_mine(talk_round))
    assert page.status_code == 200
    assert 'name="consent-of_age"' not in page.text and 'name="consent-parent_email"' not in page.text
    # the pupil may change the wishes without answering the consent question
    response = client.post(_mine(talk_round), {"wish_0": f"c{offers[2].company_id}", "slots": ["3"]})
    assert response.status_code == 302
    assert TalkWish.objects.get(pupil=pupil).company == offers[2].company
    assert services.consent_ok(talk_round, pupil)


def test_pupil_moved_out_of_the_class_gets_the_consent_question_back(client, talk_round, offers, open_class):
    school_class, members = open_class
    pupil = members[0]
    services.wishes_set(
        pupil=pupil, round=talk_round, wishes=[offers[0].company], entered_by=school_class.teacher
    )
    pupil.school_class = SchoolClassFactory(school=school_class.school)
    pupil.save()
    client.force_login(pupil)
    page = client.get(_mine(talk_round))
    assert 'name="consent-of_age"' in page.text
    response = client.post(_mine(talk_round), {**_wishes(offers), "consent-of_age": "on"})
    assert response.status_code == 302


# ------------------------------------------------------------------------------------------------- pupil plans


def test_plan_pdf_only_when_published(client, talk_round, offers, pupils):
    Talk.objects.create(round=talk_round, offer=offers[1], pupil=pupils[0], slot=2)
    client.force_login(pupils[0])
    url = reverse("talks:pdf", args=[talk_round.pk])
    for status in (TalkRound.Status.OPEN, TalkRound.Status.REVIEW):
        set_round(talk_round, status=status)
        assert client.get(url).status_code == 404
    publish(talk_round)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert offers[1].company.name in text
    # another pupil's PDF has only their own plan
    client.force_login(pupils[1])
    other = PdfReader(io.BytesIO(client.get(url).content))
    assert offers[1].company.name not in " ".join(page.extract_text() for page in other.pages)


def test_pupil_sees_the_wishes_after_the_deadline(client, talk_round, offers, pupils):
    services.wishes_set(pupil=pupils[0], round=talk_round, wishes=[offers[2].company])
    client.force_login(pupils[0])
    set_round(talk_round, wish_deadline=timezone.now() - timedelta(minutes=1))
    page = client.get(_mine(talk_round))
    assert page.status_code == 200 and offers[2].company.name in page.text
    publish(talk_round)
    page = client.get(_mine(talk_round))
    assert page.status_code == 200 and offers[2].company.name in page.text


# ---------------------------------------------------------------------------------------------------- companies


def test_company_list_shows_names_only_after_publishing(client, talk_round, offers, pupils):
    member = UserFactory()
    CompanyMembership.objects.create(company=offers[0].company, user=member)
    pupils[0].nickname = "Wiebkezora"
    pupils[0].save()
    Talk.objects.create(round=talk_round, offer=offers[0], pupil=pupils[0], slot=1)
    client.force_login(member)
    url = reverse("talks:company", args=[talk_round.pk, offers[0].company_id])
    for status in (TalkRound.Status.OPEN, TalkRound.Status.REVIEW):
        set_round(talk_round, status=status)
        page = client.get(url)
        assert page.status_code == 200 and "Wiebkezora" not in page.text
    publish(talk_round)
    page = client.get(url)
    assert "Wiebkezora" in page.text


def test_company_member_marks_attendance_after_the_start(client, talk_round, offers, pupils):
    member = UserFactory()
    CompanyMembership.objects.create(company=offers[0].company, user=member)
    publish(talk_round, first_slot_at=timezone.now() + timedelta(minutes=30))
    talk = Talk.objects.create(round=talk_round, offer=offers[0], pupil=pupils[0], slot=0)
    client.force_login(member)
    list_url = reverse("talks:company", args=[talk_round.pk, offers[0].company_id])
    mark_url = reverse("talks:attendance", args=[talk.pk])
    assert mark_url not in client.get(list_url).text
    response = client.post(mark_url, {"attended": "0"})  # too early: refused with a message
    assert response.status_code == 302
    assert Talk.objects.get(pk=talk.pk).status == Talk.Status.BOOKED

    publish(talk_round, first_slot_at=timezone.now() - timedelta(minutes=5))
    assert mark_url in client.get(list_url).text
    response = client.post(mark_url, {"attended": "0"})
    assert response.status_code == 302 and response["Location"] == f"{list_url}#talk-{talk.pk}"
    assert Talk.objects.get(pk=talk.pk).status == Talk.Status.NO_SHOW
    client.post(mark_url, {"attended": "1"})
    assert Talk.objects.get(pk=talk.pk).status == Talk.Status.ATTENDED


# ------------------------------------------------------------------------------------------------ waiting list


def test_waitlist_join_and_leave_buttons(client, talk_round, offers, pupils):
    publish(talk_round)
    offers[0].available_slots = [0]
    offers[0].save()
    Talk.objects.create(round=talk_round, offer=offers[0], pupil=pupils[1], slot=0)  # the only seat
    client.force_login(pupils[0])
    waitlist_url = reverse("talks:waitlist", args=[talk_round.pk])
    page = client.get(_mine(talk_round)).text
    assert waitlist_url in page and 'name="leave"' not in page

    response = client.post(waitlist_url, {"offer": offers[0].pk})
    assert response.status_code == 302 and response["Location"] == _mine(talk_round)
    assert list(WaitlistEntry.objects.values_list("pupil", "offer")) == [(pupils[0].pk, offers[0].pk)]
    assert 'name="leave"' in client.get(_mine(talk_round)).text

    client.post(waitlist_url, {"offer": offers[0].pk, "leave": "1"})
    assert not WaitlistEntry.objects.exists()
    assert 'name="leave"' not in client.get(_mine(talk_round)).text
    # an offer of another round is 404
    other = TalkRound.objects.create(
        title="Andere", wish_deadline=talk_round.wish_deadline, first_slot_at=talk_round.first_slot_at
    )
    from einblick.talks.models import TalkOffer

    foreign = TalkOffer.objects.create(round=other, company=offers[1].company)
    assert client.post(waitlist_url, {"offer": foreign.pk}).status_code == 404


def test_waitlist_then_cancel_then_accept_via_the_pages(client, talk_round, offers, pupils):
    publish(talk_round)
    offers[0].available_slots = [0]
    offers[0].save()
    taken = Talk.objects.create(round=talk_round, offer=offers[0], pupil=pupils[1], slot=0)
    client.force_login(pupils[0])
    client.post(reverse("talks:waitlist", args=[talk_round.pk]), {"offer": offers[0].pk})
    client.force_login(pupils[1])
    client.post(reverse("talks:cancel", args=[taken.pk]))
    held = Talk.objects.get(status=Talk.Status.OFFERED)
    assert held.pupil == pupils[0]
    client.force_login(pupils[0])
    page = client.get(_mine(talk_round)).text
    assert reverse("talks:hold", args=[held.pk]) in page
    client.post(reverse("talks:hold", args=[held.pk]), {"accept": "1"})
    assert Talk.objects.get(pk=held.pk).status == Talk.Status.BOOKED
