"""Turn any drawing or upload into the 28x28 digit the network was trained on.

The network only answers well on inputs made the way MNIST's digits were, so every input path
(canvas, upload, every API flavour) comes through here, one module per step:

    bytes / base64 / data: URL -> decode (allowed formats, size limits)           decoding.py
      -> grey ink in [0, 1] (transparency composited, polarity normalised to light-on-dark)   ink.py
      -> find the ink (specks and JPEG noise ignored) -> crop
      -> stroke width brought into MNIST's range -> longer side to 20 px, anti-aliased
      -> centre of mass to the centre of 28x28                                     framing.py
    28x28 or 784 numbers already prepared -> checked, used as they are             pixels.py

Every rejection is a `InputError` subclass (`input_errors.py`) with a stable `code`, a message
saying what is wrong, and what is expected; the API turns them into 4xx answers. Nothing here
knows about HTTP. The names other code uses are importable from `app.preprocess` itself.
"""

from __future__ import annotations

from PIL import Image

from app.preprocess.decoding import Limits, decode_base64, load_image, peek_image
from app.preprocess.framing import Prepared, frame_like_mnist
from app.preprocess.ink import image_to_ink
from app.preprocess.input_errors import (
    ImageTooLarge,
    InputError,
    InvalidBase64,
    InvalidPixels,
    NotAnImage,
    PayloadTooLarge,
    UnsupportedFormat,
)
from app.preprocess.pixels import check_rows, prepare_pixels

__all__ = [
    "ImageTooLarge",
    "InputError",
    "InvalidBase64",
    "InvalidPixels",
    "Limits",
    "NotAnImage",
    "PayloadTooLarge",
    "Prepared",
    "UnsupportedFormat",
    "check_rows",
    "decode_base64",
    "frame_like_mnist",
    "image_to_ink",
    "load_image",
    "peek_image",
    "prepare_image_bytes",
    "prepare_image_string",
    "prepare_peeked",
    "prepare_pixels",
]


def prepare_image_bytes(data: bytes, limits: Limits = Limits()) -> Prepared:
    """An encoded image file (upload, or the bytes behind base64) -> the 28x28 the network sees."""
    return prepare_peeked(peek_image(data, limits))


def prepare_peeked(image: Image.Image) -> Prepared:
    """An image opened by `peek_image` (header read, pixels not yet decoded) -> the 28x28 the network sees."""
    return frame_like_mnist(image_to_ink(load_image(image)))


def prepare_image_string(text: str, limits: Limits = Limits()) -> Prepared:
    """A base64 string or a data: URL of an image -> the 28x28 the network sees."""
    return prepare_image_bytes(decode_base64(text, limits), limits)
