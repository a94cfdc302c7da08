"""The public API, version 1, at /api/v1/ (django-ninja). Documentation: docs/api.md, /api/v1/docs."""

from ninja import NinjaAPI, Swagger

from . import company, errors, public

DESCRIPTION = """
Professions, companies, open offers and places of this Einblick installation — read without a key.
A company writes its own offers with an API key (`Authorization: Bearer <key>`), created by its members
under “API access” in the company settings.

Errors always have the shape `{"message": "...", "errors": {"field": ["..."]}}`; messages follow
`Accept-Language` (German by default). Lists are paged with `limit` (1–100, default 20) and `offset`.
"""

api = NinjaAPI(
    title="Einblick API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Served from django-ninja's own static files (``ninja`` in INSTALLED_APPS): nothing loads from a CDN;
    # no validator badge either (it would call validator.swagger.io).
    docs=Swagger(settings={"validatorUrl": None}),
)
errors.install(api)
api.add_router("/", public.router)
api.add_router("/company", company.router)
