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
