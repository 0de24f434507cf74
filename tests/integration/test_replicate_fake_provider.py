"""The fake provider itself, driven by the real client's own methods, and its command line."""

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from fakes.replicate_fake import FLUX_SCHNELL, Behaviour, ReplicateFake, running_in_thread
from fakes.replicate_support import client_for, open_client

pytestmark = pytest.mark.integration

FLUX_INPUT = {"prompt": "a fern", "num_outputs": 1, "output_format": "png"}
FAKE = Path(__file__).resolve().parents[1] / "fakes" / "replicate_fake.py"


async def test_prefer_wait_holds_the_create_until_the_prediction_ends() -> None:
    async with ReplicateFake(latency=0.1) as fake, open_client(fake) as client:
        made = await client.models.predictions.async_create(FLUX_SCHNELL, FLUX_INPUT, wait=5)

        assert made.status == "succeeded"
        assert fake.requests_to("/v1/models/")[0].headers["prefer"] == "wait=5"


async def test_prefer_wait_that_runs_out_answers_a_prediction_still_running() -> None:
    async with ReplicateFake() as fake, open_client(fake) as client:
        fake.on_next_prediction(Behaviour(start_seconds=0.0, run_seconds=3.0))

        made = await client.models.predictions.async_create(FLUX_SCHNELL, FLUX_INPUT, wait=1)

        assert made.status == "processing"
        canceled = await client.predictions.async_cancel(made.id)
        assert canceled.status == "canceled"


async def test_list_is_newest_first_and_paginated_with_next() -> None:
    async with ReplicateFake(page_size=2) as fake, open_client(fake) as client:
        made = [
            await client.predictions.async_create(model=FLUX_SCHNELL, input=FLUX_INPUT)
            for _ in range(3)
        ]

        first = await client.predictions.async_list()
        second = await client.predictions.async_list(first.next)

        assert [p.id for p in [*first.results, *second.results]] == [p.id for p in made[::-1]]
        assert second.next is None


async def test_client_1_0_7_cannot_read_an_aborted_prediction_so_the_adapter_decodes_it() -> None:
    async with ReplicateFake() as fake, open_client(fake) as client:
        fake.on_next_prediction(Behaviour(start_seconds=5.0))
        aborted = await client._async_client.post(
            f"/v1/models/{FLUX_SCHNELL}/predictions",
            json={"input": FLUX_INPUT},
            headers={"Cancel-After": "50ms", "Prefer": "wait=1"},
        )

        assert aborted.json()["status"] == "aborted"
        with pytest.raises(Exception, match="aborted"):
            await client.predictions.async_get(aborted.json()["id"])


async def test_api_routes_need_the_token_and_file_delivery_does_not() -> None:
    async with ReplicateFake(latency=0.05) as fake, httpx.AsyncClient() as http:
        assert (await http.get(f"{fake.base_url}/v1/predictions")).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert (await http.get(f"{fake.base_url}/v1/predictions", headers=wrong)).status_code == 401

        made = await http.post(
            f"{fake.base_url}/v1/models/{FLUX_SCHNELL}/predictions",
            json={"input": FLUX_INPUT},
            headers={"Authorization": f"Bearer {fake.token}", "Prefer": "wait=5"},
        )
        file = await http.get(made.json()["output"][0])

        assert file.status_code == 200
        assert file.headers["content-type"] == "image/png"


async def test_invalid_input_is_refused_with_the_field_named() -> None:
    async with ReplicateFake() as fake, httpx.AsyncClient() as http:
        answer = await http.post(
            f"{fake.base_url}/v1/models/{FLUX_SCHNELL}/predictions",
            json={"input": {"prompt": "x", "num_outputs": 9}},
            headers={"Authorization": f"Bearer {fake.token}"},
        )

        assert answer.status_code == 422
        assert answer.json()["invalid_fields"][0]["field"] == "num_outputs"
        assert fake.created_count == 0


def test_fake_runs_in_a_thread_of_its_own_for_synchronous_callers() -> None:
    with running_in_thread(latency=0.05) as fake:
        client = client_for(fake.base_url, fake.token)
        try:
            made = client.models.predictions.create(FLUX_SCHNELL, FLUX_INPUT, wait=5)
        finally:
            client._client.close()

        assert made.status == "succeeded"


def test_fake_runs_from_the_command_line() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(FAKE), "--port", str(port), "--latency", "0.05", "--token", "t"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        answer = httpx.get(
            f"http://127.0.0.1:{port}/v1/webhooks/default/secret",
            headers={"Authorization": "Bearer t"},
        )

        assert f"http://127.0.0.1:{port}" in banner
        assert answer.json()["key"].startswith("whsec_")
    finally:
        process.terminate()
        process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
