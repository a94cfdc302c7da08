"""The interest check through the test client: answering, going back, resuming, result, saving, sharing."""

import pytest
from django.urls import reverse

from einblick.orientation import tokens
from einblick.orientation.models import InterestResult
from einblick.orientation.statements import STATEMENTS
from tests.factories import OfferFactory, PlaceFactory, PupilFactory, SchoolClassFactory, SiteFactory

pytestmark = pytest.mark.django_db


def answer_all(client, liked="RI"):
    client.post(reverse("orientation:start"))
    response = None
    for number, statement in enumerate(STATEMENTS, start=1):
        answer = "like" if statement.dimension in liked else "dislike"
        response = client.post(reverse("orientation:question", args=[number]), {"answer": answer})
    return response


def test_whole_check_ends_in_a_result_link_with_professions_nearby(client, real_catalog):
    from einblick.catalog.models import Profession

    mechatronics = Profession.objects.get(name="Mechatroniker:in")
    offer = OfferFactory(profession=mechatronics, site=SiteFactory(place=PlaceFactory.town(0)))
    offer.company.professions.add(mechatronics)
    response = answer_all(client, "RI")
    assert response.status_code == 302 and response["Location"] == reverse("orientation:finish")
    response = client.get(response["Location"])
    token = response["Location"].rstrip("/").split("/")[-1]
    assert tokens.profile_from_token(token)["R"] == 100
    page = client.get(response["Location"], {"ort": "26871", "umkreis": "25"})
    rows = page.context["rows"]
    assert len(rows) == 10
    row = next(r for r in rows if r.match.profession == mechatronics)
    assert [loc.item for loc in row.offers] == [offer]
    assert row.reason.startswith("weil du gern")
    html = page.content.decode()
    assert "Mechatroniker:in" in html and offer.company.name in html
    assert "Praktisch" in html and "Forschend" in html


def test_progress_back_and_resume(client):
    client.post(reverse("orientation:start"))
    client.post(reverse("orientation:question", args=[1]), {"answer": "like"})
    client.post(reverse("orientation:question", args=[2]), {"answer": "dislike"})
    page = client.get(reverse("orientation:question", args=[1]))
    assert page.context["current"] == "like"  # going back shows the earlier answer
    assert "Frage 1 von 30" in page.content.decode() or "1 von 30" in page.content.decode()
    start = client.get(reverse("orientation:start"))  # the tab was closed; the pupil comes back
    assert start.context["resume"] == 3 and start.context["answered"] == 2
    client.post(reverse("orientation:start"))  # start again
    assert client.get(reverse("orientation:start")).context["answered"] == 0


def test_invalid_answer_and_out_of_range(client):
    response = client.post(reverse("orientation:question", args=[1]), {"answer": "maybe"})
    assert response.status_code == 400
    assert client.get(reverse("orientation:question", args=[31])).status_code == 404
    assert client.get(reverse("orientation:question", args=[0])).status_code == 404


def test_finish_with_open_statements_goes_back_to_the_first_open_one(client):
    client.post(reverse("orientation:question", args=[1]), {"answer": "like"})
    response = client.get(reverse("orientation:finish"))
    assert response["Location"] == reverse("orientation:question", args=[2])


def test_tampered_result_link_gets_a_clear_message(client):
    response = client.get(reverse("orientation:result", args=["eyJ0ZXN0IjoxfQ:abc:def"]))
    assert response.status_code == 400
    assert "nicht gültig" in response.content.decode()


def test_result_can_be_saved_and_shared_with_the_teacher(client):
    school_class = SchoolClassFactory()
    pupil = PupilFactory(school_class=school_class, nickname="Kiwi")
    token = tokens.result_token({"R": 90, "I": 80, "A": 10, "S": 20, "E": 30, "C": 40})
    client.force_login(pupil)
    client.post(reverse("orientation:result_save", args=[token]), {"share": "1"})
    result = InterestResult.objects.get()
    assert result.user == pupil and result.shared_with_teacher and result.profile["R"] == 90
    client.force_login(school_class.teacher)
    page = client.get(reverse("accounts:class_detail", args=[school_class.pk])).content.decode()
    assert "Kiwi" in page and "Praktisch" in page
    client.force_login(pupil)
    client.post(reverse("orientation:result_share", args=[result.pk]), {"share": "0"})
    result.refresh_from_db()
    assert not result.shared_with_teacher
    other = PupilFactory()
    client.force_login(other)
    assert (
        client.post(reverse("orientation:result_share", args=[result.pk]), {"share": "1"}).status_code == 404
    )


def test_saving_needs_an_account(client):
    token = tokens.result_token({"R": 90, "I": 80, "A": 10, "S": 20, "E": 30, "C": 40})
    response = client.post(reverse("orientation:result_save", args=[token]))
    assert response.status_code == 302 and "/konto/anmelden/" in response["Location"]
    assert not InterestResult.objects.exists()


def test_result_page_has_no_n_plus_one(client, real_catalog, django_assert_max_num_queries):
    from einblick.catalog.models import Profession

    token = tokens.result_token({"R": 100, "I": 100, "A": 0, "S": 0, "E": 0, "C": 50})
    mechatronics = Profession.objects.get(name="Mechatroniker:in")

    def add_offer(town):
        offer = OfferFactory(profession=mechatronics, site=SiteFactory(place=PlaceFactory.town(town)))
        offer.company.professions.add(mechatronics)

    add_offer(0)
    with django_assert_max_num_queries(30) as one:
        client.get(reverse("orientation:result", args=[token]), {"ort": "26871"})
    add_offer(1)
    add_offer(2)
    with django_assert_max_num_queries(30) as three:
        client.get(reverse("orientation:result", args=[token]), {"ort": "26871"})
    assert len(one.captured_queries) == len(three.captured_queries)


def test_english_version(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("orientation:question", args=[1])).content.decode()
    assert "Building or repairing something with my hands" in page
