"""Uploaded photos: only real images, by content not name; within the size limit; upright; and
stored without their EXIF block (the phone's GPS position, model and time)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.photos import process_photo

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def phone_photo(width=400, height=300, orientation=1) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, the time, an orientation and a GPS position."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    image.paste((40, 40, 200), (0, 0, width // 2, height))  # left half blue: shows which way is up
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:11:24 09:30:00"  # DateTime
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (39.0, 54.0, 57.0), 3: "E", 4: (116.0, 23.0, 31.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_the_stored_photo_has_no_exif_and_no_gps_position():
    original = phone_photo()
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(GPS_IFD)  # the upload does carry a position
    stored = process_photo(SimpleUploadedFile("IMG_0001.jpg", original, content_type="image/jpeg")).read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {} and not image.getexif().get_ifd(GPS_IFD)
        assert b"PhoneMaker" not in stored and "exif" not in image.info


def test_a_photo_taken_sideways_is_stored_upright():
    # Orientation 6: the camera held rotated, the viewer turns it 90° clockwise.
    stored = process_photo(SimpleUploadedFile("side.jpg", phone_photo(400, 300, orientation=6))).read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (300, 400)
        top_left, bottom_left = image.getpixel((5, 5)), image.getpixel((5, 395))
        assert top_left[2] > 150 and bottom_left[0] > 150  # blue half on top after turning


@pytest.mark.parametrize("name, content", [
    ("photo.jpg", b"%PDF-1.7 not an image at all"),
    ("photo.jpg", b"<script>alert(1)</script>"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),  # a PNG header and nothing behind it
])
def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(name, content):
    with pytest.raises(ValidationError, match="not a photo we can read"):
        process_photo(SimpleUploadedFile(name, content, content_type="image/jpeg"))


def test_a_photo_over_the_size_limit_is_refused(settings):
    settings.PHOTO_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"\x00" * (1024 * 1024 + 1), content_type="image/jpeg")
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        process_photo(upload)
