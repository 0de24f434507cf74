"""The shapes of procedural art, each picked by words of the prompt.

Every form draws translucent shapes over a background, with positions, sizes
and colours taken from the random generator it is given; nothing else varies.
"""

import math
import random
from collections.abc import Callable
from itertools import pairwise

from PIL import Image, ImageDraw

from adapters.imaging.palette import RGB

Form = Callable[[Image.Image, random.Random, tuple[RGB, ...]], None]
RGBA = tuple[int, int, int, int]


def gradient_background(
    size: tuple[int, int], rng: random.Random, palette: tuple[RGB, ...]
) -> Image.Image:
    """A smooth blend between four palette colours, one in each corner."""
    corners = Image.new("RGB", (2, 2))
    for position in ((0, 0), (1, 0), (0, 1), (1, 1)):
        corners.putpixel(position, rng.choice(palette))
    # The box runs from the first pixel's centre to the last's: no flat margins.
    return corners.resize(size, Image.Resampling.BILINEAR, box=(0.5, 0.5, 1.5, 1.5))


def waves(image: Image.Image, rng: random.Random, palette: tuple[RGB, ...]) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    layers = rng.randint(4, 7)
    step = max(2, width // 96)
    for layer in range(layers):
        base = height * (0.25 + 0.7 * layer / layers)
        amplitude = height * (0.02 + 0.06 * rng.random())
        wavelength = width * (0.35 + 0.9 * rng.random())
        phase = rng.random() * math.tau
        crest = [
            (x, base + amplitude * math.sin(math.tau * x / wavelength + phase))
            for x in range(0, width + step, step)
        ]
        outline = [*crest, (width, height), (0, height)]
        draw.polygon(outline, fill=_translucent(rng, palette, 140, 220))


def circles(image: Image.Image, rng: random.Random, palette: tuple[RGB, ...]) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    shortest = min(width, height)
    for _ in range(rng.randint(14, 40)):
        radius = shortest * (0.015 + 0.14 * rng.random() ** 2)
        x, y = rng.random() * width, rng.random() * height
        box = (x - radius, y - radius, x + radius, y + radius)
        if rng.random() < 0.25:
            draw.ellipse(box, outline=_translucent(rng, palette, 160, 240), width=2)
        else:
            draw.ellipse(box, fill=_translucent(rng, palette, 70, 200))


def stripes(image: Image.Image, rng: random.Random, palette: tuple[RGB, ...]) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    slant = height * (rng.random() - 0.5) * 1.6
    band = width * (0.03 + 0.08 * rng.random())
    x = -abs(slant) - band
    while x < width + abs(slant):
        thickness = band * (0.3 + 0.9 * rng.random())
        quad = [(x, 0), (x + thickness, 0), (x + thickness + slant, height), (x + slant, height)]
        draw.polygon(quad, fill=_translucent(rng, palette, 90, 210))
        x += thickness + band * (0.2 + rng.random())


def stars(image: Image.Image, rng: random.Random, palette: tuple[RGB, ...]) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    # Stars need a night: the darkest colour of the palette, darkened further.
    night = tuple(round(c * 0.3) for c in min(palette, key=sum))
    draw.rectangle((0, 0, width, height), fill=(*night, 190))
    for _ in range(max(60, width * height // 900)):
        x, y = rng.random() * width, rng.random() * height
        radius = 0.4 + 1.2 * rng.random() ** 3
        glow = rng.randint(140, 255)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(255, 255, 240, glow))
    for _ in range(rng.randint(5, 12)):
        _sparkle(draw, rng, width, height, palette)


def mountains(image: Image.Image, rng: random.Random, palette: tuple[RGB, ...]) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    ridges = rng.randint(3, 5)
    for ridge in range(ridges):
        base = height * (0.35 + 0.5 * ridge / ridges)
        shade = 1.0 - 0.6 * (ridge + 1) / ridges
        colour = tuple(round(c * shade) for c in rng.choice(palette))
        peaks = _ridge_line(rng, width, base, height * 0.18)
        draw.polygon([*peaks, (width, height), (0, height)], fill=(*colour, 235))


def geometric(image: Image.Image, rng: random.Random, palette: tuple[RGB, ...]) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    cell = max(8, round(min(width, height) / rng.randint(5, 10)))
    for top in range(0, height, cell):
        for left in range(0, width, cell):
            right, bottom = left + cell, top + cell
            if rng.random() < 0.5:
                first = [(left, top), (right, top), (left, bottom)]
                second = [(right, top), (right, bottom), (left, bottom)]
            else:
                first = [(left, top), (right, top), (right, bottom)]
                second = [(left, top), (right, bottom), (left, bottom)]
            draw.polygon(first, fill=_translucent(rng, palette, 60, 200))
            draw.polygon(second, fill=_translucent(rng, palette, 60, 200))


def glow(image: Image.Image, rng: random.Random, palette: tuple[RGB, ...]) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    x, y = width * rng.random(), height * rng.random()
    colour = max(palette, key=sum)
    for step in range(12, 0, -1):
        radius = max(width, height) * 0.06 * step
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*colour, 14))


FORMS: dict[str, Form] = {
    "waves": waves,
    "circles": circles,
    "stripes": stripes,
    "stars": stars,
    "mountains": mountains,
    "geometric": geometric,
    "gradient": glow,
}

FORM_WORDS: dict[str, str] = {
    "wave": "waves",
    "ocean": "waves",
    "sea": "waves",
    "water": "waves",
    "circle": "circles",
    "bubble": "circles",
    "dot": "circles",
    "bokeh": "circles",
    "stripe": "stripes",
    "line": "stripes",
    "striped": "stripes",
    "star": "stars",
    "space": "stars",
    "galaxy": "stars",
    "mountain": "mountains",
    "hill": "mountains",
    "peak": "mountains",
    "landscape": "mountains",
    "grid": "geometric",
    "geometric": "geometric",
    "triangle": "geometric",
    "mosaic": "geometric",
    "gradient": "gradient",
    "smooth": "gradient",
    "minimal": "gradient",
}


def forms_for(words: list[str]) -> list[str]:
    """Form names the words ask for, each once, in order; a plain plural counts."""
    found: list[str] = []
    for word in words:
        form = FORM_WORDS.get(word) or FORM_WORDS.get(word.removesuffix("s"))
        if form is not None and form not in found:
            found.append(form)
    return found


def _translucent(rng: random.Random, palette: tuple[RGB, ...], low: int, high: int) -> RGBA:
    return (*rng.choice(palette), rng.randint(low, high))


def _ridge_line(
    rng: random.Random, width: int, base: float, roughness: float
) -> list[tuple[float, float]]:
    # Midpoint displacement: each halving of the gaps halves the jitter.
    points = {0: base + roughness * (rng.random() - 0.5), width: base}
    jitter = roughness
    finest = max(4, width // 64)
    while True:
        xs = sorted(points)
        gaps = [(left, right) for left, right in pairwise(xs) if right - left > finest]
        if not gaps:
            return [(x, points[x]) for x in xs]
        for left, right in gaps:
            middle = (left + right) // 2
            points[middle] = (points[left] + points[right]) / 2 + jitter * (rng.random() - 0.5)
        jitter /= 2


def _sparkle(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    width: int,
    height: int,
    palette: tuple[RGB, ...],
) -> None:
    x, y = rng.random() * width, rng.random() * height
    arm = min(width, height) * (0.01 + 0.025 * rng.random())
    waist = arm / 5
    shape = [
        (x, y - arm),
        (x + waist, y - waist),
        (x + arm, y),
        (x + waist, y + waist),
        (x, y + arm),
        (x - waist, y + waist),
        (x - arm, y),
        (x - waist, y - waist),
    ]
    bright = max(palette, key=sum)
    draw.polygon(shape, fill=(*bright, 230))
