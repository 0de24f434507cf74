"""A bad catalog row is refused with a ValueError naming the phone and the field."""

import copy
import json
from typing import Any

import pytest

from adapters.catalog.rows import InvalidCatalogRow, parse_catalog


def _good_row() -> dict[str, Any]:
    return {
        "slug": "apple-iphone-15-pro",
        "brand": "Apple",
        "name": "iPhone 15 Pro",
        "year": 2023,
        "height_mm": 146.6,
        "width_mm": 70.6,
        "depth_mm": 8.25,
        "body_provenance": "published",
        "screen_width_px": 1179,
        "screen_height_px": 2556,
        "screen_diagonal_in": 6.1,
        "screen_provenance": "published",
        "corner_radius_mm": 11.9,
        "corner_radius_provenance": "estimated",
        "corner_radius_note": "reused from a sibling",
        "cutouts": [
            {
                "feature": "camera module",
                "shape": "rounded_rect",
                "x_mm": 1.04,
                "y_mm": 1.04,
                "width_mm": 42.6,
                "height_mm": 43.9,
                "corner_radius_mm": 13.1,
                "provenance": "estimated",
                "note": "scaled from a drawing",
            },
            {
                "feature": "flash",
                "shape": "circle",
                "x_mm": 50.0,
                "y_mm": 5.0,
                "width_mm": 6.0,
                "height_mm": 6.0,
                "provenance": "estimated",
            },
        ],
        "source": "apple.com/iphone-15-pro/specs",
        "geometry_sources": ["a drawing"],
    }


def _document(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"format": 1, "phones": list(rows)}


def _refusal(row: dict[str, Any]) -> InvalidCatalogRow:
    with pytest.raises(InvalidCatalogRow) as caught:
        parse_catalog(_document(row))
    return caught.value


def test_good_row_becomes_a_phone_with_its_sources_joined() -> None:
    (phone,) = parse_catalog(_document(_good_row()))

    assert phone.slug == "apple-iphone-15-pro"
    assert phone.source == "apple.com/iphone-15-pro/specs; a drawing"
    assert phone.cutouts[1].effective_radius_mm == pytest.approx(3.0)
    assert phone.estimated


def test_refusal_is_a_value_error_naming_slug_and_field() -> None:
    row = _good_row()
    row["height_mm"] = -1

    with pytest.raises(ValueError, match=r"apple-iphone-15-pro.*height_mm"):
        parse_catalog(_document(row))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("height_mm", -146.6),
        ("width_mm", 0),
        ("depth_mm", "8.25"),
        ("screen_width_px", 1179.5),
        ("screen_height_px", True),
        ("screen_diagonal_in", float("nan")),
        ("year", -2023),
        ("corner_radius_mm", -1.0),
        ("corner_radius_mm", 40.0),
        ("corner_radius_provenance", "guessed"),
        ("body_provenance", "estimated"),
        ("screen_provenance", None),
        ("source", ""),
        ("cutouts", []),
        ("geometry_sources", "a drawing"),
        ("brand", "Apples"),
    ],
)
def test_bad_phone_field_is_refused_by_name(field: str, value: Any) -> None:
    row = _good_row()
    row[field] = value

    refusal = _refusal(row)

    assert refusal.field in (field, "slug")
    assert "apple-iphone-15-pro" in str(refusal)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("shape", "hexagon"),
        ("provenance", "measured"),
        ("width_mm", -6.0),
        ("height_mm", 7.0),
        ("x_mm", -0.5),
        ("x_mm", 68.0),
        ("y_mm", 145.0),
        ("corner_radius_mm", 2.0),
        ("feature", ""),
    ],
)
def test_bad_cutout_field_is_refused_by_name(field: str, value: Any) -> None:
    row = _good_row()
    row["cutouts"][1][field] = value

    refusal = _refusal(row)

    assert refusal.slug == "apple-iphone-15-pro"
    assert refusal.field.startswith("cutouts[1]")


def test_cutout_in_the_square_of_a_rounded_corner_is_outside_the_body() -> None:
    row = _good_row()
    row["cutouts"][1].update(x_mm=0.2, y_mm=0.2, width_mm=3.0, height_mm=3.0)

    refusal = _refusal(row)

    assert (refusal.field, refusal.problem) == ("cutouts[1]", "lies outside the body outline")


def test_rounded_rect_corner_larger_than_half_its_size_is_refused() -> None:
    row = _good_row()
    row["cutouts"][0]["corner_radius_mm"] = 30.0

    assert _refusal(row).field == "cutouts[0].corner_radius_mm"


def test_missing_and_unknown_fields_are_refused() -> None:
    missing = _good_row()
    del missing["depth_mm"]
    unknown = _good_row()
    unknown["colour"] = "blue"

    assert _refusal(missing).field == "depth_mm"
    assert _refusal(unknown).field == "colour"


def test_slug_must_be_the_one_phone_slug_gives() -> None:
    row = _good_row()
    row["slug"] = "Apple_iPhone_15_Pro"

    refusal = _refusal(row)

    assert refusal.field == "slug"
    assert "apple-iphone-15-pro" in refusal.problem


def test_duplicate_slug_is_refused() -> None:
    row = _good_row()

    with pytest.raises(InvalidCatalogRow, match="iphone-15-pro: slug: appears more than once"):
        parse_catalog(_document(row, copy.deepcopy(row)))


def test_row_without_a_slug_is_named_by_its_position() -> None:
    row = _good_row()
    del row["slug"]

    with pytest.raises(InvalidCatalogRow, match=r"phone #1: slug"):
        parse_catalog(_document(_good_row(), row))


@pytest.mark.parametrize(
    "document",
    [[], {"format": 2, "phones": []}, {"format": 1, "phones": {}}, {"format": 1}],
)
def test_document_of_another_shape_is_refused(document: object) -> None:
    with pytest.raises(ValueError, match="catalog"):
        parse_catalog(document)


def test_infinity_from_json_is_refused() -> None:
    text = json.dumps(_document(_good_row())).replace("146.6", "Infinity")

    with pytest.raises(InvalidCatalogRow, match="height_mm: must be finite"):
        parse_catalog(json.loads(text))
