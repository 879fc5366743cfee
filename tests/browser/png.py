"""Just enough PNG decoding (stdlib only) to look at a Chromium screenshot's pixels."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {2: 3, 6: 4}  # truecolour, truecolour with alpha


@dataclass(frozen=True)
class Image:
    """Decoded pixels, row by row, each pixel as an RGB tuple."""

    width: int
    height: int
    rows: list[bytes]
    channels: int

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        start = x * self.channels
        r, g, b = self.rows[y][start : start + 3]
        return (r, g, b)

    def colours(self, step: int = 7) -> set[tuple[int, int, int]]:
        """Distinct colours on a sparse grid (enough to tell a page from a blank one)."""
        return {
            self.pixel(x, y)
            for y in range(0, self.height, step)
            for x in range(0, self.width, step)
        }


def decode(data: bytes, max_rows: int | None = None) -> Image:
    """8-bit, non-interlaced RGB or RGBA PNG, which is what Chromium writes.

    ``max_rows`` decodes only the top of the image (pure Python is slow; rows only depend on
    the rows above them), ``height`` is then the number of rows decoded.
    """
    assert data.startswith(SIGNATURE), "not a PNG"
    offset, idat, header = len(SIGNATURE), b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in _CHANNELS and not interlace, "unsupported PNG layout"
    channels, rows = _CHANNELS[colour], min(height, max_rows or height)
    return Image(width, rows, _unfilter(zlib.decompress(idat), width, rows, channels), channels)


def _unfilter(raw: bytes, width: int, height: int, bpp: int) -> list[bytes]:
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + _predict(kind, left, up, corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return rows


def _predict(kind: int, left: int, up: int, corner: int) -> int:
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    # Paeth (PNG spec 9.4): the neighbour closest to left + up - corner.
    guess = left + up - corner
    return min(
        (abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner)
    )[2]
