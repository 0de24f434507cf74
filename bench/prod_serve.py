"""The real service behind uvicorn on 127.0.0.1, with the loop probe; for prod_burst.

Started by prod_burst as `python bench/prod_serve.py`: it binds a free loopback
port and prints it, then reads the service's settings as one JSON object on its
standard input (the variables `casecraft` reads; see prod_world.service_env), adds
the host, port and public URL it serves on, and runs `create_app(settings)` as
`casecraft serve` does (uvicorn's defaults, so uvloop and httptools when installed,
logging at INFO to standard error, no access log), wrapped in prod_probe.Probed.
Stops on SIGTERM like any uvicorn server.
"""

import json
import logging
import sys

import uvicorn

from entrypoints.http.app import create_app
from entrypoints.logs import configure_logging
from entrypoints.settings import load_settings
from listening import LOOPBACK, loopback_socket
from prod_probe import LoopProbe, Probed

BACKLOG = 2048  # uvicorn's default when it binds the socket itself
DEBUG_LOGGERS = "BENCH_DEBUG_LOGGERS"


def main() -> None:
    sock = loopback_socket(BACKLOG)
    port = sock.getsockname()[1]
    print(port, flush=True)
    env: dict[str, str] = json.loads(sys.stdin.readline())
    env.update(
        {
            "CASECRAFT_HOST": LOOPBACK,
            "CASECRAFT_PORT": str(port),
            "CASECRAFT_PUBLIC_BASE_URL": f"http://{LOOPBACK}:{port}",
        }
    )
    configure_logging(env.get("CASECRAFT_LOG_LEVEL", "INFO"))
    # Diagnosis only (run_production --profile): these loggers also write their DEBUG lines.
    for name in filter(None, env.pop(DEBUG_LOGGERS, "").split(",")):
        logging.getLogger(name).setLevel(logging.DEBUG)
    app = Probed(create_app(load_settings(env)), LoopProbe())
    config = uvicorn.Config(
        app,
        lifespan="on",
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
