"""Where attachment files live: the "attachments" entry of settings.STORAGES, never a public URL.

By default a folder outside MEDIA and STATIC (settings.SWS_ATTACHMENTS_ROOT, files 0600); in production an
S3-compatible object store through django-storages (settings: ATTACHMENTS_S3_* environment variables,
docs/attachments.md). Either way the files are read by the app and streamed by the scoped download view
(attachments.views.download): no web server maps the folder and no bucket URL is ever handed out.
"""

import uuid

from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty

STORAGE_ALIAS = "attachments"


class PrivateFileSystemStorage(FileSystemStorage):
    """The file system, without URLs: asking one is a bug (files leave only through the download view)."""

    def url(self, name):
        raise NotImplementedError("附件不通过URL提供，只能经附件下载页面读取。")


class _AttachmentStorage(LazyObject):
    """storages["attachments"], looked up on first use (and again when a test changes STORAGES)."""

    def _setup(self):
        self._wrapped = storages[STORAGE_ALIAS]


attachment_storage_object = _AttachmentStorage()


def attachment_storage():
    """The FileField's storage (a callable, so migrations name it instead of freezing a backend)."""
    return attachment_storage_object


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        attachment_storage_object._wrapped = empty


def stored_name(extension: str) -> str:
    """A fresh name for a stored file: month folder and a random id, never the uploader's file name
    (which could hold a path, personal data or a misleading extension)."""
    today = timezone.localdate()
    return f"{today:%Y/%m}/{uuid.uuid4().hex}.{extension}"
