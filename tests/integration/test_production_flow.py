"""The whole HTTP flow of a new user on the production parts, all on loopback.

PostgreSQL (a throw-away database), Redis, an S3 server (moto), and the fake of
the image provider; the service runs under uvicorn as `casecraft serve` runs it,
so the provider's webhooks reach it. Nothing here leaves the machine.
"""

import asyncio
import io
import logging
import os
import secrets
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
import uvicorn
from botocore.config import Config
from moto.server import ThreadedMotoServer
from PIL import Image

from contracts_suite.coordination import free_loopback_port, require_redis
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from fakes.replicate_fake import ReplicateFake, running_in_thread

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
BUCKET = "casecraft-flow"
REGION = "eu-west-1"
ACCESS_KEY_ID = "AKIDCASECRAFTFLOWTEST"
SECRET_ACCESS_KEY = "casecraft-flow-secret-never-logged"
# The provider answers in 0.3 s here; the flow as a whole has a generous bound.
FLOW_DEADLINE_SECONDS = 60.0


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server with one bucket, in an environment that reaches nothing else."""
    with pytest.MonkeyPatch.context() as env:
        for name in [name for name in os.environ if name.startswith("AWS_")]:
            env.delenv(name)
        env.setenv("AWS_EC2_METADATA_DISABLED", "true")
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        admin = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            config=Config(signature_version="s3v4"),
        )
        admin.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        admin.close()
        try:
            yield endpoint
        finally:
            server.stop()


@pytest.fixture(scope="module")
def provider() -> Iterator[ReplicateFake]:
    with running_in_thread(latency=0.3) as fake:
        yield fake


@dataclass
class Service:
    base_url: str
    server: uvicorn.Server


@pytest.fixture
def service(
    postgres_url: str, s3_endpoint: str, provider: ReplicateFake, tmp_path: Any
) -> Iterator[Service]:
    redis = require_redis()
    port = free_loopback_port()
    settings = load_settings(
        {
            "CASECRAFT_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "CASECRAFT_DATA_DIR": str(tmp_path / "data"),
            "CASECRAFT_PORT": str(port),
            "CASECRAFT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "CASECRAFT_AUTO_MIGRATE": "false",
            "CASECRAFT_WORKER_POLL_SECONDS": "1",
            "DATABASE_URL": postgres_url,
            "REDIS_SERVER": redis.host,
            "REDIS_PORT": str(redis.port),
            "AWS_S3_BUCKET": BUCKET,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "AWS_S3_ENDPOINT_URL": s3_endpoint,
            "REPLICATE_API_TOKEN": provider.token,
            "REPLICATE_BASE_URL": provider.base_url,
            "REPLICATE_OUTPUT_HOSTS": provider.base_url,
            "REPLICATE_WEBHOOK_SECRET": provider.webhook_secret,
        }
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=port,
            log_config=None,
            access_log=False,
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)
    try:
        yield Service(f"http://127.0.0.1:{port}", server)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        yield client


async def _log_in(http: httpx.AsyncClient, base: str, email: str) -> dict[str, str]:
    credentials = {"email": email, "password": PASSWORD}
    assert (await http.post(f"{base}/v1/auth/signup", json=credentials)).status_code == 202
    answer = await http.post(f"{base}/v1/auth/login", json=credentials)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['accessToken']}"}


async def test_a_new_user_gets_a_print_file_through_the_production_parts(
    service: Service, provider: ReplicateFake, http: httpx.AsyncClient, s3_endpoint: str
) -> None:
    base = service.base_url
    alice = await _log_in(http, base, "alice@flow.example.com")
    mallory = await _log_in(http, base, "mallory@flow.example.com")

    created = await http.post(
        f"{base}/v1/designs",
        json={"phone": "apple-iphone-15-pro", "prompt": "blue ocean waves", "seed": 11},
        headers={**alice, "Prefer": "wait=20"},
    )
    assert created.status_code == 201, created.text
    design = created.json()
    assert design["status"] == "ready"
    assert design["generator"] == "replicate:black-forest-labs/flux-schnell"

    preview_url = design["variants"][0]["previewUrl"]
    assert preview_url.startswith(f"{s3_endpoint}/{BUCKET}/designs/{design['id']}/")
    preview = await http.get(preview_url)
    assert preview.status_code == 200
    assert preview.headers["content-type"] == "image/webp"

    download = f"{base}/v1/designs/{design['id']}/variants/0/download"
    statuses: list[int] = []
    answer = await http.post(download, headers=alice)
    async with asyncio.timeout(FLOW_DEADLINE_SECONDS):
        while answer.status_code == 202:
            statuses.append(answer.status_code)
            assert answer.headers["retry-after"]
            await asyncio.sleep(0.2)
            answer = await http.post(download, headers=alice)
    assert answer.status_code == 200, answer.text
    skin = await http.get(answer.json()["url"])
    assert skin.status_code == 200
    image = Image.open(io.BytesIO(skin.content))
    assert (image.size, image.mode) == ((834, 1731), "RGBA")
    assert image.getchannel("A").getpixel((0, 0)) == 0

    assert (await http.get(f"{base}/v1/designs/{design['id']}", headers=mallory)).status_code == 404
    assert (await http.post(download, headers=mallory)).status_code == 404
    assert provider.billed_count() == 2, "one generation and one upscale, each paid once"
    delivered = [d for d in provider.deliveries if d.status is not None and 200 <= d.status < 300]
    assert delivered, "the provider's signed webhooks were accepted"
