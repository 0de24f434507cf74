"""Rows to domain entities and back, field by field; the domain knows nothing of rows."""

from typing import Any

from adapters.persistence.models import (
    DesignRow,
    OneTimeTokenRow,
    PhoneRow,
    RefreshTokenRow,
    UploadRow,
    UpscaleJobRow,
    UserRow,
)
from domain.designs import Design, DesignStatus, Upload, Variant
from domain.geometry import Kind
from domain.jobs import JobStatus, UpscaleJob
from domain.one_time_tokens import OneTimeToken, TokenPurpose
from domain.phones import Cutout, CutoutShape, PhoneModel, Provenance
from domain.sessions import RefreshToken
from domain.users import User


def cutout_to_json(cutout: Cutout) -> dict[str, Any]:
    return {
        "feature": cutout.feature,
        "shape": cutout.shape.value,
        "x_mm": cutout.x_mm,
        "y_mm": cutout.y_mm,
        "width_mm": cutout.width_mm,
        "height_mm": cutout.height_mm,
        "corner_radius_mm": cutout.corner_radius_mm,
        "provenance": cutout.provenance.value,
    }


def cutout_from_json(data: dict[str, Any]) -> Cutout:
    return Cutout(
        feature=str(data["feature"]),
        shape=CutoutShape(data["shape"]),
        x_mm=float(data["x_mm"]),
        y_mm=float(data["y_mm"]),
        width_mm=float(data["width_mm"]),
        height_mm=float(data["height_mm"]),
        corner_radius_mm=float(data["corner_radius_mm"]),
        provenance=Provenance(data["provenance"]),
    )


def phone_values(phone: PhoneModel) -> dict[str, Any]:
    """Every column of a phone's row but its id, for inserts and upserts."""
    return {
        "slug": phone.slug,
        "brand": phone.brand,
        "brand_slug": phone.brand_slug,
        "name": phone.name,
        "year": phone.year,
        "height_mm": phone.height_mm,
        "width_mm": phone.width_mm,
        "depth_mm": phone.depth_mm,
        "corner_radius_mm": phone.corner_radius_mm,
        "corner_radius_provenance": phone.corner_radius_provenance.value,
        "screen_width_px": phone.screen_width_px,
        "screen_height_px": phone.screen_height_px,
        "screen_diagonal_in": phone.screen_diagonal_in,
        "cutouts": [cutout_to_json(c) for c in phone.cutouts],
        "source": phone.source,
    }


def phone_from_row(row: PhoneRow) -> PhoneModel:
    return PhoneModel(
        slug=row.slug,
        brand=row.brand,
        name=row.name,
        year=row.year,
        height_mm=row.height_mm,
        width_mm=row.width_mm,
        depth_mm=row.depth_mm,
        corner_radius_mm=row.corner_radius_mm,
        corner_radius_provenance=Provenance(row.corner_radius_provenance),
        screen_width_px=row.screen_width_px,
        screen_height_px=row.screen_height_px,
        screen_diagonal_in=row.screen_diagonal_in,
        cutouts=tuple(cutout_from_json(c) for c in row.cutouts),
        source=row.source,
    )


def variant_to_json(variant: Variant) -> dict[str, Any]:
    return {
        "index": variant.index,
        "artwork_key": variant.artwork_key,
        "preview_key": variant.preview_key,
        "width_px": variant.width_px,
        "height_px": variant.height_px,
    }


def variant_from_json(data: dict[str, Any]) -> Variant:
    return Variant(
        index=int(data["index"]),
        artwork_key=str(data["artwork_key"]),
        preview_key=str(data["preview_key"]),
        width_px=int(data["width_px"]),
        height_px=int(data["height_px"]),
    )


def write_design(row: DesignRow, design: Design) -> None:
    """Copy every field of `design` onto `row`."""
    row.id = design.id
    row.owner_id = design.owner_id
    row.phone_slug = design.phone_slug
    row.kind = design.kind.value
    row.prompt = design.prompt
    row.upload_id = design.upload_id
    row.seed = design.seed
    row.variant_count = design.variant_count
    row.aspect_ratio = design.aspect_ratio
    row.status = design.status.value
    row.generator = design.generator
    row.failure = design.failure
    row.variants = [variant_to_json(v) for v in design.variants]
    row.created_at = design.created_at
    row.expires_at = design.expires_at
    row.prediction_id = design.prediction_id


def design_from_row(row: DesignRow) -> Design:
    return Design(
        id=row.id,
        owner_id=row.owner_id,
        phone_slug=row.phone_slug,
        kind=Kind(row.kind),
        prompt=row.prompt,
        upload_id=row.upload_id,
        seed=row.seed,
        variant_count=row.variant_count,
        aspect_ratio=row.aspect_ratio,
        status=DesignStatus(row.status),
        created_at=row.created_at,
        expires_at=row.expires_at,
        generator=row.generator,
        failure=row.failure,
        variants=[variant_from_json(v) for v in row.variants],
        prediction_id=row.prediction_id,
    )


def upload_to_row(upload: Upload) -> UploadRow:
    return UploadRow(
        id=upload.id,
        owner_id=upload.owner_id,
        key=upload.key,
        width_px=upload.width_px,
        height_px=upload.height_px,
        created_at=upload.created_at,
    )


def upload_from_row(row: UploadRow) -> Upload:
    return Upload(
        id=row.id,
        owner_id=row.owner_id,
        key=row.key,
        width_px=row.width_px,
        height_px=row.height_px,
        created_at=row.created_at,
    )


def write_user(row: UserRow, user: User) -> None:
    """Copy every field of `user` onto `row`."""
    row.id = user.id
    row.email = user.email
    row.password_hash = user.password_hash
    row.verified = user.verified
    row.google_subject = user.google_subject
    row.created_at = user.created_at
    # Never lowered: a copy read before a reset must not revive the sessions it ended.
    row.session_epoch = max(row.session_epoch or 0, user.session_epoch)


def user_from_row(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        password_hash=row.password_hash,
        verified=row.verified,
        created_at=row.created_at,
        google_subject=row.google_subject,
        session_epoch=row.session_epoch,
    )


def job_values(job: UpscaleJob) -> dict[str, Any]:
    """Every column of a job's row, id included."""
    return {
        "id": job.id,
        "design_id": job.design_id,
        "variant_index": job.variant_index,
        "status": job.status.value,
        "attempts": job.attempts,
        "next_attempt_at": job.next_attempt_at,
        "lease_owner": job.lease_owner,
        "lease_expires_at": job.lease_expires_at,
        "prediction_id": job.prediction_id,
        "result_key": job.result_key,
        "failure": job.failure,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
    }


def write_job(row: UpscaleJobRow, job: UpscaleJob) -> None:
    """Copy every field of `job` onto `row`."""
    for name, value in job_values(job).items():
        setattr(row, name, value)


def job_from_row(row: UpscaleJobRow) -> UpscaleJob:
    return UpscaleJob(
        id=row.id,
        design_id=row.design_id,
        variant_index=row.variant_index,
        status=JobStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        lease_owner=row.lease_owner,
        lease_expires_at=row.lease_expires_at,
        prediction_id=row.prediction_id,
        result_key=row.result_key,
        failure=row.failure,
    )


def refresh_token_values(token: RefreshToken) -> dict[str, Any]:
    """Every column of a refresh token's row, id included."""
    return {
        "id": token.id,
        "family_id": token.family_id,
        "user_id": token.user_id,
        "token_hash": token.token_hash,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "session_epoch": token.session_epoch,
        "consumed_at": token.consumed_at,
        "revoked_at": token.revoked_at,
    }


def refresh_token_from_row(row: RefreshTokenRow) -> RefreshToken:
    return RefreshToken(
        id=row.id,
        family_id=row.family_id,
        user_id=row.user_id,
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        session_epoch=row.session_epoch,
        consumed_at=row.consumed_at,
        revoked_at=row.revoked_at,
    )


def one_time_token_values(token: OneTimeToken) -> dict[str, Any]:
    """Every column of a one-time token's row, id included."""
    return {
        "id": token.id,
        "user_id": token.user_id,
        "purpose": token.purpose.value,
        "token_hash": token.token_hash,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "used_at": token.used_at,
    }


def one_time_token_from_row(row: OneTimeTokenRow) -> OneTimeToken:
    return OneTimeToken(
        id=row.id,
        user_id=row.user_id,
        purpose=TokenPurpose(row.purpose),
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        used_at=row.used_at,
    )
