"""Turn any drawing or upload into the 28x28 digit the network was trained on.

MNIST digits were made a specific way (LeCun, Cortes, Burges): the ink was size-normalised
to fit a 20x20 box keeping its aspect ratio, anti-aliased to grey levels, then placed in a
28x28 field so that its centre of mass sits at the centre (pixel 14, 14). The network only
answers well on inputs made the same way, so every input path (canvas, upload, every API
flavour) comes through here:

    bytes / base64 / data: URL -> decode (allowed formats, size limits)
      -> grey ink in [0, 1] (transparency composited, polarity normalised to light-on-dark)
      -> find the ink (specks and JPEG noise ignored) -> crop
      -> stroke width brought into MNIST's range -> longer side to 20 px, anti-aliased
      -> centre of mass to the centre of 28x28

Every rejection is a `InputError` subclass with a stable `code`, a message saying what
is wrong, and what is expected; the API turns them into 4xx answers. Nothing here knows
about HTTP.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

from model.shapes import ROWS

SIDE = ROWS  # the model's input is square: model.shapes.ROWS == COLS
BOX = 20  # the longer side of the ink after size normalisation, as in MNIST
CENTRE = 14.0  # MNIST's centre of mass sits at pixel (14, 14) (measured: mean 13.99, 14.00)

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
ALLOWED_MIME_TYPES = {f"image/{name}" for name in ("png", "jpeg", "jpg", "webp", "gif", "bmp", "x-ms-bmp")}
EXPECTED_IMAGE = "a PNG, JPEG, WebP, GIF or BMP image"

INK_THRESHOLD = 0.25  # ink level (after contrast normalisation) that counts as a stroke
MIN_CONTRAST = 0.15  # ink no brighter than this above the background means an empty drawing
MIN_COMPONENT_SHARE = 0.03  # strokes holding less of the ink than this are specks
MIN_INK_EXTENT = 0.06  # ink spanning less than this share of the image's longer side is a speck
ANALYSIS_SIDE = 140  # larger images are box-reduced to 140-279 px first: 7x the 20 px target is plenty, and 4x faster than 280
STROKE_RANGE = (2.0, 3.2)  # stroke width (px at the 20 px scale): MNIST test set 5-95% range, same estimator
MIN_PIXEL_INK = 2.0  # a prepared 28x28 holding less ink than two full pixels is empty


@dataclass(frozen=True)
class Limits:
    max_encoded_bytes: int = 4 * 1024 * 1024
    max_pixels: int = 16_000_000  # decoded width x height; Pillow's own bomb guard stays on above this


@dataclass(frozen=True)
class Prepared:
    pixels: np.ndarray  # float32 [28, 28], light ink on a dark background, in [0, 1]
    empty: bool  # no digit drawn: the service says "draw a digit" instead of guessing


class InputError(ValueError):
    """Input we cannot turn into a digit; `code` is stable, the message says what was expected."""

    code = "invalid_input"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PayloadTooLarge(InputError):
    code = "payload_too_large"


class InvalidBase64(InputError):
    code = "invalid_base64"


class NotAnImage(InputError):
    code = "not_an_image"


class UnsupportedFormat(InputError):
    code = "unsupported_format"


class ImageTooLarge(InputError):
    code = "image_too_large"


class InvalidPixels(InputError):
    code = "invalid_pixels"


# ---------------------------------------------------------------------------- decoding

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


# ------------------------------------------------------------------- grey ink from pixels


def image_to_ink(image: Image.Image) -> np.ndarray:
    """Float ink in [0, 1] (1 = full ink) from any image mode, alpha and polarity handled."""
    image = _reduce(image)
    grey, alpha = _grey_and_alpha(image)
    if alpha is not None:
        # Composite onto whichever background contrasts with the strokes: black strokes on a
        # transparent canvas go onto white, white strokes onto black.
        opaque = alpha > 0.5
        strokes_dark = opaque.any() and float(np.median(grey[opaque])) < 0.5
        background = 1.0 if strokes_dark else 0.0
        grey = grey * alpha + background * (1.0 - alpha)
    background_level = float(np.median(grey[::2, ::2]))  # most pixels are background; a quarter of them tell
    ink = 1.0 - grey if background_level > 0.5 else grey
    return ink - min(background_level, 1.0 - background_level)


def _reduce(image: Image.Image) -> Image.Image:
    """Box-reduce by a whole factor to ANALYSIS_SIDE..2*ANALYSIS_SIDE px: a 1 px line just gets fainter."""
    factor = max(image.size) // ANALYSIS_SIDE
    if factor < 2:
        return image
    if image.mode not in ("L", "LA", "RGB", "RGBA", "I", "F"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    return image.reduce(factor)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("LA", "RGBA", "PA", "La", "RGBa") or "transparency" in image.info


def _grey_and_alpha(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    if image.mode.startswith("I") or image.mode == "F":  # 16/32-bit grey: keep the full range
        values = np.asarray(image, dtype=np.float32)
        top = 65535.0 if values.max(initial=0) > 255 else 255.0
        return np.clip(values / top, 0.0, 1.0), None
    if _has_alpha(image):
        rgba = image.convert("RGBA")
        grey = np.asarray(rgba.convert("L"), dtype=np.float32) / 255.0  # ITU-R 601 luma, in C
        alpha = rgba.getchannel("A")
        if alpha.getextrema()[0] == 255:  # opaque after all, like a browser canvas export
            return grey, None
        return grey, np.asarray(alpha, dtype=np.float32) / 255.0
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0, None


# ------------------------------------------------------------------ MNIST-style framing


def frame_like_mnist(ink: np.ndarray) -> Prepared:
    """Crop the ink, normalise stroke and size, centre by mass in 28x28 (see module docstring)."""
    # The ink's full strength. (A percentile would ignore hot pixels, but also a short hairline:
    # specks are dropped below instead, by the size of their connected ink.)
    peak = float(ink.max(initial=0.0))
    if peak < MIN_CONTRAST:
        return _empty()
    ink = np.clip(ink / peak, 0.0, 1.0)
    kept = _ink_mask(ink)
    if kept is None:
        return _empty()
    top, bottom, left, right = _bounds(kept)
    # Only ink belonging to kept strokes (and its anti-aliased rim) survives the crop.
    rim = ndimage.maximum_filter(kept[top:bottom, left:right], size=5)
    crop = np.where(rim, ink[top:bottom, left:right], 0.0).astype(np.float32)
    crop = _normalise_stroke(crop, BOX / max(crop.shape))
    top, bottom, left, right = _bounds(crop > INK_THRESHOLD)
    crop = crop[top:bottom, left:right]

    scale = BOX / max(crop.shape)
    height = max(1, round(crop.shape[0] * scale))
    width = max(1, round(crop.shape[1] * scale))
    small = np.asarray(Image.fromarray(crop, mode="F").resize((width, height), Image.Resampling.BILINEAR))
    small = np.clip(small / max(float(small.max()), 1e-6), 0.0, 1.0)  # a thin line stays full-strength
    return Prepared(_centre_by_mass(small), empty=False)


def _bounds(mask: np.ndarray) -> tuple[int, int, int, int]:
    """top, bottom, left, right (exclusive) of the True pixels of a non-empty mask."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _ink_mask(ink: np.ndarray) -> np.ndarray | None:
    """Strokes: connected ink above threshold. Specks are dropped: pieces spanning less than
    MIN_INK_EXTENT of the image, or holding less than MIN_COMPONENT_SHARE of all the ink."""
    mask = ink > INK_THRESHOLD
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    if count == 0:
        return None
    mass = np.bincount(labels.ravel(), weights=ink.ravel(), minlength=count + 1)
    extent = np.zeros(count + 1)
    extent[1:] = [max(rows.stop - rows.start, cols.stop - cols.start) for rows, cols in ndimage.find_objects(labels)]
    keep = (mass >= MIN_COMPONENT_SHARE * mass[1:].sum()) & (extent >= MIN_INK_EXTENT * max(ink.shape))
    keep[0] = False  # background
    return keep[labels] if keep.any() else None


def _normalise_stroke(crop: np.ndarray, scale: float) -> np.ndarray:
    """Thicken hairlines and thin marker strokes so that, at 20 px, strokes are MNIST-like."""
    mask = crop > 0.5
    area = int(mask.sum())
    perimeter = int((mask & ~ndimage.minimum_filter(mask, size=3)).sum())
    if area == 0 or perimeter == 0:
        return crop
    width = 2.0 * area / perimeter  # stroke width in source pixels (exact for long thin strokes)
    low, high = STROKE_RANGE
    if width * scale < low:
        grow = round((low / scale - width) / 2)
        if grow < 1:
            return crop
        return ndimage.grey_dilation(np.pad(crop, grow), size=(2 * grow + 1,) * 2)
    if width * scale > high:
        shrink = round((width - high / scale) / 2)
        if shrink < 1:
            return crop
        thinner = ndimage.grey_erosion(crop, size=(2 * shrink + 1,) * 2)
        return thinner if (thinner > INK_THRESHOLD).any() else crop
    return crop


def _centre_by_mass(small: np.ndarray) -> np.ndarray:
    """Place a <=20x20 digit in 28x28 so its centre of mass lands on pixel (14, 14) (whole-pixel shift)."""
    pad = SIDE
    canvas = np.zeros((small.shape[0] + 2 * pad, small.shape[1] + 2 * pad), dtype=np.float32)
    canvas[pad : pad + small.shape[0], pad : pad + small.shape[1]] = small
    com_row, com_col = ndimage.center_of_mass(small)
    top = pad + int(round(com_row - CENTRE))
    left = pad + int(round(com_col - CENTRE))
    return canvas[top : top + SIDE, left : left + SIDE].copy()


def _empty() -> Prepared:
    return Prepared(np.zeros((SIDE, SIDE), dtype=np.float32), empty=True)


# ------------------------------------------------------------------------ entry points


def prepare_image_bytes(data: bytes, limits: Limits = Limits()) -> Prepared:
    """An encoded image file (upload, or the bytes behind base64) -> the 28x28 the network sees."""
    return prepare_peeked(peek_image(data, limits))


def prepare_peeked(image: Image.Image) -> Prepared:
    """An image opened by `peek_image` (header read, pixels not yet decoded) -> the 28x28 the network sees."""
    return frame_like_mnist(image_to_ink(load_image(image)))


def prepare_image_string(text: str, limits: Limits = Limits()) -> Prepared:
    """A base64 string or a data: URL of an image -> the 28x28 the network sees."""
    return prepare_image_bytes(decode_base64(text, limits), limits)


def prepare_pixels(values: object) -> Prepared:
    """Already-prepared input: 28x28 or 784 numbers in [0, 1], light ink on dark, used as they are."""
    array = check_rows(values, "pixels")
    return Prepared(array[0], empty=float(array.sum()) < MIN_PIXEL_INK)


def check_rows(values: object, name: str = "input", *, batched: bool = False) -> np.ndarray:
    """Prepared digits as float32 [N, 28, 28], from one digit (28x28 or 784) or, if batched, N of them.

    Raises InvalidPixels naming `name` when the numbers are not numbers, not that shape, or not in [0, 1].
    """
    expected = f"{'N x ' if batched else ''}28x28 (or {'N x ' if batched else ''}784) numbers in [0, 1]"
    try:
        with np.errstate(over="ignore"):  # 1e40 becomes inf, reported below
            array = np.asarray(values, dtype=np.float32)
    except (ValueError, TypeError, OverflowError):
        raise InvalidPixels(f"{name} must be numbers in nested lists; expected {expected}") from None
    if batched and (array.ndim == 0 or array.shape[0] == 0):
        raise InvalidPixels(f"{name} holds no digits; expected {expected}")
    digits = array.shape[:1] if batched else ()
    if array.shape == digits + (SIDE * SIDE,):
        array = array.reshape(digits + (SIDE, SIDE))
    if array.shape != digits + (SIDE, SIDE):
        raise InvalidPixels(f"{name} has shape {list(array.shape)}; expected {expected}")
    if not np.isfinite(array).all():
        raise InvalidPixels(f"{name} contains NaN, infinity or numbers too large for float32; expected {expected}")
    low, high = float(array.min()), float(array.max())
    if low < 0.0 or high > 1.0:
        raise InvalidPixels(f"{name} values range from {low:g} to {high:g}; expected [0, 1] (divide 0-255 values by 255)")
    return array.reshape((-1, SIDE, SIDE))
