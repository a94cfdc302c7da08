from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import School, SchoolClass, User


@admin.register(User)
class EinblickUserAdmin(UserAdmin):
    fieldsets = [
        *UserAdmin.fieldsets,
        (
            "Einblick",
            {
                "fields": [
                    "nickname",
                    "school_year",
                    "is_pupil",
                    "is_teacher",
                    "is_provider",
                    "school",
                    "school_class",
                ]
            },
        ),
    ]
    list_display = ["username", "nickname", "email", "is_pupil", "is_teacher", "is_staff"]


admin.site.register(School)
admin.site.register(SchoolClass)
