"""Every row of the shared reference table is in the packaged catalog, figure for figure."""

import csv
from pathlib import Path

import pytest

from adapters.catalog import load_packaged_catalog
from domain.phones import PhoneModel, phone_slug


def _repository_root() -> Path:
    here = Path(__file__).resolve()
    return next(p for p in here.parents if (p / "pyproject.toml").is_file())


REFERENCE_DIR = _repository_root().parent / "shared" / "reference"
PHONES_CSV = REFERENCE_DIR / "phones.csv"


def _reference_rows() -> list[object]:
    if not REFERENCE_DIR.is_dir():
        reason = f"reference folder {REFERENCE_DIR} is absent"
        return [pytest.param(None, id="no-reference", marks=pytest.mark.skip(reason=reason))]
    with PHONES_CSV.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [pytest.param(row, id=phone_slug(row["brand"], row["model"])) for row in rows]


def _catalog_by_slug() -> dict[str, PhoneModel]:
    return {phone.slug: phone for phone in load_packaged_catalog()}


@pytest.mark.parametrize("row", _reference_rows())
def test_reference_phone_is_in_the_catalog_with_its_published_figures(
    row: dict[str, str],
) -> None:
    slug = phone_slug(row["brand"], row["model"])

    phone = _catalog_by_slug().get(slug)

    assert phone is not None, f"{slug} is missing from the packaged catalog"
    assert (phone.brand, phone.name, phone.year) == (row["brand"], row["model"], int(row["year"]))
    assert phone.height_mm == pytest.approx(float(row["height_mm"]))
    assert phone.width_mm == pytest.approx(float(row["width_mm"]))
    assert phone.depth_mm == pytest.approx(float(row["depth_mm"]))
    assert phone.screen_width_px == int(row["screen_w_px"])
    assert phone.screen_height_px == int(row["screen_h_px"])
    assert phone.screen_diagonal_in == pytest.approx(float(row["screen_in"]))
    assert phone.source.startswith(row["source"])


def test_catalog_has_no_phone_missing_from_the_reference() -> None:
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference folder {REFERENCE_DIR} is absent")
    with PHONES_CSV.open(newline="", encoding="utf-8") as f:
        reference = {phone_slug(r["brand"], r["model"]) for r in csv.DictReader(f)}

    catalog = set(_catalog_by_slug())

    assert catalog == reference
