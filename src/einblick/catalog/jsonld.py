"""schema.org JSON-LD for offers (JobPosting) and companies (Organization)."""

from django.utils import timezone
from django.utils.html import strip_tags


def _address(site) -> dict:
    return {
        "@type": "PostalAddress",
        "streetAddress": site.street,
        "postalCode": site.place.plz,
        "addressLocality": site.place.name,
        "addressRegion": site.place.state,
        "addressCountry": "DE",
    }


def organization(company, request) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": company.name,
        "description": strip_tags(company.profile),
        "url": request.build_absolute_uri(company.get_absolute_url()),
        "address": [_address(site) for site in company.sites.all()],
    }
    if company.website:
        data["sameAs"] = [company.website, *[url for _, url in company.social_links]]
    if company.logo:
        data["logo"] = request.build_absolute_uri(company.logo.url)
    return data


EMPLOYMENT_TYPE = {"apprenticeship": "FULL_TIME", "dual_study": "FULL_TIME", "internship": "INTERN"}


def job_posting(offer, request) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": offer.display_title,
        "description": strip_tags(offer.description),
        "datePosted": timezone.localtime(offer.created_at).date().isoformat(),
        "validThrough": offer.valid_until.isoformat(),
        "employmentType": EMPLOYMENT_TYPE.get(offer.kind, "OTHER"),
        "jobStartDate": offer.start_date.isoformat(),
        "hiringOrganization": {
            "@type": "Organization",
            "name": offer.company.name,
            "sameAs": request.build_absolute_uri(offer.company.get_absolute_url()),
        },
        "jobLocation": {"@type": "Place", "address": _address(offer.site)},
        "occupationalCategory": offer.profession.kldb or offer.profession.name,
        "totalJobOpenings": offer.places,
        "url": request.build_absolute_uri(offer.get_absolute_url()),
    }
    if offer.pay:
        data["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": "EUR",
            "value": {"@type": "QuantitativeValue", "value": offer.pay[0], "unitText": "MONTH"},
        }
    return data
