"""Who may do what with tandems. The only place such checks live."""


def can_manage(user) -> bool:
    """All needs, suggestions, clusters, confirming tandems, the taxonomy: network staff."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_act_for_company(user, company) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return can_manage(user) or company.memberships.filter(user=user).exists()


def can_act_for_provider(user, provider) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return can_manage(user) or provider.members.filter(pk=user.pk).exists()


def can_see_tandem(user, tandem) -> bool:
    """Both sides of a tandem and staff; anyone else gets 404."""
    return can_act_for_company(user, tandem.need.company) or can_act_for_provider(user, tandem.offer.provider)
