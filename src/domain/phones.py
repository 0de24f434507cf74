"""Phone models: body outline, rear cut-outs and screen, each figure with its provenance."""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Provenance(StrEnum):
    """Where a figure comes from."""

    PUBLISHED = "published"
    DERIVED = "derived"
    ESTIMATED = "estimated"


class CutoutShape(StrEnum):
    ROUNDED_RECT = "rounded_rect"
    CIRCLE = "circle"
    STADIUM = "stadium"


@dataclass(frozen=True, slots=True)
class Cutout:
    """A hole in the skin for a raised camera module, lens or flash.

    Positions are in mm from the top-left corner of the back seen upright; (x, y)
    is the top-left of the shape's bounding box. A circle has equal width and
    height; a stadium's ends are half circles across its shorter side.
    """

    feature: str
    shape: CutoutShape
    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float
    corner_radius_mm: float
    provenance: Provenance

    @property
    def effective_radius_mm(self) -> float:
        """The corner radius that the shape's kind implies, capped by its size."""
        half = min(self.width_mm, self.height_mm) / 2
        if self.shape in (CutoutShape.CIRCLE, CutoutShape.STADIUM):
            return half
        return min(self.corner_radius_mm, half)


@dataclass(frozen=True, slots=True)
class PhoneModel:
    """One phone model and the figures a skin or wallpaper is cut from."""

    slug: str
    brand: str
    name: str
    year: int
    height_mm: float
    width_mm: float
    depth_mm: float
    corner_radius_mm: float
    corner_radius_provenance: Provenance
    screen_width_px: int
    screen_height_px: int
    screen_diagonal_in: float
    cutouts: tuple[Cutout, ...]
    source: str

    @property
    def brand_slug(self) -> str:
        return slugify(self.brand)

    @property
    def estimated(self) -> bool:
        """Whether any figure of the outline or its cut-outs is an estimate."""
        return self.corner_radius_provenance is Provenance.ESTIMATED or any(
            c.provenance is Provenance.ESTIMATED for c in self.cutouts
        )


_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lower case ASCII, accents folded, `+` spelled `plus`, any other run of symbols one hyphen."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    lowered = folded.lower().replace("+", " plus ")
    return _NON_SLUG.sub("-", lowered).strip("-")


def phone_slug(brand: str, model: str) -> str:
    """`brand-model`, without repeating a brand that the model name already starts with.

    Raises ValueError when neither part has a letter or digit to make a slug of.
    """
    brand_part = slugify(brand)
    model_part = slugify(model)
    if not model_part or model_part == brand_part or model_part.startswith(brand_part + "-"):
        slug = model_part or brand_part
    elif not brand_part:
        slug = model_part
    else:
        slug = f"{brand_part}-{model_part}"
    if not slug:
        raise ValueError(f"no slug can be made of {brand!r} and {model!r}")
    return slug
