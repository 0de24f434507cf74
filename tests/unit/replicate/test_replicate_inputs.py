"""Images prepared for the provider: within its pixel bound, inlined within the byte cap."""

import base64
import io
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from adapters.replicate.inputs import prepare_cover, prepare_within, within_pixels
from domain.errors import ProviderFailed
from fakes.replicate_support import png_image


def decoded(data_uri: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1])))


@given(width=st.integers(1, 20_000), height=st.integers(1, 20_000), limit=st.integers(1, 10**7))
def test_shrunk_size_fits_the_limit_and_keeps_the_aspect(width, height, limit) -> None:
    new_w, new_h = within_pixels(width, height, limit)

    assert new_w * new_h <= max(limit, 1) or (new_w, new_h) == (1, 1)
    assert new_w <= width and new_h <= height
    if width * height <= limit:
        assert (new_w, new_h) == (width, height)
    elif min(new_w, new_h) > 50:
        assert abs(new_w / new_h - width / height) / (width / height) < 0.05


def test_image_within_the_limit_is_sent_as_it_is_in_png() -> None:
    prepared = prepare_within(png_image(300, 200), 2_096_704)

    assert prepared.data_uri.startswith("data:image/png;base64,")
    assert decoded(prepared.data_uri).size == (300, 200)


def test_detailed_image_falls_back_to_jpeg_under_the_byte_cap() -> None:
    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")

    prepared = prepare_within(buffer.getvalue(), 2_096_704, max_uri_bytes=1_000_000)

    assert prepared.data_uri.startswith("data:image/jpeg;base64,")
    assert len(prepared.data_uri) <= 1_000_000


def test_photo_is_cover_cropped_to_the_requested_size() -> None:
    prepared = prepare_cover(png_image(600, 400), (768, 1344))

    assert decoded(prepared.data_uri).size == (768, 1344)


def test_bytes_that_are_not_an_image_are_provider_failed() -> None:
    with pytest.raises(ProviderFailed):
        prepare_within(b"not an image", 1_000)
