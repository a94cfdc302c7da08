"""Back office for talk rounds until staff have their own forms (docs/talks.md)."""

from django.contrib import admin

from .models import TalkOffer, TalkRound


class TalkOfferInline(admin.TabularInline):
    model = TalkOffer
    extra = 1
    raw_id_fields = ["company"]


@admin.register(TalkRound)
class TalkRoundAdmin(admin.ModelAdmin):
    list_display = ["title", "fair", "wish_deadline", "first_slot_at", "n_slots", "status"]
    list_filter = ["status", "fair"]
    inlines = [TalkOfferInline]
