"""Images the tests draw themselves: digit-like strokes in any format, size, colour and polarity."""

from __future__ import annotations

import base64
import io
import struct
import zlib

from PIL import Image, ImageDraw


def drawing(
    size: int = 280,
    box: tuple[int, int, int, int] = (100, 60, 180, 220),
    width: int = 18,
    *,
    ink: tuple[int, ...] = (0, 0, 0),
    paper: tuple[int, ...] = (255, 255, 255),
    mode: str = "RGB",
    shape: str = "seven",
) -> Image.Image:
    """A digit-like drawing: a '7' (bar + diagonal) or a '1' (vertical line) inside `box`."""
    image = Image.new(mode, (size, size), paper)
    pen = ImageDraw.Draw(image)
    left, top, right, bottom = box
    if shape == "seven":
        pen.line([(left, top), (right, top), (left + (right - left) // 3, bottom)], fill=ink, width=width, joint="curve")
    else:
        pen.line([((left + right) // 2, top), ((left + right) // 2, bottom)], fill=ink, width=width)
    return image


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def data_url(image: Image.Image, fmt: str = "PNG") -> str:
    return f"data:image/{fmt.lower()};base64," + base64.b64encode(encode(image, fmt)).decode()


def png_bomb(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels, with a tiny (truncated) body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")
