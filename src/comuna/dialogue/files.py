"""Uploaded documents: PDF or images, at most 5 MB, recognised by their first bytes (the
browser's word for the type is not trusted)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from comuna.core.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


@dataclass(frozen=True)
class Checked:
    content_type: str
    size: int
    name: str


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, PNG, JPEG or WebP file from its first bytes."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def check_upload(upload: UploadedFile, field: str = "file") -> Checked:
    """Refuse (DomainError naming the field) what is too big, empty or not a PDF or image."""
    size = int(upload.size or 0)
    if size == 0:
        raise DomainError(_("The file is empty."), fields={field: [_("The file is empty.")]})
    if size > MAX_BYTES:
        message = _("The file is larger than 5 MB.")
        raise DomainError(message, fields={field: [message]})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        message = _("Only PDF documents and PNG, JPEG or WebP images can be attached.")
        raise DomainError(message, fields={field: [message]})
    content_type, extension = found
    stem = (upload.name or "documento").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    name = f"{get_valid_filename(stem)[:80] or 'documento'}.{extension}"
    return Checked(content_type=content_type, size=size, name=name)
