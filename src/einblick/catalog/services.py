"""Every write of the catalogue: companies (registration, approval), sites, contacts, offers, invitations."""

from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from einblick.core.services import email_enqueue

from . import search
from .models import Company, CompanyMembership, Contact, Invitation, Offer, Place, Profession, Site
from .selectors import search_vocabulary_reset

LOGO_MAX_PIXELS = 512
# An upload may be small in bytes but huge in pixels ("decompression bomb"): refuse beyond this.
UPLOAD_MAX_PIXELS = 4000 * 4000
RESERVED_SLUGS = {"registrieren", "einladung"}


# --- Search texts -----------------------------------------------------------------------------------------------
def profession_search_text(profession: Profession) -> str:
    return search.document(search.gender_forms(profession.name), profession.name_en, profession.terms)


def company_refresh_search_text(company: Company) -> None:
    towns = [site.place.name for site in company.sites.select_related("place")]
    text = search.document(company.name, company.sector, towns)
    Company.objects.filter(pk=company.pk).update(search_text=text)
    company.search_text = text
    search_vocabulary_reset()


def offer_refresh_search_text(offer: Offer) -> None:
    text = search.document(offer.title, offer.site.place.name, offer.get_kind_display())
    Offer.objects.filter(pk=offer.pk).update(search_text=text)
    offer.search_text = text


# --- Companies --------------------------------------------------------------------------------------------------
def _unique_slug(name: str) -> str:
    base = slugify(search.fold(name).replace("&", "und"))[:160] or "betrieb"
    if base in RESERVED_SLUGS:  # would collide with /betrieb/registrieren/ and /betrieb/einladung/…
        base = f"{base}-betrieb"
    slug, n = base, 2
    while Company.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def logo_process(upload) -> ContentFile:
    """Open an uploaded image, shrink it to at most 512 px and store it as PNG (drops metadata such as EXIF)."""
    from PIL import Image

    upload.seek(0)
    with Image.open(upload) as image:
        if image.size[0] * image.size[1] > UPLOAD_MAX_PIXELS:
            raise ValueError("image has too many pixels")
        image.load()
        image = image.convert("RGBA") if image.mode not in {"RGB", "RGBA"} else image
        image.thumbnail((LOGO_MAX_PIXELS, LOGO_MAX_PIXELS))
        buffer = BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())


@transaction.atomic
def company_register(
    *,
    user,
    name: str,
    profile: str,
    sector: str,
    size: str,
    website: str = "",
    street: str,
    place: Place,
    professions=(),
    contact_name: str,
    contact_role: str,
    contact_email: str,
    logo=None,
) -> Company:
    """A company registers itself: it stays pending until network staff approve it."""
    company = Company.objects.create(
        name=name.strip(),
        slug=_unique_slug(name),
        profile=profile.strip(),
        sector=sector.strip(),
        size=size,
        website=website,
        status=Company.Status.PENDING,
    )
    if logo:
        company.logo.save(f"{company.slug}.png", logo_process(logo), save=True)
    company.professions.set(professions)
    site_create(company=company, name="", street=street, place=place)
    Contact.objects.create(company=company, name=contact_name, role=contact_role, email=contact_email)
    CompanyMembership.objects.create(company=company, user=user, role=CompanyMembership.Role.ADMIN)
    company_refresh_search_text(company)
    return company


def company_update(*, company: Company, logo=None, professions=None, **fields) -> Company:
    for key, value in fields.items():
        setattr(company, key, value)
    company.full_clean(exclude=["logo", "slug"])
    with transaction.atomic():
        company.save()
        if isinstance(logo, UploadedFile):  # not the unchanged existing logo
            company.logo.save(f"{company.slug}.png", logo_process(logo), save=True)
        if professions is not None:
            company.professions.set(professions)
        company_refresh_search_text(company)
    return company


def _company_emails(company: Company) -> list[str]:
    members = [m.user.email for m in company.memberships.select_related("user") if m.user.email]
    return members or [c.email for c in company.contacts.all()][:1]


def company_approve(*, company: Company, by) -> Company:
    company.status, company.status_reason, company.approved_at = Company.Status.APPROVED, "", timezone.now()
    company.save(update_fields=["status", "status_reason", "approved_at", "updated_at"])
    search_vocabulary_reset()
    email_enqueue(
        to=_company_emails(company),
        template="catalog/email/company_approved",
        context={"company": company, "base_url": settings.EINBLICK["BASE_URL"]},
    )
    return company


def company_reject(*, company: Company, by, reason: str) -> Company:
    company.status, company.status_reason = Company.Status.REJECTED, reason.strip()
    company.save(update_fields=["status", "status_reason", "updated_at"])
    email_enqueue(
        to=_company_emails(company),
        template="catalog/email/company_rejected",
        context={"company": company, "reason": company.status_reason},
    )
    return company


def company_set_hidden(*, company: Company, hidden: bool, reason: str = "") -> Company:
    company.status = Company.Status.HIDDEN if hidden else Company.Status.APPROVED
    company.status_reason = reason.strip()
    company.save(update_fields=["status", "status_reason", "updated_at"])
    search_vocabulary_reset()
    return company


# --- Sites and contacts -----------------------------------------------------------------------------------------
def site_create(*, company: Company, name: str, street: str, place: Place) -> Site:
    site = Site.objects.create(
        company=company,
        name=name,
        street=street,
        place=place,
        latitude=place.latitude,
        longitude=place.longitude,
    )
    company_refresh_search_text(company)
    return site


def site_update(*, site: Site, name: str, street: str, place: Place) -> Site:
    site.name, site.street, site.place = name, street, place
    site.latitude, site.longitude = place.latitude, place.longitude
    site.save()
    company_refresh_search_text(site.company)
    return site


def contact_save(*, company: Company, contact: Contact | None = None, photo=None, **fields) -> Contact:
    """Create or update a contact person; a new photo is shrunk and stored as PNG like a logo."""
    contact = contact or Contact(company=company)
    for key, value in fields.items():
        setattr(contact, key, value)
    contact.save()
    if isinstance(photo, UploadedFile):  # not the unchanged existing photo
        contact.photo.save(f"{company.slug}-{contact.pk}.png", logo_process(photo), save=True)
    return contact


# --- Offers -----------------------------------------------------------------------------------------------------
def offer_save(*, company: Company, offer: Offer | None = None, **fields) -> Offer:
    offer = offer or Offer(company=company)
    for key, value in fields.items():
        setattr(offer, key, value)
    offer.company = company
    offer.full_clean()
    offer.save()
    offer_refresh_search_text(offer)
    return offer


def offer_delete(*, offer: Offer) -> None:
    offer.delete()


def offer_set_hidden(*, offer: Offer, hidden: bool) -> Offer:
    offer.is_hidden = hidden
    offer.save(update_fields=["is_hidden", "updated_at"])
    return offer


# --- Invitations ------------------------------------------------------------------------------------------------
def invitation_create(*, company: Company, email: str, invited_by) -> Invitation:
    invitation = Invitation.objects.create(
        company=company, email=email.strip().lower(), invited_by=invited_by
    )
    email_enqueue(
        to=invitation.email,
        template="catalog/email/invitation",
        context={
            "company": company,
            "inviter": invited_by,
            "url": f"{settings.EINBLICK['BASE_URL']}/betrieb/einladung/{invitation.token}/",
        },
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> CompanyMembership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValueError("invitation is not open")
    membership, _ = CompanyMembership.objects.get_or_create(company=invitation.company, user=user)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership
