"""The join URL as a QR code, rendered on the server as SVG (segno: pure Python, no CDN, no script)."""

from __future__ import annotations

import io


def qr_svg(url: str) -> bytes:
    """A standalone SVG document, black modules on white with the standard quiet zone; it scales
    to any size (a projector or a phone) because it has a viewBox and no fixed pixel size.
    (segno is imported here, by the first room's QR code, not in every cold start: ~25 ms.)"""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=1, dark="#000", light="#fff", border=4, omitsize=True, xmldecl=True, title="Join URL"
    )
    return buffer.getvalue()
