"""Permission matrix of the booth management, statistics and agenda URLs (issue #4): anonymous, pupil, member of
company A, member of company B, staff. Another company's booth answers 404, not 403."""

import pytest
from django.urls import reverse

from einblick.fair import services
from tests.fair.support import make_session, pdf_upload

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "pupil", "member_a", "member_b", "staff"]
LOGIN = 302  # anonymous visitors are sent to the login page

# (name, kwargs (filled in below), method, expected status per role)
MATRIX = [
    ("fair:booth", "booth", "get", [200, 200, 200, 200, 200]),
    ("fair:booth_manage", "booth", "get", [LOGIN, 404, 200, 404, 200]),
    ("fair:booth_manage", "booth_b", "get", [LOGIN, 404, 404, 200, 200]),
    ("fair:booth_material_delete", "material", "post", [LOGIN, 404, 302, 404, 302]),
    ("fair:booth_question_answer", "question", "post", [LOGIN, 404, 302, 404, 302]),
    ("fair:booth_question_hide", "question", "post", [LOGIN, 404, 302, 404, 302]),
    ("fair:company_stats", "booth", "get", [LOGIN, 404, 200, 404, 200]),
    ("fair:company_stats_csv", "booth", "get", [LOGIN, 404, 200, 404, 200]),
    ("fair:fair_stats", "fair", "get", [LOGIN, 404, 404, 404, 200]),
    ("fair:fair_stats_csv", "fair", "get", [LOGIN, 404, 404, 404, 200]),
    ("fair:agenda", "fair", "get", [200, 200, 200, 200, 200]),
    ("fair:agenda_ics", "fair", "get", [200, 200, 200, 200, 200]),
    ("fair:agenda_toggle", "session", "post", [302, 302, 302, 302, 302]),
    ("fair:agenda_remind", "session", "post", [LOGIN, 302, 404, 404, 404]),
    ("fair:agenda_import", "fair", "post", [LOGIN, 302, 302, 302, 302]),
    ("fair:agenda_feed_reset", "fair", "post", [LOGIN, 302, 302, 302, 302]),
]


@pytest.mark.parametrize(
    ("name", "target", "method", "expected"), MATRIX, ids=[f"{m[0]}-{m[1]}" for m in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(
    request, client, login, fair, exhibitor_a, exhibitor_b, name, target, method, expected, role
):
    session = make_session(fair, minutes=30, company=exhibitor_a.company)
    pupil = request.getfixturevalue("pupil")
    services.agenda_add(user=pupil, session=session)  # only the pupil has this session on the agenda
    material = services.booth_material_add(exhibitor=exhibitor_a, title="Flyer", file=pdf_upload())
    question = services.booth_question_ask(exhibitor=exhibitor_a, nickname="Mia", text="?", email="m@x.de")
    kwargs = {
        "booth": {"slug": fair.slug, "company": "meyer"},
        "booth_b": {"slug": fair.slug, "company": "brink"},
        "material": {"slug": fair.slug, "company": "meyer", "pk": material.pk},
        "question": {"slug": fair.slug, "company": "meyer", "pk": question.pk},
        "fair": {"slug": fair.slug},
        "session": {"slug": fair.slug, "pk": session.pk},
    }[target]
    user = None if role == "anonymous" else request.getfixturevalue(role)
    client = login(user)
    url = reverse(name, kwargs=kwargs)
    data = {}
    if name == "fair:booth_question_answer":
        data = {f"q{question.pk}-answer": "Antwort", f"q{question.pk}-answer_public": "on"}
    response = getattr(client, method)(url, data, HTTP_USER_AGENT="Mozilla/5.0")
    status = expected[ROLES.index(role)]
    assert response.status_code == status, (role, url, response.status_code)
    if role == "anonymous" and status == LOGIN and name != "fair:agenda_toggle":
        assert response["Location"].startswith(reverse("accounts:login"))


def test_unpublished_fair_booth_is_hidden_from_the_public_but_manageable(
    client, login, fair, exhibitor_a, member_a
):
    fair.is_published = False
    fair.save()
    assert client.get(reverse("fair:booth", args=[fair.slug, "meyer"])).status_code == 404
    assert client.get(reverse("fair:agenda", args=[fair.slug])).status_code == 404
    assert login(member_a).get(reverse("fair:booth_manage", args=[fair.slug, "meyer"])).status_code == 200
