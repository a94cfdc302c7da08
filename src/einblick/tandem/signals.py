"""Files on disk go with their rows: deleting a file, a tandem, a need or a company deletes the stored files too."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Attachment


@receiver(post_delete, sender=Attachment)
def attachment_file_delete(sender, instance: Attachment, **kwargs) -> None:
    if instance.file:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))
