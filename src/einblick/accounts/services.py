"""Every write of the accounts app."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from einblick.core.services import email_enqueue

from .models import (
    CONSENT_DECLINED,
    CONSENT_PARENT,
    ParentalConsent,
    School,
    SchoolClass,
    User,
    new_class_code,
    new_consent_token,
)
from .selectors import consent_ok, consent_state
from .signals import consent_answered

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


# ------------------------------------------------------------------------------------------------ parental consent

CONSENT_RESEND_MINUTES = 10


def certificate_name_set(*, user: User, first_name: str, last_name: str) -> User:
    """A pupil may add their real name for certificates (optional; design.md §7: nothing more unless they add it).
    Empty fields remove it again."""
    first, last = " ".join(first_name.split())[:150], " ".join(last_name.split())[:150]
    if any(ch in first + last for ch in "<>"):
        raise ValidationError(gettext_lazy("Please enter letters only."), code="format")
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def consent_age_declare(*, user: User) -> None:
    """The pupil declares to be at least CONSENT_AGE; the first declaration's moment is kept."""
    if user.consent_age_declared_at is not None:
        return
    user.consent_age_declared_at = timezone.now()
    user.save(update_fields=["consent_age_declared_at"])


def _consent_too_soon() -> ValidationError:
    return ValidationError(
        gettext_lazy(
            "We sent an e-mail to this address a moment ago. Please wait %(minutes)d minutes before "
            "sending it again."
        ),
        code="too_soon",
        params={"minutes": CONSENT_RESEND_MINUTES},
    )


def _consent_context(consent: ParentalConsent) -> dict:
    return {
        "consent": consent,
        "pupil": consent.pupil,
        "consent_age": settings.EINBLICK["CONSENT_AGE"],
        "url": settings.EINBLICK["BASE_URL"] + reverse("accounts:consent", args=[consent.token]),
    }


def consent_request(*, pupil: User, purpose: str, label: str, parent_email: str) -> ParentalConsent:
    """Ask a parent by e-mail; replaces an earlier request for the same purpose (new link, new expiry)."""
    parent_email = (parent_email or "").strip().lower()
    try:
        validate_email(parent_email)
    except ValidationError:
        raise ValidationError(gettext_lazy("Please enter a valid e-mail address."), code="invalid") from None
    own = {address.strip().lower() for address in (pupil.email, pupil.pending_email) if address}
    if parent_email in own:
        raise ValidationError(
            gettext_lazy("Please enter the e-mail address of a parent, not your own."), code="own_address"
        )
    now = timezone.now()
    with transaction.atomic():
        consent = ParentalConsent.objects.select_for_update().filter(pupil=pupil, purpose=purpose).first()
        if (
            consent is not None
            and consent.parent_email.lower() == parent_email
            and consent.created_at > now - timedelta(minutes=CONSENT_RESEND_MINUTES)
        ):
            raise _consent_too_soon()
        if consent is None:
            consent = ParentalConsent(pupil=pupil, purpose=purpose)
        consent.label = label[:200]
        consent.parent_email = parent_email
        consent.token = new_consent_token()
        consent.created_at = now
        consent.expires_at = now + timedelta(days=settings.EINBLICK["CONSENT_REQUEST_DAYS"])
        consent.confirmed_at = consent.declined_at = None
        try:
            with transaction.atomic():
                consent.save()
        except IntegrityError:  # the same request created a moment ago in a parallel request
            raise _consent_too_soon() from None
        # The queued task row is written in this transaction: no e-mail for a request that was rolled back.
        email_enqueue(
            to=parent_email, template="accounts/email/consent_request", context=_consent_context(consent)
        )
    return consent


def consent_answer(*, token: str, accept: bool) -> ParentalConsent:
    """The parent agrees or declines by the link; declining a confirmed consent withdraws it (at any time)."""
    with transaction.atomic():
        consent = (
            ParentalConsent.objects.select_for_update().select_related("pupil").filter(token=token).first()
            if token and len(token) <= 64
            else None
        )
        if consent is None:
            raise ValidationError(gettext_lazy("This link is not valid."), code="unknown")
        state = consent.state
        if (state == CONSENT_PARENT and accept) or (state == CONSENT_DECLINED and not accept):
            return consent  # the same answer twice changes nothing
        if state != CONSENT_PARENT and consent.is_expired:
            # An unanswered or declined request can no longer be answered; a confirmed one can always be withdrawn.
            raise ValidationError(gettext_lazy("This link has expired."), code="expired")
        now = timezone.now()
        if accept:
            consent.confirmed_at, consent.declined_at = now, None
        else:
            consent.declined_at = now
        consent.save(update_fields=["confirmed_at", "declined_at"])
        consent_answered.send(sender=ParentalConsent, consent=consent, accepted=accept)
        email_enqueue(
            to=consent.pupil.email,
            template="accounts/email/consent_answer",
            context={**_consent_context(consent), "accepted": accept, "withdrawn": state == CONSENT_PARENT},
        )
    return consent


def consent_withdraw(*, consent: ParentalConsent) -> ParentalConsent:
    """The pupil withdraws a parent's consent or an open request (always possible, privacy centre); what waited for
    it reacts as to a parent's decline (accounts.signals.consent_answered)."""
    with transaction.atomic():
        consent = ParentalConsent.objects.select_for_update().select_related("pupil").get(pk=consent.pk)
        if consent.declined_at:
            return consent
        consent.declined_at = timezone.now()
        consent.save(update_fields=["declined_at"])
        consent_answered.send(sender=ParentalConsent, consent=consent, accepted=False)
    return consent


def consent_handle(*, pupil: User, purpose: str, label: str, cleaned_data: dict) -> str:
    """Act on a valid ConsentForm: declare the age or ask a parent; returns the resulting consent_state.

    An existing consent ("self" or "parent") is never replaced by a new request. Raises ValidationError from
    consent_request (own address, too soon): add it to the form with ``form.add_error("parent_email", error)``.
    """
    if cleaned_data.get("of_age"):
        consent_age_declare(user=pupil)
    elif cleaned_data.get("parent_email") and not consent_ok(pupil, purpose):
        consent_request(pupil=pupil, purpose=purpose, label=label, parent_email=cleaned_data["parent_email"])
    return consent_state(pupil, purpose)
