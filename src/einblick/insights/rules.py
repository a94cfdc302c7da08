"""Who sees which figures. The only place such checks live."""


def can_see_network(user) -> bool:
    """The dashboard for the whole region: network staff."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_see_company(user, company) -> bool:
    """A company's own figures: its members and staff; anyone else gets 404."""
    if not (user.is_authenticated and user.is_active):
        return False
    return can_see_network(user) or company.memberships.filter(user=user).exists()
