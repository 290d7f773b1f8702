"""Photos of reports: at most 3, each at most 5 MB, decoded with Pillow (whatever the
browser says the type is), turned upright from the EXIF orientation, resized to at most
1280 pixels on the longest side and saved again as JPEG *without* any metadata (EXIF, GPS,
XMP and ICC are dropped because only the pixels are copied)."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from comuna.core.errors import DomainError

MAX_PHOTOS = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1280
MAX_PIXELS = 40_000_000
QUALITY = 80
FIELD = "photos"


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    width: int
    height: int


def _refuse(message: str) -> DomainError:
    return DomainError(message, code="bad_photo", fields={FIELD: [message]})


def clean_photo(upload: UploadedFile, number: int = 1) -> CleanPhoto:
    """The photo as a resized JPEG without metadata, or DomainError naming the field."""
    size = int(upload.size or 0)
    if size == 0:
        raise _refuse(_("Photo %(number)s is empty.") % {"number": number})
    if size > MAX_BYTES:
        raise _refuse(_("Photo %(number)s is larger than 5 MB.") % {"number": number})
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            probe.verify()
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise _refuse(_("Photo %(number)s has too many pixels.") % {"number": number})
            image.load()
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Warning):
        raise _refuse(
            _("File %(number)s is not a photo: send JPEG, PNG or WebP images.") % {"number": number}
        ) from None
    upright: Image.Image = ImageOps.exif_transpose(image) or image
    if upright.mode not in ("RGB", "L"):
        background = Image.new("RGB", upright.size, (255, 255, 255))
        rgba = upright.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        upright = background
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    # Copy the pixels only: no EXIF, GPS, XMP, ICC or comments survive.
    bare = Image.new(upright.mode, upright.size)
    bare.paste(upright)
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=QUALITY, optimize=True)
    return CleanPhoto(content=out.getvalue(), width=bare.width, height=bare.height)


def clean_photos(uploads: list[UploadedFile]) -> list[CleanPhoto]:
    if len(uploads) > MAX_PHOTOS:
        raise _refuse(_("At most 3 photos."))
    return [clean_photo(upload, number) for number, upload in enumerate(uploads, start=1)]
