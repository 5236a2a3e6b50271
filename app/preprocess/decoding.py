"""Encoded input to decoded pixels: base64 and data: URLs to bytes, bytes to a checked, upright image.

Limits are checked as early as they can be: the encoded size before decoding base64, the pixel
count from the image header before any pixel is decoded, so a request's total pixels can be
counted (`app/image_work.py`) before decoding is paid for.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from app.preprocess.input_errors import (
    ImageTooLarge,
    InputError,
    InvalidBase64,
    NotAnImage,
    PayloadTooLarge,
    UnsupportedFormat,
)

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
ALLOWED_MIME_TYPES = {f"image/{name}" for name in ("png", "jpeg", "jpg", "webp", "gif", "bmp", "x-ms-bmp")}
EXPECTED_IMAGE = "a PNG, JPEG, WebP, GIF or BMP image"


@dataclass(frozen=True)
class Limits:
    max_encoded_bytes: int = 4 * 1024 * 1024
    max_pixels: int = 16_000_000  # decoded width x height; Pillow's own bomb guard stays on above this


_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[\w.+-]+=[\w.+-]+)*)(?P<b64>;base64)?,", re.I)


def decode_base64(text: str, limits: Limits = Limits()) -> bytes:
    """Bytes from standard base64 or a `data:image/...;base64,` URL (size checked before decoding)."""
    match = _DATA_URL.match(text[:200])
    if match:
        mime = (match["mime"] or "").lower()
        if mime not in ALLOWED_MIME_TYPES:
            raise UnsupportedFormat(f"data URL of type '{mime or 'none'}'; expected {EXPECTED_IMAGE} (data:image/png;base64,...)")
        if not match["b64"]:
            raise InvalidBase64("data URL is not base64-encoded; expected data:image/<type>;base64,<data>")
        text = text[match.end() :]
    compact = "".join(text.split())
    if len(compact) > (limits.max_encoded_bytes * 4) // 3 + 4:
        raise PayloadTooLarge(f"encoded image is over {limits.max_encoded_bytes:,} bytes")
    if not compact:
        raise InvalidBase64("empty image string; expected base64 of an image or a data: URL")
    try:
        return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidBase64(f"image is not valid base64 ({exc}); expected standard base64 or a data: URL") from exc


def peek_image(data: bytes, limits: Limits = Limits()) -> Image.Image:
    """The image's format and size from its header, checked against `limits`; no pixel is decoded yet
    (so a request's total pixels can be counted before any decoding is paid for)."""
    if len(data) > limits.max_encoded_bytes:
        raise PayloadTooLarge(f"image is {len(data):,} bytes, over the limit of {limits.max_encoded_bytes:,}")
    if not data:
        raise NotAnImage(f"empty file; expected {EXPECTED_IMAGE}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        except UnidentifiedImageError:
            raise _unidentified(data) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageTooLarge(f"image rejected as a decompression bomb ({exc})") from exc
        except (OSError, ValueError, SyntaxError) as exc:
            raise NotAnImage(f"cannot read the image ({exc}); expected {EXPECTED_IMAGE}") from exc
    width, height = image.size
    if width * height > limits.max_pixels:
        raise ImageTooLarge(f"image is {width}x{height} pixels, over the limit of {limits.max_pixels:,} pixels")
    return image


def load_image(image: Image.Image) -> Image.Image:
    """Decode a peeked image's pixels (one still frame only), turned upright as its EXIF says."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        if getattr(image, "n_frames", 1) > 1:
            raise UnsupportedFormat(f"animated {image.format} with {image.n_frames} frames; expected a single still image")
        try:
            image.load()
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise NotAnImage(f"the {image.format} image is truncated or corrupt ({exc})") from exc
    return _upright(image)


def _upright(image: Image.Image) -> Image.Image:
    """Turned as EXIF says: a phone stores a photo taken sideways as the sensor saw it, plus an Orientation tag."""
    if image.getexif().get(ExifTags.Base.Orientation, 1) == 1:
        return image  # (exif_transpose would copy the image even then)
    return ImageOps.exif_transpose(image)


def _unidentified(data: bytes) -> InputError:
    """Say 'unsupported format' for images of other formats, 'not an image' for the rest."""
    try:
        other = Image.open(io.BytesIO(data))
        return UnsupportedFormat(f"{other.format} images are not accepted; expected {EXPECTED_IMAGE}")
    except Exception:
        return NotAnImage(f"the data is not a recognisable image; expected {EXPECTED_IMAGE}")
