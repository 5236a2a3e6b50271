"""Why an input cannot become a digit: one exception per reason, each with a stable `code`.

The API turns them into 4xx answers in the house shape (`app/errors.py`); nothing here knows about HTTP.
"""

from __future__ import annotations


class InputError(ValueError):
    """Input we cannot turn into a digit; `code` is stable, the message says what was expected."""

    code = "invalid_input"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PayloadTooLarge(InputError):
    """The encoded bytes (or the base64 text) are over `Limits.max_encoded_bytes`."""

    code = "payload_too_large"


class InvalidBase64(InputError):
    """The text is not base64, or a data: URL that is not base64-encoded."""

    code = "invalid_base64"


class NotAnImage(InputError):
    """Empty, unrecognisable, truncated or corrupt image data."""

    code = "not_an_image"


class UnsupportedFormat(InputError):
    """A real image, but of a format (or an animation) the service does not take."""

    code = "unsupported_format"


class ImageTooLarge(InputError):
    """More decoded pixels than `Limits.max_pixels`, or a decompression bomb."""

    code = "image_too_large"


class InvalidPixels(InputError):
    """Already-prepared numbers that are not 28x28 (or 784) finite values in [0, 1]."""

    code = "invalid_pixels"
