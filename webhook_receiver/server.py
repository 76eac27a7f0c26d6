"""Serving the receiver with uvicorn: in the foreground (``hires serve``) or in a thread."""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from webhook_receiver.errors import ReceiverConfigError

logger = logging.getLogger(__name__)


class RunningServer:
    """A uvicorn server bound to an address; ``url`` is where it listens."""

    def __init__(self, server: uvicorn.Server, sock: socket.socket) -> None:
        self.server = server
        host, port = sock.getsockname()[:2]
        self.host: str = host
        self.port: int = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _config(app: ASGIApp, *, log_level: str = "warning") -> uvicorn.Config:
    # The app logs one line per delivery itself; uvicorn's access log would double it. With
    # log_config=None uvicorn keeps the logging set up by `hires` (format, level, handlers).
    return uvicorn.Config(
        app, access_log=False, log_config=None, log_level=log_level, lifespan="on"
    )


_BACKLOG = 2048


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``; a busy or unusable address is a config error."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ReceiverConfigError(
                f"port {port} on {host} is in use; choose another with --port"
            ) from error
        raise ReceiverConfigError(
            f"cannot listen on {host}:{port} ({error.strerror or error}); choose another "
            "address with --host or --port"
        ) from error
    # Listening now, before the app is built, queues deliveries that arrive during start-up
    # instead of refusing them (a refused delivery is one of Greenhouse's few retries).
    sock.listen(_BACKLOG)
    return sock


def endpoint_url(sock: socket.socket, path: str) -> str:
    """The URL Greenhouse should be given for ``path`` on this socket."""
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}{path}"


def serve_forever(app: ASGIApp, sock: socket.socket) -> None:
    """Run on a bound socket until interrupted (Ctrl-C or SIGTERM); uvicorn shuts down cleanly."""
    server = uvicorn.Server(_config(app, log_level="info"))
    server.run(sockets=[sock])


@contextmanager
def serve_in_thread(
    app: ASGIApp, host: str = "127.0.0.1", port: int = 0, start_timeout: float = 10.0
) -> Iterator[RunningServer]:
    """Serve ``app`` on an ephemeral port in a thread; stops (lifespan shutdown) on exit."""
    sock = bind(host, port)
    server = uvicorn.Server(_config(app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the webhook receiver did not start; see the log above")
        time.sleep(0.01)
    try:
        yield RunningServer(server, sock)
    finally:
        server.should_exit = True
        thread.join(start_timeout)
        sock.close()
