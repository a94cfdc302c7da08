from django.contrib import admin

from .models import Exhibitor, Fair, FairDay, Session, SessionRequest, Stage


class FairDayInline(admin.TabularInline):
    model = FairDay
    extra = 1


class StageInline(admin.TabularInline):
    model = Stage
    extra = 1
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Fair)
class FairAdmin(admin.ModelAdmin):
    list_display = ["name", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FairDayInline, StageInline]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "fair", "stage", "starts_at", "status", "is_pinned"]
    list_filter = ["fair", "stage", "status", "format"]
    search_fields = ["title"]
    raw_id_fields = ["company"]
    filter_horizontal = ["professions"]


admin.site.register(Exhibitor, raw_id_fields=["company"])
admin.site.register(SessionRequest, raw_id_fields=["company"])
