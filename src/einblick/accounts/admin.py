from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, ParentalConsent, School, SchoolClass, User

CONSENT_STATE_LABELS = {
    "parent": _("confirmed"),
    "pending": _("waiting for the answer"),
    "declined": _("declined or withdrawn"),
    "expired": _("expired"),
}


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
                    "consent_age_declared_at",
                ]
            },
        ),
    ]
    readonly_fields = ["consent_age_declared_at"]
    list_display = ["username", "nickname", "email", "is_pupil", "is_teacher", "is_staff"]

    def save_model(self, request, obj, form, change):
        obj._audit_actor = request.user  # role changes are logged with who made them (accounts.audit)
        super().save_model(request, obj, form, change)


@admin.register(ParentalConsent)
class ParentalConsentAdmin(admin.ModelAdmin):
    """Read-mostly: only the parent answers (by link); staff may look and delete. The link key is not shown."""

    list_display = ["pupil", "purpose", "label", "state_display", "created_at", "confirmed_at", "declined_at"]
    list_filter = ["confirmed_at", "declined_at"]
    search_fields = ["purpose", "label", "pupil__username", "pupil__nickname", "parent_email"]
    list_select_related = ["pupil"]
    fields = [
        "pupil",
        "purpose",
        "label",
        "parent_email",
        "created_at",
        "expires_at",
        "confirmed_at",
        "declined_at",
        "state_display",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("state"))
    def state_display(self, obj: ParentalConsent) -> str:
        return CONSENT_STATE_LABELS.get(obj.state, obj.state)


admin.site.register(School)
admin.site.register(SchoolClass)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log cannot be changed or deleted in the back office."""

    list_display = ["at", "actor_name", "action", "target"]
    list_filter = ["action"]
    search_fields = ["actor_name", "target"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
