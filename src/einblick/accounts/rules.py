"""Who may do what with accounts, schools and classes. The only place such checks live."""

from .models import SchoolClass


def can_manage_classes(user) -> bool:
    return user.is_authenticated and user.is_teacher


def can_view_class(user, school_class: SchoolClass) -> bool:
    return user.is_authenticated and (school_class.teacher_id == user.pk or user.is_staff)
