from django.contrib import admin

from .models import Need, Provider, Tandem, Topic, TrainingOffer


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place", "radius_km"]
    filter_horizontal = ["members"]
    raw_id_fields = ["place", "company"]


@admin.register(TrainingOffer)
class TrainingOfferAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "kind", "starts", "price_eur", "active"]
    filter_horizontal = ["topics"]


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["company", "status", "people", "created_at"]
    raw_id_fields = ["company", "created_by"]


@admin.register(Tandem)
class TandemAdmin(admin.ModelAdmin):
    list_display = ["need", "offer", "status", "outcome"]
    raw_id_fields = ["need", "offer", "confirmed_by"]
