"""Draw the PWA's icons (pwa/icons/*.png) with the standard library only.

A white "A" with a check stroke on the app's blue; the "any" icons have
rounded corners, the maskable ones fill the square and keep the drawing
inside the central safe zone. Run: python tests/pwa/make_icons.py
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

BLUE = (11, 79, 138)
WHITE = (255, 255, 255)
ICONS = Path(__file__).resolve().parents[2] / "pwa" / "icons"


def _segment_distance(
    px: float, py: float, a: tuple[float, float], b: tuple[float, float]
) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _coverage(distance: float, half_width: float) -> float:
    """Anti-aliased coverage of a stroke at ``distance`` from its middle."""
    return max(0.0, min(1.0, half_width - distance + 0.5))


def draw(size: int, maskable: bool) -> bytes:
    scale = 0.62 if maskable else 0.78
    half = size / 2

    # The glyph in a unit box centred on the icon, scaled to the safe zone.
    def at(x: float, y: float) -> tuple[float, float]:
        return (half + (x - 0.5) * size * scale, half + (y - 0.5) * size * scale)

    strokes = [
        (at(0.14, 0.92), at(0.5, 0.08)),
        (at(0.5, 0.08), at(0.86, 0.92)),
        (at(0.3, 0.62), at(0.45, 0.76)),
        (at(0.45, 0.76), at(0.72, 0.48)),
    ]
    width = size * scale * 0.065
    radius = size * 0.2
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            alpha = 1.0
            if not maskable:
                cx = min(max(px, radius), size - radius)
                cy = min(max(py, radius), size - radius)
                outside = math.hypot(px - cx, py - cy)
                alpha = max(0.0, min(1.0, radius - outside + 0.5)) if outside else 1.0
            ink = max(_coverage(_segment_distance(px, py, a, b), width) for a, b in strokes)
            colour = [round(BLUE[i] * (1 - ink) + WHITE[i] * ink) for i in range(3)]
            row += bytes([*colour, round(alpha * 255)])
        rows.append(bytes(row))
    return _png(size, b"".join(rows))


def _png(size: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (ICONS / f"icon-{size}.png").write_bytes(draw(size, maskable=False))
        (ICONS / f"maskable-{size}.png").write_bytes(draw(size, maskable=True))


if __name__ == "__main__":
    main()
