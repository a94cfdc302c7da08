"""A teacher creates a class; a pupil joins it on a phone with the class code; the teacher sees the pupil."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    assert_no_horizontal_scroll,
    axe_check,
    expect_heading,
    field,
    log_in,
)

NICKNAME = "Deichgräfin"
PASSWORD = "Moewenflug-2026"
WRONG_CODE = "FALSCH10"  # "L", "1" and "0" are not in the class-code alphabet, so this code cannot exist


@pytest.mark.django_db(transaction=True)
def test_teacher_creates_class_and_pupil_joins_with_code(desktop_page, new_context, demo, demo_password):
    teacher = desktop_page
    log_in(teacher, "lehrkraft", demo_password)

    # 1. The teacher creates class 10c.
    teacher.get_by_role("link", name="Klasse anlegen").click()
    expect_heading(teacher, "Klasse anlegen")
    axe_check(teacher)
    field(teacher, "Name der Klasse").fill("10c")
    field(teacher, "Jahrgang").select_option(label="10")
    teacher.get_by_role("button", name="Klasse anlegen").click()
    expect_heading(teacher, "Klasse 10c")
    expect(teacher.get_by_role("status")).to_contain_text("Klasse 10c angelegt.")
    expect(teacher.get_by_role("main")).to_contain_text("Jahrgang 10")
    expect(teacher.get_by_role("heading", name="Klassencode")).to_be_visible()
    code_box = teacher.locator("#class-code")
    expect(code_box).to_have_text(re.compile(r"^\s*[A-Z2-9]{8}\s*$"))
    code = code_box.inner_text().strip()
    join_link = teacher.get_by_role("link", name=re.compile(rf"\?code={code}$"))
    expect(join_link).to_have_attribute("href", re.compile(rf"klasse-beitreten.\?code={code}$"))
    expect(teacher.get_by_role("heading", name="Schüler:innen (0)")).to_be_visible()
    axe_check(teacher)
    class_url = teacher.url

    # 2. A pupil on a phone, in a browser of their own, first mistypes the code.
    pupil = new_context().new_page()
    pupil.goto("/konto/klasse-beitreten/")
    expect_heading(pupil, "Deiner Klasse beitreten")
    assert_no_horizontal_scroll(pupil)
    axe_check(pupil)
    field(pupil, "Klassencode").fill(WRONG_CODE)
    field(pupil, "Spitzname oder Vorname").fill(NICKNAME)
    field(pupil, "Passwort").fill(PASSWORD)
    pupil.get_by_role("button", name="Klasse beitreten").click()

    code_input = field(pupil, "Klassencode")
    error = "Diesen Klassencode gibt es nicht. Bitte prüfe ihn zusammen mit deiner Lehrkraft."
    expect(code_input).to_have_attribute("aria-invalid", "true")
    expect(code_input).to_have_accessible_description(re.compile(re.escape(error)))
    expect(pupil.get_by_text(error)).to_be_visible()
    expect(code_input).to_have_value(WRONG_CODE)
    expect(field(pupil, "Spitzname oder Vorname")).to_have_value(NICKNAME)
    expect(field(pupil, "Spitzname oder Vorname")).not_to_have_attribute("aria-invalid", "true")
    assert_no_horizontal_scroll(pupil)
    axe_check(pupil)

    # 3. With the right code (the password is not sent back, so it is typed again) the pupil is in.
    code_input.fill(code)
    field(pupil, "Passwort").fill(PASSWORD)
    pupil.get_by_role("button", name="Klasse beitreten").click()
    expect_heading(pupil, "Du bist dabei!")
    expect(pupil).to_have_url(re.compile(r"/konto/willkommen/$"))
    username_box = pupil.locator("#username")
    expect(username_box).to_have_text(re.compile(r"^\s*deichgräfin-\d{4}\s*$"))
    username = username_box.inner_text().strip()
    expect(pupil.get_by_text("Dein Benutzername für die nächste Anmeldung lautet:")).to_be_visible()
    assert_no_horizontal_scroll(pupil)
    axe_check(pupil)

    # 4. The teacher reloads the class page and sees the nickname (only the nickname) in the list.
    teacher.reload()
    expect(teacher).to_have_url(class_url)
    expect(teacher.get_by_role("heading", name="Schüler:innen (1)")).to_be_visible()
    expect(teacher.get_by_role("main").get_by_role("listitem").filter(has_text=NICKNAME)).to_have_count(1)
    expect(teacher.get_by_role("main")).not_to_contain_text(username)
    axe_check(teacher)
