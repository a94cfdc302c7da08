from django.db.models import Count, QuerySet

from .models import School, SchoolClass


def classes_of_teacher(user) -> QuerySet[SchoolClass]:
    return (
        SchoolClass.objects.filter(teacher=user)
        .select_related("school__place")
        .annotate(pupil_count=Count("pupils"))
    )


def class_for_teacher(user, pk: int) -> SchoolClass:
    """The teacher's own class; another teacher's class raises DoesNotExist (answered with 404)."""
    return classes_of_teacher(user).get(pk=pk)


def class_by_code(code: str) -> SchoolClass | None:
    code = "".join((code or "").split()).upper()
    return SchoolClass.objects.select_related("school").filter(code=code).first()


def schools() -> QuerySet[School]:
    return School.objects.select_related("place").order_by("name")
