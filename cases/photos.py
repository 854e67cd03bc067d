"""Photos arrive from phones at any size and orientation: check, turn upright, shrink, re-encode as JPEG.

Re-encoding also drops the EXIF block (which carries the phone's GPS track and model).
"""

from __future__ import annotations

import io
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 9
Image.MAX_IMAGE_PIXELS = 60_000_000  # refuse decompression bombs well below Pillow's default


def process_photo(upload) -> ContentFile:
    """A resized JPEG of an uploaded image, or ValidationError naming what is wrong."""
    name = getattr(upload, "name", "photo")
    if getattr(upload, "size", 0) and upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(_("%(name)s is larger than %(max)d MB.")
                              % {"name": name, "max": settings.PHOTO_MAX_BYTES // (1024 * 1024)})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            # A JPEG decodes at 1/2, 1/4 or 1/8 size straight away (DCT scaling) when that still covers the
            # final size: a 12-megapixel phone photo then costs a third of the CPU.
            side = settings.PHOTO_MAX_SIDE
            if max(image.size) > side:
                scale = side / max(image.size)
                image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            image.thumbnail((settings.PHOTO_MAX_SIDE, settings.PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            # No optimize=True: its second Huffman pass doubles the encoding time for files 9 % smaller.
            (image if image.mode in ("RGB", "L") else image.convert("RGB")).save(out, "JPEG", quality=85)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("%(name)s is not a photo we can read.") % {"name": name}) from exc
    return ContentFile(out.getvalue(), name="photo.jpg")


def process_photos(uploads) -> list[ContentFile]:
    uploads = list(uploads or [])
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS})
    return [process_photo(upload) for upload in uploads]


def checked_photos(uploads, error_class) -> list[ContentFile]:
    """``process_photos`` for an action: a bad upload is refused with ``error_class(message, field="photos")``
    (the action's own ``DomainError``)."""
    try:
        return process_photos(uploads)
    except ValidationError as error:
        raise error_class(" ".join(error.messages), field="photos") from error


def save_photos(files, make) -> None:
    """Store each processed photo on a new row: ``make()`` gives the unsaved row (its ``image`` field is
    filled here)."""
    for content in files:
        photo = make()
        photo.image.save(content.name, content, save=False)
        photo.save()


def stream_image(image):
    """A stored photo as a response (for views that have checked who may see it); 404 if the file is gone."""
    from django.http import FileResponse, Http404

    try:
        return FileResponse(image.open("rb"), content_type="image/jpeg")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
