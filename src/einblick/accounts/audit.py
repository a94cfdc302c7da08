"""The audit log of staff actions on personal data and of role changes (issue #10): ``record`` writes one entry;
signals record role and company-membership changes wherever they happen (admin, back office, services)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import AuditEntry, User

ROLE_FIELDS = ("is_pupil", "is_teacher", "is_provider", "is_staff", "is_superuser", "is_active")


def _name(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return f"{user.get_username()} (#{user.pk})"


def record(actor, action: str, target: str = "", **detail) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) and actor.pk else None,
        actor_name=_name(actor),
        action=action,
        target=target[:200],
        detail=detail,
    )


# The request's user is not known in model signals: views that change roles set ``user._audit_actor``; otherwise
# the entry names no actor (e.g. a management command).


@receiver(pre_save, sender=User)
def _remember_roles(sender, instance: User, **kwargs) -> None:
    if instance.pk:
        instance._roles_before = dict(User.objects.filter(pk=instance.pk).values(*ROLE_FIELDS).first() or {})


@receiver(post_save, sender=User)
def _record_roles(sender, instance: User, created: bool, **kwargs) -> None:
    before = getattr(instance, "_roles_before", None)
    if created or not before:
        return
    changed = {
        f: [before[f], getattr(instance, f)] for f in ROLE_FIELDS if before.get(f) != getattr(instance, f)
    }
    if changed:
        record(
            getattr(instance, "_audit_actor", None),
            AuditEntry.Action.ROLE_CHANGED,
            _name(instance),
            **changed,
        )


def _membership_receivers():
    from einblick.catalog.models import CompanyMembership

    @receiver(post_save, sender=CompanyMembership, weak=False)
    def _member_added(sender, instance, created, **kwargs):
        if created:
            record(
                getattr(instance, "_audit_actor", None),
                AuditEntry.Action.MEMBERSHIP_ADDED,
                f"{instance.company.name}: {_name(instance.user)}",
                role=instance.role,
            )

    @receiver(post_delete, sender=CompanyMembership, weak=False)
    def _member_removed(sender, instance, **kwargs):
        record(
            getattr(instance, "_audit_actor", None),
            AuditEntry.Action.MEMBERSHIP_REMOVED,
            f"{instance.company_id}: user #{instance.user_id}",
        )
