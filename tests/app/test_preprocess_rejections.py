"""Preprocessing's refusals: every bad image, size or encoding its own `InputError` with a stable code,
before any costly decoding where it can be; random bytes are an image or such an error, never a crash."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.preprocess import (
    ImageTooLarge,
    InputError,
    InvalidBase64,
    InvalidPixels,
    Limits,
    NotAnImage,
    PayloadTooLarge,
    UnsupportedFormat,
    prepare_image_bytes,
    prepare_image_string,
)
from tests.app.images import drawing, encode, png_bomb


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(ImageTooLarge, match="5000x5000 pixels, over the limit of 16,000,000"):
        prepare_image_bytes(png_bomb(5_000, 5_000))


def test_pillow_bomb_guard_stays_on_beyond_our_limit():
    with pytest.raises(ImageTooLarge, match="decompression bomb"):
        prepare_image_bytes(png_bomb(20_000, 20_000), Limits(max_pixels=10**12))


def test_oversize_payload():
    data = encode(drawing())
    with pytest.raises(PayloadTooLarge, match="over the limit"):
        prepare_image_bytes(data, Limits(max_encoded_bytes=len(data) - 1))
    with pytest.raises(PayloadTooLarge):
        prepare_image_string(base64.b64encode(data).decode(), Limits(max_encoded_bytes=len(data) // 2))


def test_truncated_png():
    with pytest.raises(NotAnImage, match="truncated or corrupt"):
        prepare_image_bytes(encode(drawing())[:400])


@pytest.mark.parametrize("data", [b"hello, this is a text file renamed digit.png", b"\x00" * 100, b""])
def test_non_image(data):
    with pytest.raises(NotAnImage):
        prepare_image_bytes(data)


def test_unsupported_formats():
    with pytest.raises(UnsupportedFormat, match="TIFF images are not accepted"):
        prepare_image_bytes(encode(drawing(), "TIFF"))
    with pytest.raises(UnsupportedFormat, match="data URL of type 'text/plain'"):
        prepare_image_string("data:text/plain;base64,aGVsbG8=")


def test_animated_gif():
    frames = [drawing(), drawing(shape="one")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(UnsupportedFormat, match="animated GIF with 2 frames"):
        prepare_image_bytes(data)


@pytest.mark.parametrize("text", ["not base64 at all!", "data:image/png,rawdata", "===="])
def test_bad_base64(text):
    with pytest.raises(InvalidBase64):
        prepare_image_string(text)


def test_each_rejection_has_its_own_code():
    codes = {cls.code for cls in (PayloadTooLarge, InvalidBase64, NotAnImage, UnsupportedFormat, ImageTooLarge, InvalidPixels)}
    assert len(codes) == 6


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_never_crash(data):
    """Random bytes are an image or a typed InputError, never anything else."""
    try:
        prepared = prepare_image_bytes(data)
    except InputError:
        return
    assert prepared.pixels.shape == (28, 28)
