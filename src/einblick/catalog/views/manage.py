"""Screens for company members: register a company, keep profile, sites, contacts, offers; invite colleagues."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.accounts import services as account_services
from einblick.accounts.views import BACKEND

from .. import rules, services
from ..forms import (
    AccountFieldsForm,
    CompanyForm,
    CompanyRegisterForm,
    ContactForm,
    InvitationForm,
    OfferForm,
    SiteForm,
)
from ..models import Company, Contact, Invitation, Offer, Site


def _company_for(request, slug: str) -> Company:
    """The company if the user may manage it; otherwise 404 (no hint that it exists)."""
    company = Company.objects.filter(slug=slug).first()
    if company is None or not rules.can_manage_company(request.user, company):
        raise Http404
    return company


def company_register(request):
    account_form = (
        None if request.user.is_authenticated else AccountFieldsForm(request.POST or None, prefix="account")
    )
    form = CompanyRegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and (account_form is None or account_form.is_valid()):
        data = form.cleaned_data
        with transaction.atomic():
            user = request.user
            if account_form is not None:
                account = account_form.cleaned_data
                user = account_services.user_create(
                    email=account["email"],
                    password=account["password"],
                    first_name=account["first_name"].strip(),
                    last_name=account["last_name"].strip(),
                )
            company = services.company_register(user=user, **data)
        if account_form is not None:
            login(request, user, backend=BACKEND)
        messages.success(
            request,
            _("Thank you! %(name)s is registered. The network team checks it and you will get an e-mail.")
            % {"name": company.name},
        )
        return redirect("catalog:company_manage", slug=company.slug)
    return render(
        request, "catalog/manage/company_register.html", {"form": form, "account_form": account_form}
    )


@login_required
def company_manage(request, slug: str):
    company = _company_for(request, slug)
    context = {
        "company": company,
        "sites": company.sites.select_related("place"),
        "contacts": company.contacts.all(),
        "offers": company.offers.select_related("profession", "site__place").order_by("-valid_until"),
        "members": company.memberships.select_related("user"),
        "invitations": [i for i in company.invitations.order_by("-created_at") if i.is_open],
    }
    return render(request, "catalog/manage/company_manage.html", context)


@login_required
def company_edit(request, slug: str):
    company = _company_for(request, slug)
    form = CompanyForm(request.POST or None, request.FILES or None, instance=company)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.company_update(
            company=company, logo=data.pop("logo", None), professions=data.pop("professions"), **data
        )
        messages.success(request, _("Company profile saved."))
        return redirect("catalog:company_manage", slug=company.slug)
    return render(
        request,
        "catalog/manage/form.html",
        {"form": form, "company": company, "title": _("Edit company profile"), "multipart": True},
    )


@login_required
def site_edit(request, slug: str, pk: int | None = None):
    company = _company_for(request, slug)
    site = get_object_or_404(Site, pk=pk, company=company) if pk else None
    initial = {"place": f"{site.place.plz} {site.place.name}"} if site else {}
    form = SiteForm(request.POST or None, instance=site, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if site:
            services.site_update(site=site, name=data["name"], street=data["street"], place=data["place"])
        else:
            services.site_create(
                company=company, name=data["name"], street=data["street"], place=data["place"]
            )
        messages.success(request, _("Site saved."))
        return redirect("catalog:company_manage", slug=company.slug)
    return render(request, "catalog/manage/form.html", {"form": form, "company": company, "title": _("Site")})


@login_required
def contact_edit(request, slug: str, pk: int | None = None):
    company = _company_for(request, slug)
    contact = get_object_or_404(Contact, pk=pk, company=company) if pk else None
    form = ContactForm(request.POST or None, request.FILES or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.contact_save(company=company, contact=contact, **form.cleaned_data)
        messages.success(request, _("Contact person saved."))
        return redirect("catalog:company_manage", slug=company.slug)
    return render(
        request,
        "catalog/manage/form.html",
        {"form": form, "company": company, "title": _("Contact person"), "multipart": True},
    )


@login_required
def offer_edit(request, slug: str, pk: int | None = None):
    company = _company_for(request, slug)
    offer = get_object_or_404(Offer, pk=pk, company=company) if pk else None
    if not company.sites.exists():
        messages.error(request, _("Please add a site first: every offer needs a place."))
        return redirect("catalog:company_manage", slug=company.slug)
    form = OfferForm(request.POST or None, instance=offer, company=company)
    if request.method == "POST" and form.is_valid():
        offer = services.offer_save(company=company, offer=offer, **form.cleaned_data)
        if company.is_public:
            messages.success(request, _("Offer saved. It is now visible to pupils."))
        else:
            messages.success(request, _("Offer saved. It becomes visible once your company is approved."))
        return redirect("catalog:company_manage", slug=company.slug)
    return render(
        request, "catalog/manage/form.html", {"form": form, "company": company, "title": _("Offer")}
    )


@login_required
@require_POST
def offer_delete(request, slug: str, pk: int):
    company = _company_for(request, slug)
    services.offer_delete(offer=get_object_or_404(Offer, pk=pk, company=company))
    messages.success(request, _("Offer deleted."))
    return redirect("catalog:company_manage", slug=company.slug)


@login_required
def invite(request, slug: str):
    company = _company_for(request, slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invitation_create(company=company, email=form.cleaned_data["email"], invited_by=request.user)
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("catalog:company_manage", slug=company.slug)
    return render(
        request,
        "catalog/manage/form.html",
        {"form": form, "company": company, "title": _("Invite a colleague")},
    )


def invitation_accept(request, token: str):
    invitation = Invitation.objects.select_related("company").filter(token=token).first()
    if invitation is None or not invitation.is_open:
        return render(request, "catalog/manage/invitation_invalid.html", status=404)
    if not request.user.is_authenticated:
        account_form = AccountFieldsForm(
            request.POST or None, initial={"email": invitation.email}, prefix="account"
        )
        if request.method == "POST" and account_form.is_valid():
            account = account_form.cleaned_data
            with transaction.atomic():
                user = account_services.user_create(
                    email=account["email"],
                    password=account["password"],
                    first_name=account["first_name"].strip(),
                    last_name=account["last_name"].strip(),
                )
                services.invitation_accept(invitation=invitation, user=user)
            login(request, user, backend=BACKEND)
            return redirect("catalog:company_manage", slug=invitation.company.slug)
        return render(
            request, "catalog/manage/invitation.html", {"invitation": invitation, "form": account_form}
        )
    if request.method == "POST":
        services.invitation_accept(invitation=invitation, user=request.user)
        messages.success(request, _("You are now a member of %(name)s.") % {"name": invitation.company.name})
        return redirect("catalog:company_manage", slug=invitation.company.slug)
    return render(request, "catalog/manage/invitation.html", {"invitation": invitation, "form": None})
