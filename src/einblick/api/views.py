"""Screens for company members: create and revoke API keys. Plus the JSON answers for unknown API paths."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from einblick.catalog.models import Company

from . import rules, selectors, services
from .errors import error_body
from .forms import ApiTokenForm
from .models import ApiToken


def _company_for(request, slug: str) -> Company:
    """The company if the user may manage its API keys; otherwise 404 (no hint that it exists)."""
    company = Company.objects.filter(slug=slug).first()
    if company is None or not rules.can_manage_api_tokens(request.user, company):
        raise Http404
    return company


@login_required
def token_list(request, slug: str):
    company = _company_for(request, slug)
    form = ApiTokenForm(request.POST or None)
    new_token = plain = None
    if request.method == "POST" and form.is_valid():
        new_token, plain = services.api_token_create(
            company=company, name=form.cleaned_data["name"], created_by=request.user
        )
        form = ApiTokenForm()
    context = {
        "company": company,
        "tokens": selectors.api_tokens_of(company),
        "form": form,
        "new_token": new_token,
        "plain_token": plain,
    }
    response = render(request, "api/tokens.html", context)
    # The plain key is in this page only: never keep it in a cache.
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True)
    return response


@login_required
@require_POST
def token_revoke(request, slug: str, pk: int):
    company = _company_for(request, slug)
    token = get_object_or_404(ApiToken, pk=pk, company=company)
    services.api_token_revoke(token=token)
    messages.success(request, _("The API key “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api:tokens", slug=company.slug)


# --- JSON for what django-ninja leaves to Django ----------------------------------------------------------------
def api_index(request, *args, **kwargs):
    """/api/v1/: where the documentation and the schema are."""
    if request.method != "GET":
        return JsonResponse(error_body(_("Method not allowed.")), status=405, headers={"Allow": "GET"})
    return JsonResponse(
        {
            "name": "Einblick API",
            "version": "1",
            "docs": request.build_absolute_uri(reverse("api:v1:openapi-view")),
            "openapi": request.build_absolute_uri(reverse("api:v1:openapi-json")),
        }
    )


def not_found(request, *args, **kwargs):
    return JsonResponse(error_body(_("Not found.")), status=404)


def json_method_not_allowed(view):
    """django-ninja answers a wrong method with a plain-text 405; give it the API's JSON error shape."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            json = JsonResponse(error_body(_("Method not allowed.")), status=405)
            json["Allow"] = response.get("Allow", "")
            return json
        return response

    return wrapped
