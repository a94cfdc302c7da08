from django.contrib import admin

from .models import Event, Feedback, Registration, Series, Stop


class StopInline(admin.TabularInline):
    model = Stop
    extra = 0


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ("title",)}


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "capacity", "status"]
    list_filter = ["status", "kind", "series"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ["hosts", "professions"]
    inlines = [StopInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["event", "pupil", "school_class", "places", "status", "checked_in_at"]
    list_filter = ["status"]
    raw_id_fields = ["event", "pupil", "teacher", "school_class", "members", "split_from", "checked_in_by"]
    readonly_fields = ["ticket"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["event", "stars", "created_at"]
    readonly_fields = ["voter"]
