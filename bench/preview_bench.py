"""Comparison 1: the preview pipeline against bare Pillow decoding and WebP encoding.

Subject: `await PillowImageProcessor.preview(artwork, phone, Kind.SKIN, max_width=768)`.
Floor: `await asyncio.to_thread(...)` of Pillow alone: open the same bytes, decode
them, encode the whole decoded image as WebP with the pipeline's quality and method.
Both run as coroutines in one event loop and both hop to a worker thread once, so
the thread hand-off is on each side and the ratio is the pipeline's own work.
"""

import asyncio
import io
import time
from dataclasses import dataclass

from PIL import Image

from adapters.imaging.artwork import procedural_art
from adapters.imaging.encoding import PREVIEW_WEBP_METHOD, PREVIEW_WEBP_QUALITY
from adapters.imaging.procedural import ProceduralImageGenerator
from adapters.imaging.processor import PillowImageProcessor
from application.ports import GenerationRequest
from domain.geometry import Kind, aspect_by_name
from domain.phones import PhoneModel
from phones import bench_phone
from report import Row
from timing import Plan, Summary, elapsed_since, interleave

PREVIEW_WIDTH = 768
TARGET_RATIO = 1.5
PROMPT = "blue ocean waves at sunset, bold shapes"
SEED = 7
JPEG_SIDE = 1024
JPEG_QUALITY = 90
PLAN = Plan(rounds=25, budget_s=6.0)
MODE = "async method in one event loop; floor via asyncio.to_thread"


@dataclass(frozen=True, slots=True)
class Artwork:
    label: str
    data: bytes


async def provider_png() -> Artwork:
    """What the local generator returns for 9:21: a 640x1536 PNG."""
    request = GenerationRequest(PROMPT, aspect_by_name("9:21"), count=1, seed=SEED)
    generated = await ProceduralImageGenerator(concurrency=1).generate(request)
    return Artwork("640x1536 PNG (local generator, 9:21)", generated[0])


def provider_jpeg() -> Artwork:
    """A 1024x1024 JPEG, as a hosted provider returns for 1:1."""
    image = procedural_art(PROMPT, SEED, 0, (JPEG_SIDE, JPEG_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return Artwork(f"{JPEG_SIDE}x{JPEG_SIDE} JPEG q{JPEG_QUALITY}", buffer.getvalue())


def bare_pillow(data: bytes) -> bytes:
    """The floor: decode the bytes and encode the decoded image as the preview's WebP."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        buffer = io.BytesIO()
        image.save(buffer, format="WEBP", quality=PREVIEW_WEBP_QUALITY, method=PREVIEW_WEBP_METHOD)
    return buffer.getvalue()


async def _compare(processor: PillowImageProcessor, phone: PhoneModel, art: Artwork) -> Row:
    async def pipeline() -> float:
        started = time.perf_counter()
        await processor.preview(art.data, phone, Kind.SKIN, PREVIEW_WIDTH)
        return elapsed_since(started, 1e3)

    async def floor() -> float:
        started = time.perf_counter()
        await asyncio.to_thread(bare_pillow, art.data)
        return elapsed_since(started, 1e3)

    # The first call loads Pillow's plugins and draws the mask, which the cache keeps.
    preview = await processor.preview(art.data, phone, Kind.SKIN, PREVIEW_WIDTH)
    await floor()
    print(f"  input {art.label}: preview {preview.width}x{preview.height} WebP with alpha")
    subject, bare = await interleave(pipeline, floor, PLAN)
    return _row(art, subject, bare)


def _row(art: Artwork, subject: Summary, bare: Summary) -> Row:
    ratio = subject.median / bare.median
    return Row(
        figure=f"preview {art.label.split(' (')[0]}",
        unit="ms",
        subject_name="pipeline",
        subject=subject,
        floor_name="pillow",
        floor=bare,
        ratio_name="pipeline/pillow",
        ratio=ratio,
        target=f"<= {TARGET_RATIO:.2f}",
        passed=ratio <= TARGET_RATIO,
    )


async def preview_rows() -> list[Row]:
    """One row per input: the 9:21 PNG of the local generator and a 1:1 JPEG."""
    phone = bench_phone()
    processor = PillowImageProcessor()
    print(f"[1] preview pipeline vs bare Pillow decode + WebP encode ({MODE})")
    print(
        f"    phone {phone.slug}, kind skin, max_width {PREVIEW_WIDTH}, "
        f"WebP quality {PREVIEW_WEBP_QUALITY} method {PREVIEW_WEBP_METHOD}"
    )
    rows = []
    for art in (await provider_png(), provider_jpeg()):
        rows.append(await _compare(processor, phone, art))
    return rows
