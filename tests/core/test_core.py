"""Base UI, embeds, health, error pages, demo data, deployment checks."""

import pytest
from django.db import transaction
from django.urls import reverse

from einblick.core.embeds import UnknownVideoProvider, embed_for


@pytest.mark.parametrize(
    ("url", "provider", "src"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "YouTube",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ", "YouTube", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (
            "https://www.youtube.com/shorts/abcdefghijk",
            "YouTube",
            "https://www.youtube-nocookie.com/embed/abcdefghijk",
        ),
        ("https://vimeo.com/123456", "Vimeo", "https://player.vimeo.com/video/123456?dnt=1"),
        (
            "https://tube.example.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d",
            "PeerTube (tube.example.org)",
            "https://tube.example.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d",
        ),
        ("https://media.example.org/film.mp4", "media.example.org", "https://media.example.org/film.mp4"),
    ],
)
def test_embed_for_known_providers(url, provider, src):
    embed = embed_for(url)
    assert (embed.provider, embed.src) == (provider, src)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "https://evil.example/video", "", "https://www.youtube.com/watch?v=<script>"],
)
def test_embed_rejects_unknown_or_hostile_urls(url):
    with pytest.raises(UnknownVideoProvider):
        embed_for(url)


def test_two_click_embed_loads_nothing_before_the_click():
    from django.template import Context, Template

    html = Template('{% load einblick %}{% video_embed url "Film" %}').render(
        Context({"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"})
    )
    assert "<iframe" not in html and "youtube-nocookie.com/embed" in html and "YouTube" in html


@pytest.mark.django_db
def test_home_and_health(client):
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(reverse("core:healthz")).json() == {"status": "ok"}


@pytest.mark.django_db
def test_german_by_default_english_on_request(client):
    page = client.get(reverse("core:home")).content.decode()
    assert '<html lang="de"' in page and "Zum Inhalt springen" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("core:home")).content.decode()
    assert '<html lang="en"' in page and "Skip to content" in page


@pytest.mark.django_db
def test_404_page_is_german(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


@pytest.mark.django_db
def test_demo_region_is_deterministic_and_complete():
    from einblick.catalog.models import Company, Offer, Place
    from einblick.core.demo import demo_build

    counts = demo_build(seed=7)
    assert counts["companies"] >= 41
    assert set(Place.objects.values_list("district_code", flat=True)) == {
        "03454",
        "03456",
        "03457",
        "03452",
        "03462",
        "03402",
    }
    assert Company.objects.filter(status="pending").exists()
    papenburg_mechatronics = Offer.objects.filter(
        site__place__plz="26871", profession__name="Mechatroniker:in"
    )
    assert papenburg_mechatronics.exists()
    from einblick.tandem.models import Tandem, TrainingOffer

    seminar = TrainingOffer.objects.get(event__isnull=False).event
    assert (seminar.audience, seminar.status) == ("companies", "published")
    assert Tandem.objects.filter(status="running", steps__isnull=False, notes__isnull=False).exists()


@pytest.mark.django_db
def test_demo_region_is_the_same_for_the_same_seed():
    from einblick.catalog.models import Company, Offer
    from einblick.core.demo import demo_build

    with transaction.atomic():
        demo_build(seed=7)
        first = sorted(Offer.objects.values_list("company__name", "profession__name", "places", "start_date"))
        transaction.set_rollback(True)
    assert not Company.objects.exists()
    demo_build(seed=7)
    assert (
        sorted(Offer.objects.values_list("company__name", "profession__name", "places", "start_date"))
        == first
    )


def test_deploy_check_is_clean_with_production_settings(monkeypatch):
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "x" * 60 + "-production-key-for-the-check",
        "ALLOWED_HOSTS": "einblick.example.org",
        "EINBLICK_HTTPS": "1",
        "DEBUG": "0",
        "EINBLICK_VAR_DIR": "/tmp/einblick-deploy-check",
    }
    result = subprocess.run(
        [sys.executable, "-m", "einblick", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
