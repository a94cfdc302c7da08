"""Who may do what at the fair. The only place such checks live."""

from einblick.catalog import rules as catalog_rules


def can_manage_booth(user, exhibitor) -> bool:
    """Members of the exhibiting company run its booth; network staff may act for any booth."""
    return catalog_rules.can_manage_company(user, exhibitor.company)


def can_view_company_stats(user, company) -> bool:
    """A company sees the statistics of its own booth and sessions; staff see every company's."""
    return catalog_rules.can_manage_company(user, company)


def can_view_fair_stats(user) -> bool:
    """The statistics of all exhibitors of a fair are for the network staff only."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_keep_account_agenda(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_get_reminders(user) -> bool:
    """E-mail reminders need an address (pupils who joined with a class code have none)."""
    return can_keep_account_agenda(user) and bool(user.email)


def can_plan_programme(user) -> bool:
    """The programme planner (requests of all companies, runs, moving and pinning) is for the network staff."""
    return catalog_rules.can_review_companies(user)


def can_request_sessions(user, company) -> bool:
    """Members of a company submit and withdraw its session requests; staff may act for any company."""
    return catalog_rules.can_manage_company(user, company)
