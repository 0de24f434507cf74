from pathlib import Path

import pytest

from entrypoints.settings import SettingsError, load_settings

STRONG = "Jd8fK2mQ7vX3pL9sW4tY6bN1cR5hG0aZ-e_uVqPn"


def test_no_variables_give_the_embedded_default(tmp_path: Path) -> None:
    settings = load_settings({"CASECRAFT_DATA_DIR": str(tmp_path)})

    assert settings.database.url == f"sqlite+aiosqlite:///{tmp_path / 'casecraft.db'}"
    assert settings.redis is None and settings.s3 is None and settings.replicate is None
    assert settings.worker.embedded
    assert len(settings.security.secret_key) >= 32


def test_the_development_secret_survives_a_restart(tmp_path: Path) -> None:
    first = load_settings({"CASECRAFT_DATA_DIR": str(tmp_path)})
    second = load_settings({"CASECRAFT_DATA_DIR": str(tmp_path)})

    assert first.security.secret_key == second.security.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    "secret",
    [
        None,
        "",
        "secret",
        "changeme",
        "short",
        "a" * 40,
        "change-me-change-me-change-me-change-me-xx",
        "your-secret-key-here-please-change-me-now!!",
    ],
)
def test_production_refuses_a_missing_default_or_short_secret(
    tmp_path: Path, secret: str | None
) -> None:
    env = {"CASECRAFT_ENV": "production", "CASECRAFT_DATA_DIR": str(tmp_path)}
    if secret is not None:
        env["SECRET_KEY"] = secret

    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings(env)


def test_the_original_variable_names_choose_the_production_parts(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "CASECRAFT_ENV": "production",
            "CASECRAFT_DATA_DIR": str(tmp_path),
            "SECRET_KEY": STRONG,
            "DATABASE_URL": "postgres://app:pw@db:5432/casecraft",
            "REDIS_SERVER": "cache",
            "REDIS_PORT": "6380",
            "REPLICATE_API_TOKEN": "r8_test",
            "AWS_ACCESS_KEY_ID": "id",
            "AWS_SECRET_ACCESS_KEY": "key",
            "AWS_REGION": "eu-west-3",
            "AWS_S3_BUCKET": "skins",
            "JWT_ALGORITHM": "HS512",
            "ACCESS_TOKEN_EXPIRE_MINUTES": "15",
        }
    )

    assert settings.database.url == "postgresql+asyncpg://app:pw@db:5432/casecraft"
    assert settings.redis is not None and (settings.redis.host, settings.redis.port) == (
        "cache",
        6380,
    )
    assert settings.replicate is not None and settings.replicate.api_token == "r8_test"
    assert settings.s3 is not None and (settings.s3.bucket, settings.s3.region) == (
        "skins",
        "eu-west-3",
    )
    assert settings.security.jwt_algorithm == "HS512"
    assert settings.security.access_token_minutes == 15


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CASECRAFT_PORT", "eighty"),
        ("CASECRAFT_EMBEDDED_WORKER", "maybe"),
        ("CASECRAFT_ENV", "staging"),
    ],
)
def test_an_unusable_value_names_its_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({"CASECRAFT_DATA_DIR": str(tmp_path), "SECRET_KEY": STRONG, name: value})


def test_no_secret_shows_in_the_settings_repr(tmp_path: Path) -> None:
    secrets = {
        "SECRET_KEY": "k" * 20 + "Zq8#Lm2!Vx9@Rt4$Wb7%",
        "REDIS_SERVER": "127.0.0.1",
        "REDIS_PASSWORD": "redis-pass-Hx71",
        "AWS_S3_BUCKET": "bucket",
        "AWS_SECRET_ACCESS_KEY": "aws-secret-Qm52",
        "REPLICATE_API_TOKEN": "r8_token-Jp33",
        "REPLICATE_WEBHOOK_SECRET": "whsec_Tn94",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_USERNAME": "mailer",
        "SMTP_PASSWORD": "smtp-pass-Ld06",
        "GOOGLE_CLIENT_ID": "client-id",
        "GOOGLE_CLIENT_SECRET": "google-secret-Wr48",
    }

    shown = repr(load_settings({"CASECRAFT_DATA_DIR": str(tmp_path), **secrets}))

    for name in (
        "SECRET_KEY",
        "REDIS_PASSWORD",
        "AWS_SECRET_ACCESS_KEY",
        "REPLICATE_API_TOKEN",
        "REPLICATE_WEBHOOK_SECRET",
        "SMTP_PASSWORD",
        "GOOGLE_CLIENT_SECRET",
    ):
        assert secrets[name] not in shown, name
