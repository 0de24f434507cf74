"""The deployment files keep their promises without a Docker engine to run them.

docker-compose.yml, the Dockerfile and .dockerignore are read as text and YAML:
the whole stack is there, only the API is published, every long-running service
has a health check, migrations finish before the API and the worker start, no
secret is written into any of the files, the image runs as a non-root user, and
the wheel the image installs carries the catalog and the migrations.
`docker compose config` itself needs the compose plugin, which this project does
not install; these tests guard the same properties on every run instead.
"""

import fnmatch
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / "deploy" / "env.example"
MINIO_INIT = ROOT / "deploy" / "minio" / "init.sh"

SERVICES = {"postgres", "redis", "minio", "minio-init", "migrate", "api", "worker"}
# Jobs that run once and exit: a health check means nothing for them.
ONE_SHOT = {"minio-init", "migrate"}
APP_SERVICES = ("migrate", "api", "worker")

# A variable whose name says it holds a secret.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|AUTH|CREDENTIAL")
# `${NAME:?message}`: compose refuses to start while NAME is unset or empty.
REQUIRED_REF = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):\?[^}]+\}")
# `${NAME:-}`: explicitly optional, and empty when unset, so still no literal.
OPTIONAL_REF = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):-\}")
# Secrets the app can do without (it fetches the webhook secret from Replicate).
# Optional features: empty turns the feature off (Google sign-in, webhooks, SMTP auth).
OPTIONAL_SECRETS = {"REPLICATE_WEBHOOK_SECRET", "SMTP_PASSWORD", "GOOGLE_CLIENT_SECRET"}
# Any reference with a default, `${NAME:-value}` or `${NAME-value}`.
DEFAULTED_REF = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):?-(?P<default>[^}]*)\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = compose["services"]
    assert isinstance(found, dict)
    return found


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping, whichever of compose's two forms it uses."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        pairs = (item.partition("=") for item in raw)
        return {name: value for name, _, value in pairs}
    return {name: "" if value is None else str(value) for name, value in raw.items()}


def strings(node: object) -> list[str]:
    """Every string value in the parsed file: what compose interpolates, comments left out."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in strings(value)]
    return []


def condition(service: dict[str, Any], dependency: str) -> str | None:
    depends_on = service.get("depends_on") or {}
    if isinstance(depends_on, list):
        # The short form only waits for the dependency to be created.
        return "service_started" if dependency in depends_on else None
    entry = depends_on.get(dependency)
    return None if entry is None else str(entry.get("condition", "service_started"))


# --- docker-compose.yml -----------------------------------------------------------


def test_compose_defines_the_whole_stack(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == SERVICES


def test_only_the_api_is_published(services: dict[str, dict[str, Any]]) -> None:
    published = sorted(name for name, service in services.items() if service.get("ports"))
    assert published == ["api"]
    # Host networking would publish every port of a service without `ports:`.
    assert all(service.get("network_mode") != "host" for service in services.values())


def test_every_long_running_service_has_a_healthcheck(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in SERVICES - ONE_SHOT:
        check = services[name].get("healthcheck") or {}
        assert check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name} disables its healthcheck"


def test_one_shot_jobs_are_not_restarted(services: dict[str, dict[str, Any]]) -> None:
    # A restarted job would never count as "completed successfully" for its dependants.
    for name in ONE_SHOT:
        assert services[name].get("restart") == "no", name


def test_migrations_finish_before_the_api_and_the_worker_start(
    services: dict[str, dict[str, Any]],
) -> None:
    assert services["migrate"]["command"] == ["casecraft", "db", "upgrade"]
    assert condition(services["migrate"], "postgres") == "service_healthy"
    for name in ("api", "worker"):
        assert condition(services[name], "migrate") == "service_completed_successfully", name
    assert condition(services["api"], "redis") == "service_healthy"
    assert condition(services["api"], "minio-init") == "service_completed_successfully"
    assert condition(services["minio-init"], "minio") == "service_healthy"


def test_each_app_service_runs_its_command(services: dict[str, dict[str, Any]]) -> None:
    assert services["api"]["command"] == ["casecraft", "serve"]
    assert services["worker"]["command"] == ["casecraft", "worker"]
    assert services["worker"]["healthcheck"]["test"] == ["CMD", "casecraft", "worker-health"]


def test_app_services_are_configured_through_the_service_variable_names(
    services: dict[str, dict[str, Any]],
) -> None:
    env = environment(services["api"])
    # One environment for all three, so the migrations run on the API's database.
    for name in APP_SERVICES:
        assert environment(services[name]) == env, name
    assert env["CASECRAFT_ENV"] == "production"
    assert env["CASECRAFT_EMBEDDED_WORKER"] == "false"
    assert env["CASECRAFT_AUTO_MIGRATE"] == "false"
    assert env["REDIS_SERVER"] == "redis"
    assert env["REDIS_PORT"] == "6379"
    assert env["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert re.fullmatch(
        r"postgresql://casecraft:" + REQUIRED_REF.pattern + r"@postgres:5432/casecraft",
        env["DATABASE_URL"],
    )
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION",
        "AWS_S3_BUCKET",
        "AWS_S3_PUBLIC_ENDPOINT_URL",
        "REPLICATE_API_TOKEN",
        "SECRET_KEY",
        "CASECRAFT_PUBLIC_BASE_URL",
    ):
        assert env.get(name), f"{name} is not set for the app"


def test_no_secret_value_is_written_into_the_compose_file(
    services: dict[str, dict[str, Any]],
) -> None:
    for service_name, service in services.items():
        for name, value in environment(service).items():
            if not SECRET_NAME.search(name) and name != "SECRET_KEY":
                continue
            required = REQUIRED_REF.fullmatch(value)
            optional = name in OPTIONAL_SECRETS and OPTIONAL_REF.fullmatch(value)
            assert required or optional, f"{service_name}.{name} is not a ${{...:?...}} reference"


def test_no_secret_variable_has_a_default_anywhere_in_the_file(compose: dict[str, Any]) -> None:
    # Catches a default hidden in a command line or a URL as well as in `environment`.
    for match in (m for text in strings(compose) for m in DEFAULTED_REF.finditer(text)):
        if SECRET_NAME.search(match["name"]) or match["name"] == "SECRET_KEY":
            assert match["default"] == "", f"{match['name']} has a default value"


def test_env_example_names_every_required_variable_and_holds_no_secret(
    compose: dict[str, Any],
) -> None:
    required = {m["name"] for text in strings(compose) for m in REQUIRED_REF.finditer(text)}
    example: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            example[name.strip()] = value.strip()
    assert required <= set(example), f"missing from env.example: {required - set(example)}"
    for name, value in example.items():
        if SECRET_NAME.search(name) or name == "SECRET_KEY":
            assert value == "", f"env.example gives {name} a value"


def test_minio_init_runs_the_bucket_script(services: dict[str, dict[str, Any]]) -> None:
    init = services["minio-init"]
    mounts = [str(volume).split(":") for volume in init.get("volumes", [])]
    targets = [target for source, target, *_ in mounts if source == "./deploy/minio/init.sh"]
    assert targets, "deploy/minio/init.sh is not mounted into minio-init"
    assert targets[0] in init["entrypoint"]
    assert environment(init).get("AWS_S3_BUCKET")


@pytest.mark.skipif(shutil.which("sh") is None, reason="no POSIX shell to parse the script")
def test_minio_init_script_is_valid_shell() -> None:
    # `sh -n` parses without running: a syntax error would only show at deploy time.
    result = subprocess.run(
        ["sh", "-n", str(MINIO_INIT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- Dockerfile -------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def variable_names(keyword: str, arguments: str) -> list[str]:
    """Names set by ENV or ARG, in both the `A=1 B=2` and the legacy `A 1` forms."""
    tokens = arguments.split()
    if keyword == "ENV" and tokens and "=" not in tokens[0]:
        return [tokens[0]]
    return [token.partition("=")[0] for token in tokens if not token.startswith("--")]


def test_dockerfile_builds_a_wheel_then_installs_it_on_a_clean_slim_base() -> None:
    bases = [args.split()[0] for keyword, args in dockerfile_instructions() if keyword == "FROM"]
    assert len(bases) >= 2, "expected a build stage and a runtime stage"
    assert all(base == "python:3.11-slim" for base in bases)
    runs = " ".join(args for keyword, args in dockerfile_instructions() if keyword == "RUN")
    assert "pip wheel" in runs
    assert "--no-index" in " ".join(args for keyword, args in final_stage() if keyword == "RUN")


def test_dockerfile_runs_as_a_fixed_non_root_user_before_cmd() -> None:
    stage = final_stage()
    keywords = [keyword for keyword, _ in stage]
    assert "USER" in keywords and "CMD" in keywords
    last_user = max(i for i, keyword in enumerate(keywords) if keyword == "USER")
    assert last_user < keywords.index("CMD")
    user = stage[last_user][1].split(":")[0]
    assert user not in ("root", "0")
    assert user.isdigit(), "a numeric uid lets runAsNonRoot verify the user"


def test_dockerfile_bakes_in_no_secret() -> None:
    for keyword, arguments in dockerfile_instructions():
        if keyword in ("ENV", "ARG"):
            for name in variable_names(keyword, arguments):
                assert not SECRET_NAME.search(name), f"{keyword} {name} would bake in a secret"
                assert not name.endswith("_KEY") and "ACCESS_KEY" not in name, name
        if keyword in ("COPY", "ADD"):
            assert ".env" not in arguments.split(), f"{keyword} {arguments} copies an .env file"


def test_dockerfile_sets_the_container_defaults() -> None:
    stage = final_stage()
    env = {
        token.partition("=")[0]: token.partition("=")[2]
        for keyword, arguments in stage
        if keyword == "ENV"
        for token in arguments.split()
    }
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["CASECRAFT_HOST"] == "0.0.0.0"
    assert env["CASECRAFT_DATA_DIR"] == "/data"
    arguments = {keyword: args for keyword, args in stage}
    assert arguments["EXPOSE"].split() == ["8000"]
    assert "/health/live" in arguments["HEALTHCHECK"]
    assert "urllib" in arguments["HEALTHCHECK"]
    assert arguments["CMD"] == '["casecraft", "serve"]'


# --- .dockerignore ----------------------------------------------------------------


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_build_context() -> None:
    patterns = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "data", ".env", "tests"} <= patterns
    assert not any(pattern.startswith("!") for pattern in patterns), "nothing is re-included"


# --- what the wheel carries -------------------------------------------------------


def owning_package(path: Path) -> tuple[str, str]:
    """The package a data file ships in, and the file's path relative to it.

    That is the nearest folder with an __init__.py, as setuptools sees it; the
    packages live under src/, except `migrations` at the top of the repository.
    """
    folder = path.parent
    while not (folder / "__init__.py").is_file():
        folder = folder.parent
    top = ROOT / "src" if folder.is_relative_to(ROOT / "src") else ROOT
    return ".".join(folder.relative_to(top).parts), path.relative_to(folder).as_posix()


def test_the_wheel_carries_every_data_file_of_the_packages() -> None:
    # Building a wheel takes too long for a unit test; the packaging rules in
    # pyproject.toml are checked against the files that must ship instead.
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    include = setuptools["packages"]["find"]["include"]
    package_data: dict[str, list[str]] = setuptools["package-data"]
    assert "migrations" in include and "migrations.versions" in include
    assert setuptools["package-dir"].get("migrations") == "migrations"

    catalog = ROOT / "src" / "adapters" / "catalog" / "phones.json"
    revisions = sorted((ROOT / "migrations" / "versions").glob("[0-9]*.py"))
    assert catalog.is_file()
    assert revisions, "no migration revision found"
    # Without __init__.py, package discovery would skip the revisions altogether.
    assert (ROOT / "migrations" / "versions" / "__init__.py").is_file()

    data_files = [
        path
        for top in (ROOT / "src", ROOT / "migrations")
        for path in top.rglob("*")
        if path.is_file()
        and path.suffix not in (".py", ".pyc")
        and "__pycache__" not in path.parts
        and not any(part.endswith(".egg-info") for part in path.parts)
    ]
    assert catalog in data_files
    for path in data_files:
        package, relative = owning_package(path)
        patterns = package_data.get(package, []) + package_data.get("*", [])
        covered = any(fnmatch.fnmatch(relative, pattern) for pattern in patterns)
        assert covered, f"{path.relative_to(ROOT)} is not in the package data of {package}"


def test_the_object_store_images_are_pinned_to_releases(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in ("minio", "minio-init"):
        image = services[name]["image"]
        repository, _, tag = image.partition(":")
        assert repository in ("minio/minio", "minio/mc"), image
        assert tag.startswith("RELEASE."), f"{name} runs {image}, not a release"
