"""The listening socket a benchmark hands to uvicorn: loopback, a free port, TCP_NODELAY.

uvicorn serves a socket it is given as it is, while `casecraft serve` lets uvicorn bind
its own, whose connections send at once. Without TCP_NODELAY an answer written in two
parts waits for the client's delayed acknowledgement, about 40 ms on Linux, which a
latency benchmark would report as the service's own time.
"""

import socket

LOOPBACK = "127.0.0.1"


def loopback_socket(backlog: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((LOOPBACK, 0))
    sock.listen(backlog)
    return sock
