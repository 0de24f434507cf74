"""Builders shared by the imaging tests: a phone with cut-outs and awkward image bytes."""

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

from domain.phones import Cutout, CutoutShape, PhoneModel, Provenance

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sample_phone() -> PhoneModel:
    """A 72 x 150 mm phone: a rounded camera module top-left and a round flash beside it."""
    camera = Cutout(
        feature="camera",
        shape=CutoutShape.ROUNDED_RECT,
        x_mm=6.0,
        y_mm=6.0,
        width_mm=30.0,
        height_mm=32.0,
        corner_radius_mm=7.0,
        provenance=Provenance.PUBLISHED,
    )
    flash = Cutout(
        feature="flash",
        shape=CutoutShape.CIRCLE,
        x_mm=50.0,
        y_mm=10.0,
        width_mm=8.0,
        height_mm=8.0,
        corner_radius_mm=0.0,
        provenance=Provenance.ESTIMATED,
    )
    return PhoneModel(
        slug="test-phone-1",
        brand="Test",
        name="Phone 1",
        year=2024,
        height_mm=150.0,
        width_mm=72.0,
        depth_mm=8.0,
        corner_radius_mm=9.0,
        corner_radius_provenance=Provenance.PUBLISHED,
        screen_width_px=1080,
        screen_height_px=2340,
        screen_diagonal_in=6.1,
        cutouts=(camera, flash),
        source="built in the test",
    )


def encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` RGB pixels, with almost no data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + png_chunk(b"IEND", b"")
    )


def rgb16_png(pixels: list[list[tuple[int, int, int]]]) -> bytes:
    """A 16 bits per channel RGB PNG written by hand (Pillow cannot write one)."""
    height, width = len(pixels), len(pixels[0])
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    raw = b"".join(
        b"\x00" + b"".join(struct.pack(">HHH", *pixel) for pixel in row) for row in pixels
    )
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )


def png_chunk_types(data: bytes) -> list[bytes]:
    """The chunk types of a PNG file, in order."""
    kinds = []
    position = len(PNG_SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kinds.append(data[position + 4 : position + 8])
        position += 12 + length
    return kinds


def shared_images_folder() -> Path:
    """../shared/images beside the repository root (the folder holding pyproject.toml)."""
    here = Path(__file__).resolve()
    root = next(parent for parent in here.parents if (parent / "pyproject.toml").exists())
    return root.parent / "shared" / "images"
