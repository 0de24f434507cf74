"""The `casecraft` command: serve, worker, worker-health, db upgrade, phones, generate."""

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from application.accounts import EnsureLocalOwner
from application.catalog import ListPhones
from application.designs import CreateDesign, NewDesign, UploadPhoto
from application.downloads import DownloadReady, RequestDownload
from application.ports import ObjectStorage
from application.upscaling import RunNextUpscaleJob
from domain.designs import MAX_VARIANTS, print_file_key
from domain.errors import DomainError
from domain.geometry import Kind
from entrypoints.bootstrap import prepare
from entrypoints.heartbeat import HEARTBEAT_MAX_AGE, beat, heartbeat_age
from entrypoints.http.app import build_container, create_app
from entrypoints.logs import configure_logging
from entrypoints.settings import Settings, SettingsError, load_settings
from entrypoints.worker import UpscaleWorker

# The command waits as long as the API lets a request wait for its previews.
GENERATE_WAIT_SECONDS = 60.0
# The local upscale of one file takes well under a second; a hundred steps is ample.
MAX_CLI_UPSCALE_STEPS = 100


def _progress(message: str) -> None:
    print(f"casecraft: {message}", file=sys.stderr, flush=True)


async def _check_database(settings: Settings) -> None:
    """Fail with one clear line before serving when the database cannot be used."""
    container = build_container(settings)
    try:
        await prepare(container, settings)
    finally:
        await container.close()


def _serve(settings: Settings, _: argparse.Namespace) -> int:
    import uvicorn

    asyncio.run(_check_database(settings))
    uvicorn.run(
        create_app(settings),
        host=settings.http.host,
        port=settings.http.port,
        proxy_headers=False,
        server_header=False,
        log_config=None,
        # The access log would write signed file links, which are bearer credentials.
        access_log=False,
    )
    return 0


async def _worker(settings: Settings) -> int:
    container = build_container(settings)
    try:
        await prepare(container, settings)
        worker = UpscaleWorker(container, settings.worker.poll_seconds)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        running = asyncio.create_task(worker.run(), name="upscale-worker")
        beating = asyncio.create_task(
            beat(container, settings.worker.heartbeat_file), name="worker-heartbeat"
        )
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not running.done():
            await worker.shut_down(running, settings.worker.stop_grace_seconds)
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
    finally:
        await container.close()
    return 0


def _worker_health(settings: Settings, _: argparse.Namespace) -> int:
    """0 while the worker's heartbeat is fresh, 1 with one line saying why otherwise."""
    path = settings.worker.heartbeat_file
    age = heartbeat_age(path)
    if age is None:
        _progress(f"no worker heartbeat at {path}")
        return 1
    if age > HEARTBEAT_MAX_AGE:
        _progress(f"worker heartbeat {age:.0f} s old (at most {HEARTBEAT_MAX_AGE:.0f} s)")
        return 1
    return 0


def _db_upgrade(settings: Settings, _: argparse.Namespace) -> int:
    from adapters.persistence.migrations import upgrade_database

    upgrade_database(settings.database.url)
    _progress("database at the newest revision")
    return 0


async def _phones(settings: Settings, args: argparse.Namespace) -> int:
    container = build_container(settings)
    try:
        await prepare(container, settings)
        async with container() as request:
            phones = await (await request.get(ListPhones)).execute(brand=args.brand)
    finally:
        await container.close()
    if not phones:
        _progress(f"no phones for brand {args.brand!r}")
        return 1
    for phone in phones:
        flag = " (estimated figures)" if phone.estimated else ""
        title = phone.name if phone.name.startswith(phone.brand) else f"{phone.brand} {phone.name}"
        print(
            f"{phone.slug:32} {title} ({phone.year}) "
            f"{phone.width_mm:g} x {phone.height_mm:g} mm, "
            f"screen {phone.screen_width_px}x{phone.screen_height_px}{flag}"
        )
    return 0


async def _generate(settings: Settings, args: argparse.Namespace) -> int:
    out_dir = Path(args.out)
    container = build_container(settings)
    try:
        await prepare(container, settings)
        async with container() as request:
            owner = await (await request.get(EnsureLocalOwner)).execute()
            storage = await request.get(ObjectStorage)
            upload_id = None
            if args.image:
                _progress(f"reading {args.image}")
                data = await asyncio.to_thread(Path(args.image).read_bytes)
                upload_id = (await (await request.get(UploadPhoto)).execute(owner.id, data)).id

            _progress(f"generating {args.variants} variant(s) of a {args.kind} for {args.phone}")
            started = time.perf_counter()
            design = await (await request.get(CreateDesign)).execute(
                NewDesign(
                    owner.id,
                    args.phone,
                    Kind(args.kind),
                    args.prompt,
                    upload_id,
                    args.variants,
                    args.seed,
                ),
                wait_seconds=GENERATE_WAIT_SECONDS,
            )
            if not design.finished:
                _progress(f"design {design.id} is still generating; the worker will finish it")
                return 1
            _progress(
                f"design {design.id}: {len(design.variants)} preview(s) at {design.aspect_ratio} "
                f"in {time.perf_counter() - started:.1f} s"
            )

        target = out_dir / f"{design.phone_slug}-{str(design.id)[:8]}"
        target.mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        for variant in design.variants:
            path = target / f"preview-{variant.index}.webp"
            path.write_bytes(await storage.get(variant.preview_key))
            paths.append(path)

        _progress(f"making the print file of variant {args.pick}")
        for _ in range(MAX_CLI_UPSCALE_STEPS):
            async with container() as request:
                outcome = await (await request.get(RequestDownload)).execute(
                    owner.id, design.id, args.pick
                )
                if isinstance(outcome, DownloadReady):
                    break
                await (await request.get(RunNextUpscaleJob)).execute("cli")
        else:
            _progress("the print file did not become ready")
            return 1
        final = target / ("skin.png" if design.kind is Kind.SKIN else "wallpaper.png")
        final.write_bytes(await storage.get(print_file_key(design.id, args.pick, design.kind)))
        paths.append(final)
    finally:
        await container.close()

    for path in paths:
        print(path)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="casecraft", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP API (with its embedded worker by default)")
    commands.add_parser("worker", help="run the upscale worker alone")
    commands.add_parser(
        "worker-health", help="exit 0 while a worker on this host has a fresh heartbeat"
    )
    db = commands.add_parser("db", help="database chores")
    db.add_argument("action", choices=["upgrade"])
    phones = commands.add_parser("phones", help="list the phone catalog")
    phones.add_argument("--brand", help="only this brand (slug or name)")
    generate = commands.add_parser("generate", help="make previews and a print file for a phone")
    generate.add_argument("--phone", required=True, help="phone slug, e.g. apple-iphone-15-pro")
    source = generate.add_mutually_exclusive_group(required=True)
    source.add_argument("--prompt", help="what the design should show")
    source.add_argument("--image", help="a photo to make the design from")
    generate.add_argument("--kind", choices=[k.value for k in Kind], default=Kind.SKIN.value)
    generate.add_argument("--variants", type=int, default=1, help=f"1 to {MAX_VARIANTS}")
    generate.add_argument("--seed", type=int, default=None)
    generate.add_argument(
        "--pick", type=int, default=0, help="variant whose print file to make (from 0)"
    )
    generate.add_argument("--out", default="out", help="folder for the files (default: out)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "generate" and not 0 <= args.pick < max(1, args.variants):
        _progress(f"--pick must be from 0 to {max(1, args.variants) - 1}")
        return 2
    try:
        # The one-shot commands speak through their progress lines; logs are for servers.
        quiet = args.command in ("generate", "phones", "db", "worker-health")
        configure_logging(None if "CASECRAFT_LOG_LEVEL" in os.environ or not quiet else "WARNING")
        settings = load_settings()
    except (SettingsError, ValueError) as error:
        _progress(f"configuration error: {error}")
        return 2
    try:
        if args.command == "serve":
            return _serve(settings, args)
        if args.command == "worker":
            return asyncio.run(_worker(settings))
        if args.command == "worker-health":
            return _worker_health(settings, args)
        if args.command == "db":
            return _db_upgrade(settings, args)
        if args.command == "phones":
            return asyncio.run(_phones(settings, args))
        return asyncio.run(_generate(settings, args))
    except DomainError as error:
        _progress(f"{error.code}: {error.detail}")
        return 1
    except OSError as error:
        if error.filename:
            _progress(f"cannot use {error.filename}: {error.strerror or error}")
        else:
            _progress(f"failed: {error}")
        return 1
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):
            _progress("interrupted")
        return 130
    except Exception as error:  # one clear line for the user; the details go to the log
        logging.getLogger(__name__).debug("command failed", exc_info=True)
        _progress(f"failed: {type(error).__name__}: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
