"""Every write of the accounts app."""

import secrets

from django.core import signing
from django.db import IntegrityError, transaction

from einblick.core.services import email_enqueue

from .models import School, SchoolClass, User, new_class_code

EMAIL_CHANGE_SALT = "einblick.accounts.email-change"
EMAIL_CHANGE_MAX_AGE = 60 * 60 * 24 * 2
_NICK_WORDS = [
    "kiwi",
    "mango",
    "otter",
    "falke",
    "wal",
    "luchs",
    "mowe",
    "biber",
    "fuchs",
    "dachs",
    "elch",
    "robbe",
]


def _free_username(base: str) -> str:
    base = "".join(ch for ch in base.lower() if ch.isalnum())[:20] or secrets.choice(_NICK_WORDS)
    for _ in range(50):
        candidate = f"{base}-{secrets.randbelow(9000) + 1000}"
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate
    raise RuntimeError("no free user name")  # pragma: no cover


def user_create(
    *, email: str = "", password: str | None, nickname: str = "", username: str = "", **flags
) -> User:
    """Create a user; ``password=None`` creates one that cannot log in until a password is set."""
    user = User(
        username=username or _free_username(nickname or email.split("@")[0]),
        email=email.strip().lower(),
        nickname=nickname.strip(),
        **flags,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def pupil_signup(*, nickname: str, email: str, password: str, school_year: int | None) -> User:
    return user_create(
        email=email, password=password, nickname=nickname, is_pupil=True, school_year=school_year
    )


@transaction.atomic
def pupil_join_class(*, school_class: SchoolClass, nickname: str, password: str | None) -> User:
    """A pupil joins with the class code and a nickname only; the user name is generated and shown once."""
    return user_create(
        nickname=nickname,
        password=password,
        is_pupil=True,
        school_year=school_class.school_year,
        school=school_class.school,
        school_class=school_class,
    )


def teacher_signup(
    *, first_name: str, last_name: str, email: str, password: str | None, school: School
) -> User:
    return user_create(
        email=email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        is_teacher=True,
        school=school,
    )


def school_get_or_create(*, name: str, kind: str, place) -> School:
    school, _ = School.objects.get_or_create(name=name.strip(), place=place, defaults={"kind": kind})
    return school


def class_create(*, teacher: User, name: str, school_year: int, school: School | None = None) -> SchoolClass:
    school = school or teacher.school
    for _ in range(10):
        try:
            with transaction.atomic():
                return SchoolClass.objects.create(
                    teacher=teacher,
                    school=school,
                    name=name.strip(),
                    school_year=school_year,
                    code=new_class_code(),
                )
        except IntegrityError:
            if SchoolClass.objects.filter(teacher=teacher, school=school, name=name.strip()).exists():
                raise
    raise RuntimeError("no free class code")  # pragma: no cover


def class_code_renew(*, school_class: SchoolClass) -> SchoolClass:
    from .models import default_code_expiry

    school_class.code = new_class_code()
    school_class.code_expires_at = default_code_expiry()
    school_class.save(update_fields=["code", "code_expires_at"])
    return school_class


def class_remove_pupil(*, school_class: SchoolClass, pupil: User) -> None:
    User.objects.filter(pk=pupil.pk, school_class=school_class).update(school_class=None)


def email_change_request(*, user: User, new_email: str, base_url: str) -> None:
    """Keep the old address until the new one is confirmed by a link sent to it."""
    new_email = new_email.strip().lower()
    user.pending_email = new_email
    user.save(update_fields=["pending_email"])
    token = signing.dumps({"user": user.pk, "email": new_email}, salt=EMAIL_CHANGE_SALT)
    email_enqueue(
        to=new_email,
        template="accounts/email/email_change",
        context={"user": user, "url": f"{base_url}/konto/e-mail/bestaetigen/{token}/"},
    )


def email_change_confirm(*, token: str) -> User | None:
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("user"), pending_email=data.get("email")).first()
    if user is None or User.objects.filter(email__iexact=data["email"]).exclude(pk=user.pk).exists():
        return None
    user.email, user.pending_email = data["email"], ""
    user.save(update_fields=["email", "pending_email"])
    return user
