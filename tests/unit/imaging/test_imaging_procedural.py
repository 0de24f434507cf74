import pytest
from imaging_samples import decode, encode
from PIL import Image, ImageChops, ImageStat

from adapters.imaging import ProceduralImageGenerator
from adapters.imaging.artwork import procedural_art
from application.ports import GenerationOutcome, GenerationRequest, PredictionState
from domain.errors import ProviderFailed
from domain.geometry import PROVIDER_ASPECT_RATIOS, AspectRatio, aspect_by_name

SQUARE = aspect_by_name("1:1")


async def through_port(
    generator: ProceduralImageGenerator, wanted: GenerationRequest
) -> GenerationOutcome:
    """Submit and collect, as the use cases do."""
    prediction = await generator.submit(wanted, reference="design-1")
    return await generator.outcome(prediction, wanted, wait_seconds=0)


def request(
    prompt: str | None,
    *,
    seed: int = 42,
    count: int = 1,
    ratio: str = "1:1",
    source: bytes | None = None,
) -> GenerationRequest:
    return GenerationRequest(
        prompt=prompt,
        aspect_ratio=aspect_by_name(ratio),
        count=count,
        seed=seed,
        source_image=source,
    )


def mean_colour(image: Image.Image) -> list[float]:
    return ImageStat.Stat(image.convert("RGB")).mean


def colour_distance(first: Image.Image, second: Image.Image) -> float:
    pairs = zip(mean_colour(first), mean_colour(second), strict=True)
    return sum((a - b) ** 2 for a, b in pairs) ** 0.5


def mean_difference(first: Image.Image, second: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(first, second)).mean) / 3


def photo() -> bytes:
    """A photo stand-in: red left half, blue right half, a white bar across."""
    image = Image.new("RGB", (900, 600), (220, 30, 30))
    image.paste((30, 30, 220), (450, 0, 900, 600))
    image.paste((255, 255, 255), (0, 280, 900, 320))
    return encode(image, "PNG")


async def test_same_prompt_and_seed_give_identical_bytes() -> None:
    generator = ProceduralImageGenerator()

    first = await through_port(generator, request("red waves at sunset", count=2))
    again = await through_port(generator, request("red waves at sunset", count=2))

    assert first.images == again.images


async def test_generator_names_itself_as_local_procedural_art() -> None:
    generator = ProceduralImageGenerator()

    assert generator.name == "procedural-local"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("red waves", "blue circles"),
        ("forest mountains", "neon grid"),
        ("pastel stripes", "black stars"),
        ("a quiet morning", "gold gradient"),
    ],
)
async def test_different_prompts_give_clearly_different_images(first: str, second: str) -> None:
    generator = ProceduralImageGenerator()

    one = await through_port(generator, request(first))
    other = await through_port(generator, request(second))

    assert colour_distance(decode(one.images[0]), decode(other.images[0])) > 40


@pytest.mark.parametrize(("word", "band"), [("red", 0), ("green", 1), ("blue", 2)])
async def test_colour_words_set_the_dominant_colour(word: str, band: int) -> None:
    generator = ProceduralImageGenerator()

    result = await through_port(generator, request(f"{word} circles"))

    mean = mean_colour(decode(result.images[0]))
    assert mean[band] == max(mean)


async def test_variants_and_seeds_differ() -> None:
    generator = ProceduralImageGenerator()

    variants = await through_port(generator, request("ocean waves", count=2))
    reseeded = await through_port(generator, request("ocean waves", seed=43))

    first, second = (decode(data) for data in variants.images)
    assert mean_difference(first, second) > 5
    assert mean_difference(first, decode(reseeded.images[0])) > 5


@pytest.mark.parametrize("ratio", PROVIDER_ASPECT_RATIOS, ids=lambda r: r.name)
async def test_images_have_the_aspect_ratios_pixel_size(ratio: AspectRatio) -> None:
    generator = ProceduralImageGenerator()

    result = await through_port(generator, request("stars", ratio=ratio.name))

    image = decode(result.images[0])
    assert image.format == "PNG"
    assert image.size == (ratio.width_px, ratio.height_px)


@pytest.mark.parametrize("count", [1, 2, 3, 4])
async def test_count_is_honoured(count: int) -> None:
    generator = ProceduralImageGenerator()

    result = await through_port(generator, request("geometric", count=count, ratio="9:21"))

    assert len(result.images) == count
    assert len(set(result.images)) == count


async def test_label_sits_in_the_bottom_right_corner() -> None:
    generator = ProceduralImageGenerator()
    size = (SQUARE.width_px, SQUARE.height_px)
    plain = procedural_art("teal bubbles", 42, 0, size)

    labelled = await through_port(generator, request("teal bubbles", seed=42))

    changed = ImageChops.difference(plain, decode(labelled.images[0]).convert("RGB")).getbbox()
    assert changed is not None
    left, top, _, _ = changed
    assert left > size[0] // 2
    assert top > size[1] * 9 // 10


async def test_with_a_photo_the_first_variant_is_the_photo_cropped_to_size() -> None:
    generator = ProceduralImageGenerator()
    source = decode(photo())
    expected = source.crop((150, 0, 750, 600)).resize((1024, 1024), Image.Resampling.LANCZOS)

    result = await through_port(generator, request("sunset waves", count=3, source=photo()))

    first = decode(result.images[0]).convert("RGB")
    assert first.size == (1024, 1024)
    assert mean_difference(first, expected) < 3
    for later in result.images[1:]:
        assert mean_difference(decode(later).convert("RGB"), first) > 15


async def test_with_a_photo_and_no_prompt_variants_are_neutral_stylisations() -> None:
    generator = ProceduralImageGenerator()

    result = await through_port(generator, request(None, count=4, ratio="9:16", source=photo()))

    images = [decode(data).convert("RGB") for data in result.images]
    assert all(image.size == (768, 1344) for image in images)
    for later in images[1:]:
        assert mean_difference(later, images[0]) > 10


async def test_an_unreadable_photo_is_a_provider_failure() -> None:
    generator = ProceduralImageGenerator()

    with pytest.raises(ProviderFailed):
        await generator.generate(request("waves", source=b"not a photo"))
    outcome = await through_port(generator, request("waves", source=b"not a photo"))
    assert outcome.state is PredictionState.FAILED
    assert outcome.error


@pytest.mark.parametrize(
    "bad", [request(None), request("waves", count=0)], ids=["nothing-to-draw", "no-images"]
)
async def test_a_request_that_cannot_make_an_image_is_a_provider_failure(
    bad: GenerationRequest,
) -> None:
    generator = ProceduralImageGenerator()

    with pytest.raises(ProviderFailed):
        await generator.generate(bad)
    assert (await through_port(generator, bad)).state is PredictionState.FAILED
