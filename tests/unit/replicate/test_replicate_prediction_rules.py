"""What each provider status means, how a reference rides along, and request details."""

import pytest

from adapters.replicate.predictions import Prediction, decode_prediction
from adapters.replicate.references import reference_of, webhook_with_reference
from adapters.replicate.settling import settle
from adapters.replicate.submission import Target, cancel_after
from application.ports import PredictionState


def prediction(status: str, **fields: object) -> Prediction:
    return Prediction(id="abc", status=status, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("status", ["starting", "processing"])
def test_unfinished_prediction_is_running(status: str) -> None:
    assert settle(prediction(status)).state is PredictionState.RUNNING


def test_succeeded_prediction_gives_its_output_urls() -> None:
    settled = settle(prediction("succeeded", output=["https://a/0.png", "https://a/1.png"]))

    assert settled.state is PredictionState.SUCCEEDED
    assert settled.urls == ["https://a/0.png", "https://a/1.png"]


def test_single_url_output_is_one_file() -> None:
    assert settle(prediction("succeeded", output="https://a/0.png")).urls == ["https://a/0.png"]


@pytest.mark.parametrize(
    "fields",
    [{"output": None}, {"output": []}, {"output": [3]}, {"output": None, "data_removed": True}],
)
def test_succeeded_prediction_with_nothing_to_copy_is_failed(fields: dict[str, object]) -> None:
    assert settle(prediction("succeeded", **fields)).state is PredictionState.FAILED


def test_all_images_blocked_for_safety_is_a_blocked_failure() -> None:
    error = "All generated images contained NSFW content. Try running it again."

    settled = settle(prediction("failed", error=error))

    assert (settled.state, settled.blocked) == (PredictionState.FAILED, True)


@pytest.mark.parametrize("status", ["failed", "canceled", "aborted", "exploded"])
def test_every_other_ending_is_an_unblocked_failure_with_a_reason(status: str) -> None:
    settled = settle(prediction(status, error=None))

    assert (settled.state, settled.blocked) == (PredictionState.FAILED, False)
    assert settled.error


def test_aborted_status_that_client_1_0_7_refuses_is_decoded() -> None:
    decoded = decode_prediction(b'{"id": "abc", "status": "aborted", "extra": {"x": 1}}')

    assert decoded.status == "aborted"


def test_timestamps_with_nanoseconds_are_read() -> None:
    created = prediction("starting", created_at="2025-02-26T15:02:03.35548709Z").created()

    assert created is not None and created.microsecond == 355487


def test_reference_rides_in_the_webhook_query_and_replaces_an_older_one() -> None:
    url = webhook_with_reference("https://api.example/hook?kind=design&reference=old", "d-1")

    assert reference_of(url) == "d-1"
    assert "kind=design" in url
    assert reference_of("https://api.example/hook") is None
    assert reference_of(None) is None


def test_webhook_url_must_be_absolute_http() -> None:
    with pytest.raises(ValueError):
        webhook_with_reference("/v1/webhooks/replicate", "d-1")


@pytest.mark.parametrize(("seconds", "header"), [(120, "120s"), (90.4, "90s"), (0.25, "250ms")])
def test_cancel_after_is_a_duration_with_its_unit(seconds: float, header: str) -> None:
    assert cancel_after(seconds) == header


def test_model_targets_are_owner_and_name_only() -> None:
    assert Target.model("black-forest-labs/flux-schnell").path == (
        "/v1/models/black-forest-labs/flux-schnell/predictions"
    )
    for bad in ("flux", "a/b/c", "a/b:123", "/b"):
        with pytest.raises(ValueError):
            Target.model(bad)
