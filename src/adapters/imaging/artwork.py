"""Procedural artwork: a seeded picture from a prompt, and stylised takes on a photo.

Rules: the same (prompt, seed, index) always gives the same pixels (SHA-256
seeds the random generator, never Python's hash()); colours follow the
prompt's colour words and shapes its form words, each falling back to a choice
made by the prompt's hash; every image is labelled as procedural art.
"""

import functools
import hashlib
import random

from PIL import Image, ImageDraw, ImageFont, ImageOps

from adapters.imaging.forms import FORMS, forms_for, gradient_background
from adapters.imaging.palette import RGB, hashed_palette, palette_for, prompt_words

LABEL = "procedural preview art"
# Shapes are drawn at half size and enlarged: softer edges, a quarter of the work.
DRAW_SCALE = 2
# A photo stylisation with no prompt: the dark and light ends of its duotone.
NEUTRAL_DUOTONE: tuple[RGB, RGB] = ((24, 32, 64), (246, 232, 204))
_FORM_NAMES = tuple(FORMS)


def variant_rng(prompt: str | None, seed: int, index: int) -> random.Random:
    """A random generator fixed by the prompt, the seed and the variant's index."""
    key = f"{prompt or ''}\x00{seed}\x00{index}".encode()
    # Reproducible art, not a secret: a seeded Mersenne Twister is what is wanted.
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))  # noqa: S311


def procedural_art(prompt: str | None, seed: int, index: int, size: tuple[int, int]) -> Image.Image:
    """An RGB picture of `size` whose colours and shapes come from the prompt."""
    rng = variant_rng(prompt, seed, index)
    palette = palette_for(prompt)
    # Each variant leads with a different colour of the palette.
    shift = index % len(palette)
    palette = palette[shift:] + palette[:shift]
    small = (max(1, size[0] // DRAW_SCALE), max(1, size[1] // DRAW_SCALE))
    canvas = gradient_background(small, rng, palette)

    for name in _forms(prompt):
        FORMS[name](canvas, rng, palette)
    if canvas.size != size:
        canvas = canvas.resize(size, Image.Resampling.BICUBIC)
    return canvas


def stylised_photo(photo: Image.Image, prompt: str | None, seed: int, index: int) -> Image.Image:
    """Variant `index` of an RGB photo (a new image): itself first, then stylisations.

    With a prompt, its procedural art is laid over the photo at a strength that
    grows with the index; without one, neutral looks take turns (duotone,
    posterised, high-contrast mono, duotone in colours from the seed).
    """
    if index == 0:
        return photo.copy()
    if prompt is not None:
        art = procedural_art(prompt, seed, index, photo.size)
        strength = min(0.8, 0.3 + 0.15 * index)
        return Image.blend(photo, art, strength)
    look = (index - 1) % 4
    grey = ImageOps.grayscale(photo)
    if look == 0:
        return ImageOps.colorize(grey, NEUTRAL_DUOTONE[0], NEUTRAL_DUOTONE[1])
    if look == 1:
        return ImageOps.posterize(photo, 2)
    if look == 2:
        return ImageOps.autocontrast(grey, cutoff=2).convert("RGB")
    colours = hashed_palette(f"{seed}\x00{index}".encode())
    darkest, lightest = min(colours, key=sum), max(colours, key=sum)
    return ImageOps.colorize(grey, darkest, lightest)


def label(image: Image.Image) -> Image.Image:
    """The image with a small "procedural preview art" note in its bottom-right corner."""
    width, height = image.size
    font = _font(max(9, round(min(width, height) / 45)))
    draw = ImageDraw.Draw(image, "RGBA")
    left, top, right, bottom = draw.textbbox((0, 0), LABEL, font=font)
    margin = max(2, round(min(width, height) / 80))
    x = width - (right - left) - margin - left
    y = height - (bottom - top) - margin - top
    draw.text((x + 1, y + 1), LABEL, font=font, fill=(0, 0, 0, 110))
    draw.text((x, y), LABEL, font=font, fill=(255, 255, 255, 170))
    return image


def _forms(prompt: str | None) -> list[str]:
    named = forms_for(prompt_words(prompt))
    if named:
        return named
    digest = hashlib.sha256((prompt or "").encode()).digest()
    first = _FORM_NAMES[digest[3] % len(_FORM_NAMES)]
    second = _FORM_NAMES[digest[4] % len(_FORM_NAMES)]
    return [first] if first == second else [first, second]


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)
