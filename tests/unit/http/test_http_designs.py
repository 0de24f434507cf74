import asyncio
import io
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from adapters.memory.repositories import InMemoryStore
from entrypoints.http.designs import MAX_PREFERRED_WAIT, preferred_wait
from entrypoints.worker import UpscaleWorker

PROMPT = "a red fox in a snowy forest at sunset"


def _path_of(url: str) -> str:
    assert url.startswith("http://testserver.local/")
    return url.removeprefix("http://testserver.local")


async def _run_worker_step(app: Litestar) -> None:
    worker = UpscaleWorker(app.state.dishka_container, poll_seconds=0.01, name="test-worker")
    assert await worker.run_once() is not None


async def create_design(
    client: AsyncTestClient[Any], headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {
        "phone": "apple-iphone-15-pro",
        "prompt": PROMPT,
        "kind": "skin",
        "variants": 1,
        "seed": 7,
    }
    body.update(fields)
    response = await client.post("/v1/designs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_prompt_becomes_phone_shaped_previews(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    design = await create_design(client, alice, variants=2)

    assert design["status"] == "ready"
    assert design["aspectRatio"] == "9:21"
    assert design["generator"] == "procedural-local"
    assert [v["index"] for v in design["variants"]] == [0, 1]
    preview = await client.get(_path_of(design["variants"][0]["previewUrl"]))
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "image/webp"
    image = Image.open(io.BytesIO(preview.content))
    assert image.mode == "RGBA"
    assert abs(image.width / image.height - 70.6 / 146.6) < 0.01
    assert image.getchannel("A").getpixel((0, 0)) == 0
    assert image.getchannel("A").getpixel((image.width // 2, image.height * 3 // 4)) == 255


async def test_the_owner_sees_the_design_in_the_library(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    design = await create_design(client, alice)

    shown = await client.get(f"/v1/designs/{design['id']}", headers=alice)
    library = await client.get("/v1/designs", headers=alice)

    assert shown.status_code == 200
    assert shown.json()["id"] == design["id"]
    assert [d["id"] for d in library.json()] == [design["id"]]


async def test_download_asks_to_retry_until_the_upscale_is_done_then_serves_the_print_file(
    app: Litestar, client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    design = await create_design(client, alice)
    url = f"/v1/designs/{design['id']}/variants/0/download"

    pending = await client.post(url, headers=alice)
    await _run_worker_step(app)
    ready = await client.post(url, headers=alice)

    assert pending.status_code == 202
    assert pending.headers["retry-after"] == "2"
    assert pending.json()["status"] == "queued"
    assert ready.status_code == 200
    file = await client.get(_path_of(ready.json()["url"]))
    assert file.status_code == 200
    assert file.headers["content-type"] == "image/png"
    skin = Image.open(io.BytesIO(file.content))
    assert skin.size == (834, 1731)
    assert skin.mode == "RGBA"
    assert round(skin.info["dpi"][0]) == 300
    alpha = skin.getchannel("A")
    assert alpha.getpixel((0, 0)) == 0
    assert alpha.getpixel((skin.width // 2, skin.height * 3 // 4)) == 255


async def test_a_design_with_several_variants_queues_the_upscale_on_first_download(
    app: Litestar, client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    design = await create_design(client, alice, variants=3)

    first = await client.post(f"/v1/designs/{design['id']}/variants/2/download", headers=alice)
    await _run_worker_step(app)
    second = await client.post(f"/v1/designs/{design['id']}/variants/2/download", headers=alice)

    assert first.status_code == 202
    assert second.status_code == 200


async def test_a_wallpaper_is_the_native_screen_resolution(
    app: Litestar, client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    design = await create_design(client, alice, kind="wallpaper")
    await _run_worker_step(app)

    ready = await client.post(f"/v1/designs/{design['id']}/variants/0/download", headers=alice)
    file = await client.get(_path_of(ready.json()["url"]))

    wallpaper = Image.open(io.BytesIO(file.content))
    assert wallpaper.size == (1179, 2556)


async def test_another_user_gets_404_for_the_design_and_its_files(
    client: AsyncTestClient[Litestar], alice: dict[str, str], bob: dict[str, str]
) -> None:
    design = await create_design(client, alice)

    shown = await client.get(f"/v1/designs/{design['id']}", headers=bob)
    download = await client.post(f"/v1/designs/{design['id']}/variants/0/download", headers=bob)
    library = await client.get("/v1/designs", headers=bob)

    assert shown.status_code == 404
    assert download.status_code == 404
    assert design["id"] not in shown.text + download.text
    assert library.json() == []


async def test_an_unknown_variant_is_404(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    design = await create_design(client, alice)

    response = await client.post(f"/v1/designs/{design['id']}/variants/3/download", headers=alice)

    assert response.status_code == 404
    assert response.json()["code"] == "variant_not_found"


async def test_an_uploaded_photo_becomes_a_design(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    photo = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 200)).save(photo, "JPEG")

    uploaded = await client.post(
        "/v1/uploads", content=photo.getvalue(), headers={**alice, "Content-Type": "image/jpeg"}
    )
    design = await create_design(client, alice, prompt=None, uploadId=uploaded.json()["id"])

    assert uploaded.status_code == 201
    assert uploaded.json()["width"] == 400
    assert design["uploadId"] == uploaded.json()["id"]
    assert design["status"] == "ready"


async def test_a_multipart_upload_is_accepted(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    photo = io.BytesIO()
    Image.new("RGBA", (64, 64), (200, 0, 0, 128)).save(photo, "PNG")

    uploaded = await client.post(
        "/v1/uploads", files={"file": ("p.png", photo.getvalue(), "image/png")}, headers=alice
    )

    assert uploaded.status_code == 201, uploaded.text
    assert (uploaded.json()["width"], uploaded.json()["height"]) == (64, 64)


async def test_someone_elses_upload_cannot_be_used(
    client: AsyncTestClient[Litestar], alice: dict[str, str], bob: dict[str, str]
) -> None:
    photo = io.BytesIO()
    Image.new("RGB", (64, 64)).save(photo, "PNG")
    uploaded = await client.post(
        "/v1/uploads", content=photo.getvalue(), headers={**alice, "Content-Type": "image/png"}
    )

    response = await client.post(
        "/v1/designs",
        json={"phone": "apple-iphone-15-pro", "uploadId": uploaded.json()["id"]},
        headers=bob,
    )

    assert response.status_code == 404
    assert response.json()["code"] == "upload_not_found"


async def test_a_tampered_or_expired_file_link_is_refused(
    client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    design = await create_design(client, alice)
    url = _path_of(design["variants"][0]["previewUrl"])

    tampered = await client.get(url.replace("preview.webp", "artwork.png"))
    expired = await client.get(url.split("?")[0] + "?expires=1000&signature=" + "A" * 43)
    escaped = await client.get("/files/../secret_key?expires=9999999999&signature=" + "A" * 43)

    assert tampered.status_code == 401
    assert expired.status_code == 401
    assert escaped.status_code in (401, 404)


async def test_the_embedded_worker_makes_the_download_ready_by_itself(tmp_path: Any) -> None:
    from casecraft_testing import InMemoryAdapters, make_settings, sign_up_and_log_in
    from entrypoints.http.app import create_app

    app = create_app(make_settings(tmp_path, CASECRAFT_EMBEDDED_WORKER="true"), InMemoryAdapters())
    async with AsyncTestClient(app, base_url="http://testserver.local") as client:
        headers = await sign_up_and_log_in(client, "carol@example.com")
        design = await create_design(client, headers)
        url = f"/v1/designs/{design['id']}/variants/0/download"

        statuses = []
        for _ in range(200):
            response = await client.post(url, headers=headers)
            statuses.append(response.status_code)
            if response.status_code == 200:
                break
            await asyncio.sleep(0.05)

    assert statuses[-1] == 200


async def test_every_shared_sample_image_uploads_and_becomes_a_design(
    client: AsyncTestClient[Litestar], alice: dict[str, str], shared_images: Any
) -> None:
    samples = sorted(p for p in shared_images.iterdir() if p.suffix.lower() != ".md")
    assert samples

    for sample in samples:
        uploaded = await client.post(
            "/v1/uploads",
            files={"file": (sample.name, sample.read_bytes(), "application/octet-stream")},
            headers=alice,
        )
        assert uploaded.status_code == 201, (sample.name, uploaded.text)
        design = await create_design(client, alice, prompt=None, uploadId=uploaded.json()["id"])
        assert design["status"] == "ready", sample.name


async def test_concurrent_first_downloads_queue_one_upscale(
    app: Litestar, client: AsyncTestClient[Litestar], alice: dict[str, str]
) -> None:
    design = await create_design(client, alice, variants=3)
    url = f"/v1/designs/{design['id']}/variants/2/download"

    answers = await asyncio.gather(*(client.post(url, headers=alice) for _ in range(8)))

    assert {a.status_code for a in answers} == {202}
    store = await app.state.dishka_container.get(InMemoryStore)
    jobs = [j for j in store.jobs.values() if str(j.design_id) == design["id"]]
    assert len(jobs) == 1


async def test_with_redis_away_designs_and_downloads_still_work(tmp_path: Any) -> None:
    from casecraft_testing import InMemoryAdapters, make_settings, sign_up_and_log_in
    from contracts_suite.coordination import free_loopback_port
    from entrypoints.http.app import create_app

    settings = make_settings(
        tmp_path,
        REDIS_SERVER="127.0.0.1",
        REDIS_PORT=str(free_loopback_port()),
        CASECRAFT_EMBEDDED_WORKER="true",
        CASECRAFT_WORKER_POLL_SECONDS="1",
    )
    async with AsyncTestClient(create_app(settings, InMemoryAdapters())) as client:
        headers = await sign_up_and_log_in(client, "frank@example.com")
        design = await create_design(client, headers)
        url = f"/v1/designs/{design['id']}/variants/0/download"
        answer = await client.post(url, headers=headers)
        async with asyncio.timeout(20):
            while answer.status_code == 202:
                await asyncio.sleep(0.1)
                answer = await client.post(url, headers=headers)

    assert design["status"] == "ready"
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "prefer",
    ["wait=\u00b2", "wait=1\u00b3", "wait=" + "9" * 5000, "wait=-1", "wait=0005", "wait= 2 "],
)
def test_a_prefer_header_that_is_no_plain_wait_is_read_safely(prefer: str) -> None:
    wait = preferred_wait(prefer)

    assert wait is None or 0 <= wait <= MAX_PREFERRED_WAIT


def test_the_preferred_wait_reads_plain_digits_and_caps_them() -> None:
    assert preferred_wait("wait=0005") == 5
    assert preferred_wait("wait=" + "9" * 5000) == MAX_PREFERRED_WAIT
    assert preferred_wait("wait=\u00b2") is None
    assert preferred_wait("respond-async, wait=5") == 0


@pytest.mark.parametrize("prefer", [b"wait=\xb2", b"wait=1\xb3", b"wait=" + b"9" * 5000])
async def test_a_design_with_an_odd_prefer_header_is_made_as_any_other(
    client: AsyncTestClient[Litestar], alice: dict[str, str], prefer: bytes
) -> None:
    body = {"phone": "apple-iphone-15-pro", "prompt": PROMPT, "kind": "skin", "variants": 1}
    headers: dict[str, Any] = {**alice, "prefer": prefer}

    response = await client.post("/v1/designs", json=body, headers=headers)

    assert response.status_code in (201, 202), response.text


@pytest.mark.parametrize(
    ("path", "content", "content_type"),
    [
        ("/v1/designs", b"{}", "application/json"),
        ("/v1/designs", b"{not json", "application/json"),
        ("/v1/uploads", b"\x00", "image/png"),
        ("/v1/uploads", b"{}", "application/json"),
    ],
)
async def test_a_caller_without_credentials_is_401_before_the_body_is_read(
    client: AsyncTestClient[Litestar], path: str, content: bytes, content_type: str
) -> None:
    response = await client.post(path, content=content, headers={"content-type": content_type})

    assert response.status_code == 401
    assert response.json()["code"] == "token_missing"
