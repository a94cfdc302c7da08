"""Who may do what in the catalogue. The only place such checks live."""

from .models import Company


def can_review_companies(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def can_manage_company(user, company: Company) -> bool:
    """Members of the company act for it; network staff may act for any company."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_staff or company.memberships.filter(user=user).exists()


def can_preview_company(user, company: Company) -> bool:
    return company.is_public or can_manage_company(user, company)
