"""Who may do what with events. The only place such checks live."""


def can_manage_events(user) -> bool:
    """Series, events, all registrations and check-in: network staff."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_host(user, event) -> bool:
    """Members of a host company edit their event, see its registrations, check in and read the feedback."""
    if not (user.is_authenticated and user.is_active):
        return False
    return can_manage_events(user) or event.hosts.filter(memberships__user=user).exists()


def can_register_alone(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_pupil)


def can_register_classes(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_teacher)


def companies_registering(user, event):
    """The companies ``user`` may register staff for at ``event`` (a seminar for companies); none otherwise."""
    from einblick.catalog.models import Company

    if not (user.is_authenticated and user.is_active and event.for_companies):
        return Company.objects.none()
    return Company.objects.filter(memberships__user=user, status=Company.Status.APPROVED).order_by("name")


def owns_registration(user, registration) -> bool:
    """The pupil, the teacher of a class registration, or — for a company's registration — any current member of
    the company (not only the one who registered)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if registration.company_id:
        return registration.company.memberships.filter(user=user).exists()
    return user.pk in (registration.pupil_id, registration.teacher_id)


def can_see_registration(user, registration) -> bool:
    """The pupil, the teacher of a class registration, hosts of the event and staff."""
    if not (user.is_authenticated and user.is_active):
        return False
    return owns_registration(user, registration) or can_host(user, registration.event)
