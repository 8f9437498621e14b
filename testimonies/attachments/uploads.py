"""Receiving an attachment's bytes: in memory, and no further than the limit.

Django's default handlers spool an upload past 2.5 MB to a temporary file:
a witness's photo in the clear on the server's disk, outside the sealed
store. This handler keeps the file in memory, and stops keeping it as soon
as it passes settings.ATTACHMENT_MAX_BYTES (the rest of the request is
drained and discarded, not stored), so that one upload takes at most that
much memory. The view installs it on its own requests only.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

FILE_FIELD = "file"
# Room for the other fields and the multipart boundaries of one upload.
FORM_OVERHEAD = 64 * 1024


def request_too_large(request) -> bool:
    """Does the request announce a body bigger than any accepted upload?
    Asked before the body is read at all."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.ATTACHMENT_MAX_BYTES + FORM_OVERHEAD


class AttachmentUploadHandler(FileUploadHandler):
    """One file (the form's `file` field), held in memory up to the limit.
    `too_large` tells the view that a file was refused for its size."""

    def __init__(self, request=None):
        super().__init__(request)
        self.too_large = False
        self.received_file = False
        self.buffer = None
        self.received = 0

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        if field_name != FILE_FIELD or self.received_file or self.too_large:
            raise SkipFile  # one file per upload, in its field only
        self.buffer = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.ATTACHMENT_MAX_BYTES:
            self.too_large = True
            self.buffer = None
            raise SkipFile
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.buffer is None:
            return None
        self.received_file = True
        self.buffer.seek(0)
        uploaded = InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
        self.buffer = None
        return uploaded
