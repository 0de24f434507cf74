# syntax=docker/dockerfile:1
# CaseCraft's API and worker in one image: `casecraft serve` by default,
# `casecraft worker` and `casecraft db upgrade` by overriding the command.
# Configuration, secrets included, comes from the environment at run time only:
# nothing secret is baked into a layer (see docker-compose.yml and deploy/).

# --- build: wheels of CaseCraft and of every dependency --------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# Only what the wheel is built from; .dockerignore keeps the rest of the tree
# (tests, data, caches, .env files) out of the build context altogether.
COPY pyproject.toml README.md ./
COPY src ./src
COPY migrations ./migrations
# Wheels for the dependencies too, so the runtime stage installs offline from
# them and needs neither a compiler nor the network.
RUN pip wheel --wheel-dir /wheels .

# --- runtime: the installed wheel, a non-root user, nothing else -----------------
FROM python:3.11-slim AS runtime

# No bytecode written at run time (site-packages is not the app user's to write),
# logs unbuffered so `docker logs` shows them at once, and the settings that
# only make sense in a container: listen on every interface of the container,
# keep state under /data.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CASECRAFT_HOST=0.0.0.0 \
    CASECRAFT_PORT=8000 \
    CASECRAFT_DATA_DIR=/data

# A fixed uid/gid, so volumes and orchestrators (runAsNonRoot) can rely on it.
RUN groupadd --system --gid 10001 casecraft \
    && useradd --system --uid 10001 --gid casecraft --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin casecraft \
    && mkdir -p /data \
    && chown casecraft:casecraft /data \
    && chmod 0750 /data

# The wheels are bind-mounted rather than copied, so they never become a layer.
# The wheel file is named, not the project, so exactly the one built above is
# installed, and --no-index keeps every dependency to the wheels built with it.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels /wheels/casecraft-*.whl

WORKDIR /data
USER 10001:10001

EXPOSE 8000

# urllib rather than curl: the slim image has no curl and Python is already there.
# urlopen raises on a refused connection and on any 4xx/5xx, so it exits non-zero.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('CASECRAFT_PORT', '8000') + '/health/live', timeout=4)"]

CMD ["casecraft", "serve"]
