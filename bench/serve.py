"""One app behind uvicorn on 127.0.0.1 and a free port; prints the port, then serves.

Started by server_bench as `python bench/serve.py {catalog,bare} --data-dir DIR`;
stops on SIGTERM like any uvicorn server. Server options follow `casecraft serve`,
except that access logging is off on both sides.
"""

import argparse
from pathlib import Path

import uvicorn
from litestar import Litestar

from apps import bare_app, catalog_app
from listening import loopback_socket


def _app(kind: str, data_dir: Path) -> Litestar:
    return catalog_app(data_dir) if kind == "catalog" else bare_app()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("catalog", "bare"))
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    config = uvicorn.Config(
        _app(args.kind, args.data_dir),
        lifespan="on",
        log_config=None,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )
    sock = loopback_socket(128)
    # Connections wait in the backlog until startup is done; the caller retries meanwhile.
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
