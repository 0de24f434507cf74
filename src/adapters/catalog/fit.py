"""Whether a rear cut-out lies inside the body outline, corner rounding included."""

import math

from domain.phones import Cutout

# Figures are given to a hundredth of a mm; this only absorbs float rounding.
_TOLERANCE_MM = 1e-6


def cutout_fits_body(
    cutout: Cutout, *, width_mm: float, height_mm: float, corner_radius_mm: float
) -> bool:
    """True when every point of `cutout` lies inside the back's rounded outline.

    The cut-out is its core rectangle grown by its corner radius r, and the body
    shrunk by r is again a rounded rectangle (its corner radius less r, or square
    corners once r passes it). Both are convex, so the cut-out fits exactly when
    the four corners of its core lie in the shrunk body.
    """
    r = cutout.effective_radius_mm
    left = cutout.x_mm + r
    top = cutout.y_mm + r
    right = cutout.x_mm + cutout.width_mm - r
    bottom = cutout.y_mm + cutout.height_mm - r
    core_corners = ((left, top), (right, top), (left, bottom), (right, bottom))

    inner_width = width_mm - 2 * r
    inner_height = height_mm - 2 * r
    inner_radius = max(corner_radius_mm - r, 0.0)
    return all(
        _in_rounded_rect(x, y, r, r, inner_width, inner_height, inner_radius)
        for x, y in core_corners
    )


def _in_rounded_rect(
    x: float, y: float, left: float, top: float, width: float, height: float, radius: float
) -> bool:
    right = left + width
    bottom = top + height
    if not (left - _TOLERANCE_MM <= x <= right + _TOLERANCE_MM):
        return False
    if not (top - _TOLERANCE_MM <= y <= bottom + _TOLERANCE_MM):
        return False
    # Distance past the straight part of the edges, zero along the sides.
    dx = max(left + radius - x, x - (right - radius), 0.0)
    dy = max(top + radius - y, y - (bottom - radius), 0.0)
    return math.hypot(dx, dy) <= radius + _TOLERANCE_MM
