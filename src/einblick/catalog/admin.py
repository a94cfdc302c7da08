from django.contrib import admin

from .models import Company, Field, Offer, Place, Profession


@admin.register(Profession)
class ProfessionAdmin(admin.ModelAdmin):
    list_display = ["name", "field", "duration_months", "r", "i", "a", "s", "e", "c"]
    # Network staff adjust interest profiles right in the list (docs/catalog.md, "Interest profiles").
    list_editable = ["r", "i", "a", "s", "e", "c"]
    list_filter = ["field", "kind"]
    search_fields = ["name", "search_text"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "sector", "created_at"]
    list_filter = ["status"]
    search_fields = ["name"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["__str__", "company", "kind", "start_date", "valid_until", "is_hidden"]
    list_filter = ["kind", "is_hidden"]


admin.site.register(Field)
admin.site.register(Place, search_fields=["plz", "name"])
