from django.contrib import admin

from .models import Ban, Question, ViewerSample


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = [
        "text",
        "nickname",
        "session",
        "status",
        "held",
        "votes",
        "reports",
        "answered",
        "created_at",
    ]
    list_filter = ["status", "held", "answered"]
    search_fields = ["text", "nickname"]
    raw_id_fields = ["session", "answered_by"]
    exclude = ["visitor_id"]


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ["nickname", "session", "created_by", "created_at"]
    raw_id_fields = ["session", "created_by"]
    exclude = ["visitor_id", "nickname_key"]


@admin.register(ViewerSample)
class ViewerSampleAdmin(admin.ModelAdmin):
    list_display = ["session", "at", "count"]
    raw_id_fields = ["session"]
