import pytest
from imaging_samples import decode, encode
from PIL import Image

from adapters.imaging import PillowUpscaler
from domain.errors import ProviderFailed


@pytest.mark.parametrize("scale", [2, 4])
async def test_upscale_multiplies_both_sides(scale: int) -> None:
    upscaler = PillowUpscaler()
    image = encode(Image.new("RGB", (120, 90), (10, 200, 30)), "PNG")

    data = await upscaler.upscale(image, scale)

    enlarged = decode(data)
    assert enlarged.format == "PNG"
    assert enlarged.size == (120 * scale, 90 * scale)
    assert enlarged.getpixel((60, 60)) == (10, 200, 30)


async def test_upscale_keeps_transparency() -> None:
    upscaler = PillowUpscaler()
    image = Image.new("RGBA", (20, 20), (255, 0, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 10, 20))

    enlarged = decode(await upscaler.upscale(encode(image, "PNG"), 2))

    assert enlarged.mode == "RGBA"
    assert enlarged.getpixel((2, 2))[3] == 0
    assert enlarged.getpixel((37, 20))[3] == 255


@pytest.mark.parametrize("scale", [0, 1, 3, 8])
async def test_other_scales_are_refused(scale: int) -> None:
    upscaler = PillowUpscaler()
    image = encode(Image.new("RGB", (8, 8)), "PNG")

    with pytest.raises(ValueError, match="scale"):
        await upscaler.upscale(image, scale)


async def test_unreadable_input_is_a_provider_failure() -> None:
    upscaler = PillowUpscaler()

    with pytest.raises(ProviderFailed):
        await upscaler.upscale(b"\x89PNG not really", 2)


async def test_an_enlargement_over_the_output_cap_is_a_provider_failure() -> None:
    upscaler = PillowUpscaler(max_output_pixels=10_000)
    image = encode(Image.new("RGB", (60, 60)), "PNG")

    with pytest.raises(ProviderFailed):
        await upscaler.upscale(image, 2)
