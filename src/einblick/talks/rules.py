"""Who may do what with talks. The only place such checks live."""


def can_manage_rounds(user) -> bool:
    """Rounds, offers, allocation and publishing are for the network staff."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_take_part(user) -> bool:
    """Pupils enter wishes and book leftover talks for themselves."""
    return bool(user.is_authenticated and user.is_active and user.is_pupil)


def can_see_talk(user, talk) -> bool:
    """A pupil sees only their own talks (another pupil's talk answers 404); staff see all."""
    return bool(user.is_authenticated and (talk.pupil_id == user.pk or can_manage_rounds(user)))


def can_act_for_company(user, company) -> bool:
    """Members of the company (its talk list, attendance, its offer) and staff."""
    if not (user.is_authenticated and user.is_active):
        return False
    return can_manage_rounds(user) or company.memberships.filter(user=user).exists()


def can_act_for_class(user, school_class) -> bool:
    """The class's teacher enters wishes for its pupils and sees their plans; staff see every class."""
    if not (user.is_authenticated and user.is_active):
        return False
    return can_manage_rounds(user) or (user.is_teacher and school_class.teacher_id == user.pk)
