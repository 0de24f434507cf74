"""Turn the catalog document into PhoneModels, refusing any row that breaks a rule.

Rules of a row:
- `slug` is `phone_slug(brand, name)` and appears once in the catalog.
- Body height, width and depth, screen pixels and diagonal are positive and
  `published`: the model keeps no provenance for them, so nothing weaker is
  accepted.
- The body corner radius is at least zero and at most half the width; its
  provenance is `published`, `derived` or `estimated`.
- A phone has at least one cut-out. Each has a known shape (`rounded_rect`,
  `circle`, `stadium`) and provenance, a positive size, and lies wholly inside the
  back's rounded outline. A circle is as wide as it is tall; only a rounded
  rectangle gives a corner radius (the other shapes imply theirs).
- `source` is the text of the row's published source; `geometry_sources` name
  the drawings or estimates used for the corner and cut-outs, and are appended
  to it.
- Notes (`corner_radius_note`, a cut-out's `note`) say which parts are estimated;
  they are checked to be text and not carried into the model.
"""

import math
import re
from collections.abc import Mapping

from adapters.catalog.fit import cutout_fits_body
from domain.phones import Cutout, CutoutShape, PhoneModel, Provenance, phone_slug

CATALOG_FORMAT = 1

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

_PHONE_KEYS = frozenset(
    {
        "slug",
        "brand",
        "name",
        "year",
        "height_mm",
        "width_mm",
        "depth_mm",
        "body_provenance",
        "screen_width_px",
        "screen_height_px",
        "screen_diagonal_in",
        "screen_provenance",
        "corner_radius_mm",
        "corner_radius_provenance",
        "corner_radius_note",
        "cutouts",
        "source",
        "geometry_sources",
    }
)
_CUTOUT_KEYS = frozenset(
    {
        "feature",
        "shape",
        "x_mm",
        "y_mm",
        "width_mm",
        "height_mm",
        "corner_radius_mm",
        "provenance",
        "note",
    }
)
_OPTIONAL_KEYS = frozenset({"corner_radius_note", "corner_radius_mm", "note", "geometry_sources"})


class InvalidCatalogRow(ValueError):
    """A catalog row breaks a rule; names the phone and the field at fault."""

    def __init__(self, slug: str, field: str, problem: str) -> None:
        super().__init__(f"phone {slug}: {field}: {problem}")
        self.slug = slug
        self.field = field
        self.problem = problem


def parse_catalog(document: object) -> tuple[PhoneModel, ...]:
    """Every phone of a decoded catalog document, in the document's order.

    Raises InvalidCatalogRow (a ValueError) for the first row that breaks a rule,
    and ValueError when the document itself is not a catalog of this format.
    """
    if not isinstance(document, dict):
        raise ValueError("catalog: the document must be a JSON object")
    if document.get("format") != CATALOG_FORMAT:
        raise ValueError(f"catalog: format must be {CATALOG_FORMAT}")
    rows = document.get("phones")
    if not isinstance(rows, list):
        raise ValueError("catalog: phones must be a list")

    phones: list[PhoneModel] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        phone = parse_phone(row, label=f"#{index}")
        if phone.slug in seen:
            raise InvalidCatalogRow(phone.slug, "slug", "appears more than once")
        seen.add(phone.slug)
        phones.append(phone)
    return tuple(phones)


def parse_phone(row: object, *, label: str = "?") -> PhoneModel:
    """One phone from its row; `label` names the row in errors until its slug is known."""
    if not isinstance(row, dict):
        raise InvalidCatalogRow(label, "row", "must be a JSON object")
    slug_value = row.get("slug")
    fields = _Fields(row, slug_value if isinstance(slug_value, str) else label, _PHONE_KEYS)

    slug = fields.text("slug")
    brand = fields.text("brand")
    name = fields.text("name")
    expected_slug = phone_slug(brand, name)
    if slug != expected_slug or not SLUG_PATTERN.match(slug):
        raise InvalidCatalogRow(slug, "slug", f"must be {expected_slug!r} for {brand} {name}")

    height = fields.positive("height_mm")
    width = fields.positive("width_mm")
    depth = fields.positive("depth_mm")
    fields.published("body_provenance")
    screen_width = fields.positive_int("screen_width_px")
    screen_height = fields.positive_int("screen_height_px")
    screen_diagonal = fields.positive("screen_diagonal_in")
    fields.published("screen_provenance")

    corner_radius = fields.at_least_zero("corner_radius_mm")
    if corner_radius > width / 2 or corner_radius > height / 2:
        raise InvalidCatalogRow(slug, "corner_radius_mm", "must not exceed half the width")
    corner_provenance = fields.provenance("corner_radius_provenance")
    fields.optional_text("corner_radius_note")

    cutouts = tuple(
        _parse_cutout(item, slug, f"cutouts[{i}]", width, height, corner_radius)
        for i, item in enumerate(fields.items("cutouts"))
    )
    sources = (fields.text("source"), *fields.texts("geometry_sources"))
    return PhoneModel(
        slug=slug,
        brand=brand,
        name=name,
        year=fields.positive_int("year"),
        height_mm=height,
        width_mm=width,
        depth_mm=depth,
        corner_radius_mm=corner_radius,
        corner_radius_provenance=corner_provenance,
        screen_width_px=screen_width,
        screen_height_px=screen_height,
        screen_diagonal_in=screen_diagonal,
        cutouts=cutouts,
        source="; ".join(sources),
    )


def _parse_cutout(
    item: object, slug: str, path: str, width: float, height: float, corner_radius: float
) -> Cutout:
    if not isinstance(item, dict):
        raise InvalidCatalogRow(slug, path, "must be a JSON object")
    fields = _Fields(item, slug, _CUTOUT_KEYS, prefix=f"{path}.")

    shape = fields.shape("shape")
    cut_width = fields.positive("width_mm")
    cut_height = fields.positive("height_mm")
    if shape is CutoutShape.ROUNDED_RECT:
        radius = fields.at_least_zero("corner_radius_mm")
        if radius > min(cut_width, cut_height) / 2:
            raise InvalidCatalogRow(slug, f"{path}.corner_radius_mm", "exceeds half the size")
    elif "corner_radius_mm" in item:
        raise InvalidCatalogRow(slug, f"{path}.corner_radius_mm", f"a {shape} implies its own")
    else:
        radius = min(cut_width, cut_height) / 2
    if shape is CutoutShape.CIRCLE and not math.isclose(cut_width, cut_height):
        raise InvalidCatalogRow(slug, f"{path}.height_mm", "a circle is as tall as it is wide")
    fields.optional_text("note")

    cutout = Cutout(
        feature=fields.text("feature"),
        shape=shape,
        x_mm=fields.at_least_zero("x_mm"),
        y_mm=fields.at_least_zero("y_mm"),
        width_mm=cut_width,
        height_mm=cut_height,
        corner_radius_mm=radius,
        provenance=fields.provenance("provenance"),
    )
    fits = cutout_fits_body(
        cutout, width_mm=width, height_mm=height, corner_radius_mm=corner_radius
    )
    if not fits:
        raise InvalidCatalogRow(slug, path, "lies outside the body outline")
    return cutout


class _Fields:
    """Typed reads of one JSON object; every failure names the phone and the field."""

    def __init__(
        self, row: Mapping[str, object], slug: str, allowed: frozenset[str], prefix: str = ""
    ) -> None:
        self._row = row
        self._slug = slug
        self._prefix = prefix
        unknown = sorted(set(row) - allowed)
        if unknown:
            raise InvalidCatalogRow(slug, prefix + unknown[0], "is not a known field")
        missing = sorted(allowed - _OPTIONAL_KEYS - set(row))
        if missing:
            raise InvalidCatalogRow(slug, prefix + missing[0], "is missing")

    def _fail(self, key: str, problem: str) -> InvalidCatalogRow:
        return InvalidCatalogRow(self._slug, self._prefix + key, problem)

    def text(self, key: str) -> str:
        value = self._row.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, "must be non-empty text")
        return value

    def optional_text(self, key: str) -> str | None:
        if key not in self._row:
            return None
        return self.text(key)

    def texts(self, key: str) -> list[str]:
        if key not in self._row:
            return []
        values = self._row[key]
        if not isinstance(values, list) or not all(
            isinstance(v, str) and v.strip() for v in values
        ):
            raise self._fail(key, "must be a list of non-empty texts")
        return [str(v) for v in values]

    def items(self, key: str) -> list[object]:
        values = self._row.get(key)
        if not isinstance(values, list) or not values:
            raise self._fail(key, "must be a non-empty list")
        return list(values)

    def number(self, key: str) -> float:
        value = self._row.get(key)
        # bool is an int in Python, and json accepts NaN and Infinity.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, "must be a number")
        if not math.isfinite(value):
            raise self._fail(key, "must be finite")
        return float(value)

    def positive(self, key: str) -> float:
        value = self.number(key)
        if value <= 0:
            raise self._fail(key, f"must be positive, got {value}")
        return value

    def at_least_zero(self, key: str) -> float:
        value = self.number(key)
        if value < 0:
            raise self._fail(key, f"must not be negative, got {value}")
        return value

    def positive_int(self, key: str) -> int:
        value = self._row.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self._fail(key, "must be a positive whole number")
        return value

    def provenance(self, key: str) -> Provenance:
        value = self._row.get(key)
        try:
            return Provenance(str(value))
        except ValueError:
            allowed = ", ".join(p.value for p in Provenance)
            raise self._fail(key, f"must be one of {allowed}, got {value!r}") from None

    def published(self, key: str) -> None:
        if self.provenance(key) is not Provenance.PUBLISHED:
            raise self._fail(key, "must be published: the model keeps no other provenance here")

    def shape(self, key: str) -> CutoutShape:
        value = self._row.get(key)
        try:
            return CutoutShape(str(value))
        except ValueError:
            allowed = ", ".join(s.value for s in CutoutShape)
            raise self._fail(key, f"must be one of {allowed}, got {value!r}") from None
