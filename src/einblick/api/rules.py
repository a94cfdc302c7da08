"""Who may do what with the API. The only place such checks live."""

from einblick.catalog import rules as catalog_rules
from einblick.catalog.models import Company, Offer

from .models import ApiToken


def can_manage_api_tokens(user, company: Company) -> bool:
    """Whoever manages the company (its members, network staff) creates and revokes its API keys."""
    return catalog_rules.can_manage_company(user, company)


def token_can_write_offer(token: ApiToken, offer: Offer) -> bool:
    """A key acts only for the offers of its own company."""
    return token.is_active and offer.company_id == token.company_id
