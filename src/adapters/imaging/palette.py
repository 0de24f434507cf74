"""Colours for procedural art, read from the colour words of a prompt.

Rules: each colour word adds its shades in the order the words come; a prompt
with none gets a palette derived from its SHA-256, so equal prompts always get
equal colours. Only English words are recognised.
"""

import colorsys
import hashlib
import re

RGB = tuple[int, int, int]

_WORD = re.compile(r"[a-z]+")
MAX_COLOURS = 6

COLOUR_WORDS: dict[str, tuple[RGB, ...]] = {
    "red": ((196, 30, 45), (120, 12, 24), (240, 96, 84)),
    "crimson": ((160, 16, 40), (90, 8, 24), (220, 60, 80)),
    "orange": ((245, 130, 32), (200, 80, 10), (255, 190, 110)),
    "yellow": ((250, 214, 50), (220, 170, 20), (255, 240, 150)),
    "gold": ((212, 175, 55), (150, 110, 20), (250, 225, 140)),
    "green": ((40, 160, 70), (15, 90, 40), (140, 220, 130)),
    "forest": ((22, 70, 38), (46, 110, 54), (120, 150, 80), (60, 45, 30)),
    "teal": ((0, 128, 128), (0, 80, 90), (90, 200, 190)),
    "blue": ((30, 80, 200), (12, 30, 110), (100, 160, 250)),
    "ocean": ((0, 70, 130), (0, 130, 170), (110, 200, 220), (10, 30, 70)),
    "sky": ((120, 190, 250), (200, 230, 255), (60, 130, 220)),
    "ice": ((200, 235, 250), (140, 200, 235), (245, 252, 255)),
    "purple": ((110, 40, 160), (60, 20, 100), (180, 120, 220)),
    "violet": ((140, 70, 200), (80, 30, 130), (200, 160, 240)),
    "pink": ((240, 120, 170), (200, 60, 120), (255, 200, 220)),
    "sunset": ((255, 94, 77), (255, 165, 60), (190, 60, 120), (60, 30, 90)),
    "fire": ((255, 80, 0), (255, 180, 0), (180, 20, 0), (40, 10, 0)),
    "neon": ((57, 255, 20), (255, 20, 147), (0, 240, 255), (20, 0, 40)),
    "pastel": ((255, 209, 220), (200, 230, 201), (204, 221, 255), (255, 244, 204)),
    "brown": ((120, 72, 40), (80, 48, 24), (180, 130, 90)),
    "black": ((10, 10, 12), (40, 40, 46), (80, 80, 90)),
    "night": ((10, 14, 40), (30, 30, 80), (200, 200, 230)),
    "white": ((250, 250, 250), (225, 225, 230), (200, 200, 210)),
    "grey": ((128, 128, 132), (80, 80, 86), (190, 190, 196)),
    "gray": ((128, 128, 132), (80, 80, 86), (190, 190, 196)),
    "silver": ((192, 192, 200), (150, 150, 160), (230, 230, 236)),
    "rainbow": ((230, 40, 40), (250, 160, 30), (250, 230, 40), (40, 180, 80), (40, 90, 220)),
}


def prompt_words(prompt: str | None) -> list[str]:
    """The prompt's words in lower case, letters only."""
    return _WORD.findall((prompt or "").casefold())


def palette_for(prompt: str | None) -> tuple[RGB, ...]:
    """Two to six colours: those the prompt names, or ones derived from its hash."""
    named: list[RGB] = []
    for word in prompt_words(prompt):
        for colour in COLOUR_WORDS.get(word, ()):
            if colour not in named:
                named.append(colour)
    if named:
        return tuple(named[:MAX_COLOURS])
    return hashed_palette((prompt or "").encode())


def hashed_palette(key: bytes) -> tuple[RGB, ...]:
    """Four colours around a hue taken from the key's SHA-256, with a dark and a light one."""
    digest = hashlib.sha256(key).digest()
    hue = digest[0] / 256
    # Analogous, complementary or triadic, chosen by the hash.
    spread = (0.08, 0.5, 1 / 3)[digest[1] % 3]
    saturation = 0.45 + digest[2] / 255 * 0.45
    hues = (hue, (hue + spread) % 1.0, (hue - spread / 2) % 1.0, hue)
    values = (0.85, 0.75, 0.95, 0.22)
    return tuple(_hsv(h, saturation, v) for h, v in zip(hues, values, strict=True))


def _hsv(hue: float, saturation: float, value: float) -> RGB:
    red, green, blue = colorsys.hsv_to_rgb(hue, saturation, value)
    return round(red * 255), round(green * 255), round(blue * 255)
