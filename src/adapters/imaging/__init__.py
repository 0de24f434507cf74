"""Pillow adapters: image normalisation, masks, previews, print files, local art, upscaling."""

from adapters.imaging.decoding import DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, ImageLimits
from adapters.imaging.masks import MaskCache, render_mask
from adapters.imaging.normalisation import normalise
from adapters.imaging.procedural import ProceduralImageGenerator
from adapters.imaging.processor import PillowImageProcessor
from adapters.imaging.upscaler import PillowUpscaler

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "ImageLimits",
    "MaskCache",
    "PillowImageProcessor",
    "PillowUpscaler",
    "ProceduralImageGenerator",
    "normalise",
    "render_mask",
]
