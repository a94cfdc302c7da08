"""Private files: stored outside MEDIA_ROOT and served only by views that check who may see them (as downloads)."""

from functools import cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @cached_property
    def base_url(self):
        return None  # never a public URL


@cache
def private_storage() -> PrivateStorage:
    return PrivateStorage()
