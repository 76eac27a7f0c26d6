"""What both fakes share: an HTTP server on 127.0.0.1 in a daemon thread, request recording,
fault injection, a fixed rate-limit window, JSON helpers and the standalone command line.

A fake subclasses :class:`FakeServer` and implements :meth:`FakeServer.route`, which turns one
:class:`Request` into one :class:`Reply`. Routing runs under one lock, so a fake's data needs no
further locking; latency and hangs are served outside it.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]
HOST = "127.0.0.1"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake saw it, with the status it answered."""

    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    body: bytes


@dataclass(frozen=True)
class Request:
    """One parsed incoming request, handed to :meth:`FakeServer.route`."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes

    def param(self, name: str) -> str | None:
        """The last value of a query parameter, or None when absent."""
        values = self.query.get(name)
        return values[-1] if values else None

    def bearer_token(self) -> str | None:
        scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None

    def json_body(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Reply:
    """What to answer. ``drop_after_seconds`` set: send nothing, wait, then close the socket."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop_after_seconds: float | None = None


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return Reply(status, body, all_headers)


def load_json_dataset(dataset: JsonDict | str | Path) -> JsonDict:
    """A private deep copy of a dataset given as a dict or as a path to a JSON file."""
    if isinstance(dataset, str | Path):
        loaded: JsonDict = json.loads(Path(dataset).read_text("utf-8"))
        return loaded
    copied: JsonDict = json.loads(json.dumps(dataset))
    return copied


def path_matches(pattern: str, method: str, path: str, query: dict[str, list[str]]) -> bool:
    """Exact match, or ``pattern`` is a prefix of the target ending just before '/' or '?'."""
    target = f"{path}?{urlencode(query, doseq=True)}" if query else path
    for candidate in (path, target):
        if candidate == pattern:
            return True
        if candidate.startswith(pattern) and candidate[len(pattern)] in "/?":
            return True
    return pattern.endswith(("/", "?")) and target.startswith(pattern)


@dataclass
class _InjectedFailure:
    status: int
    remaining: int
    method: str | None
    path: str | None
    body: bytes
    headers: dict[str, str]

    def matches(self, request: Request) -> bool:
        if self.method is not None and self.method.upper() != request.method:
            return False
        return self.path is None or path_matches(
            self.path, request.method, request.path, request.query
        )


@dataclass(frozen=True)
class WindowState:
    allowed: bool
    count: int
    remaining: int
    resets_at: float

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.resets_at - now)


class FixedWindow:
    """A fixed rate-limit window that opens with the first request after the previous one ended.

    ``limit=None`` means unlimited. Refused requests do not count: they are not processed.
    """

    def __init__(
        self, limit: int | None, window_seconds: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._clock = clock
        self._count = 0
        self._resets_at = 0.0

    def take(self) -> WindowState:
        now = self._clock()
        if now >= self._resets_at:
            self._count = 0
            self._resets_at = now + self.window_seconds
        limit = self.limit if self.limit is not None else math.inf
        allowed = self._count < limit
        if allowed:
            self._count += 1
        remaining = int(max(0, limit - self._count)) if self.limit is not None else 1_000_000
        return WindowState(allowed, self._count, remaining, self._resets_at)

    def reset(self) -> None:
        self._count = 0
        self._resets_at = 0.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle plus delayed ACKs add
        # about 40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self.server.fake.serve_one(self)

    def do_POST(self) -> None:
        self.server.fake.serve_one(self)

    def do_PATCH(self) -> None:
        self.server.fake.serve_one(self)

    def do_PUT(self) -> None:
        self.server.fake.serve_one(self)

    def do_DELETE(self) -> None:
        self.server.fake.serve_one(self)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.server.fake.name, format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeServer, port: int) -> None:
        self.fake = fake
        super().__init__((HOST, port), _Handler)


class FakeServer:
    """Base of both fakes: lifecycle, recording and fault injection around :meth:`route`."""

    name = "fake"

    def __init__(self, *, port: int = 0, seed: int = 0) -> None:
        self.error_rate = 0.0
        self.truncate_rate = 0.0
        self.latency_seconds = 0.0
        self._port = port
        self._random = random.Random(seed)
        self._lock = threading.RLock()
        self._recorded: list[RecordedRequest] = []
        self._failures: list[_InjectedFailure] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def route(self, request: Request) -> Reply:
        raise NotImplementedError

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._server = _Server(self, self._port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits up to one poll interval
            name=f"{self.name}-fake",
            daemon=True,
        )
        self._thread.start()
        logger.info("%s fake listening on %s", self.name, self.base_url)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"the {self.name} fake is not started; call start() first")
        return f"http://{HOST}:{self._server.server_address[1]}"

    def announced_urls(self) -> dict[str, str]:
        """The ``name=url`` lines a standalone run prints, so a script can pick them up."""
        return {"base_url": self.base_url}

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._recorded)

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        """Requests seen, filtered by method and by path (``request_count("/v3/offers")`` too)."""
        if method is not None and method.startswith("/") and path is None:
            method, path = None, method
        return sum(
            1
            for seen in self.requests
            if (method is None or seen.method == method.upper())
            and (path is None or path_matches(path, seen.method, seen.path, seen.query))
        )

    def reset_counts(self) -> None:
        with self._lock:
            self._recorded.clear()

    def fail_next(
        self,
        status: int,
        count: int = 1,
        method: str | None = None,
        path: str | None = None,
        body: bytes | str | JsonDict | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status`` instead of serving them.

        ``headers`` are added to the answer, e.g. ``{"Retry-After": "1"}`` with a 429.
        """
        if body is None:
            body = {"message": f"injected failure: HTTP {status}"}
        raw = body if isinstance(body, bytes) else body.encode() if isinstance(body, str) else b""
        if isinstance(body, dict):
            raw = json.dumps(body).encode("utf-8")
        with self._lock:
            injected = _InjectedFailure(status, count, method, path, raw, dict(headers or {}))
            self._failures.append(injected)

    def serve_one(self, handler: BaseHTTPRequestHandler) -> None:
        request = _parse(handler)
        with self._lock:
            reply = self._answer(request)
            truncate = reply.status == 200 and self._roll(self.truncate_rate)
            self._recorded.append(
                RecordedRequest(
                    request.method, request.path, request.query, reply.status, request.body
                )
            )
        if self.latency_seconds > 0:
            time.sleep(self.latency_seconds)
        _write(handler, reply, truncate)

    def _answer(self, request: Request) -> Reply:
        injected = self._take_injected(request)
        if injected is not None:
            return injected
        if self._roll(self.error_rate):
            status = self._random.choice((500, 502, 503))
            return json_reply(status, {"message": f"random server error (HTTP {status})"})
        try:
            return self.route(request)
        except Exception:
            logger.exception("%s fake failed on %s %s", self.name, request.method, request.path)
            return json_reply(500, {"message": "the fake crashed; see its log"})

    def _take_injected(self, request: Request) -> Reply | None:
        for failure in self._failures:
            if failure.remaining > 0 and failure.matches(request):
                failure.remaining -= 1
                headers = {"Content-Type": "application/json; charset=utf-8", **failure.headers}
                return Reply(failure.status, failure.body, headers)
        self._failures = [failure for failure in self._failures if failure.remaining > 0]
        return None

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate


def _parse(handler: BaseHTTPRequestHandler) -> Request:
    split = urlsplit(handler.path)
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length > 0 else b""
    query = parse_qs(split.query, keep_blank_values=True)
    return Request(handler.command.upper(), split.path, query, handler.headers, body)


def _write(handler: BaseHTTPRequestHandler, reply: Reply, truncate: bool) -> None:
    if reply.drop_after_seconds is not None:
        time.sleep(reply.drop_after_seconds)
        handler.close_connection = True
        return
    handler.send_response(reply.status)
    for name, value in reply.headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(reply.body)))
    if truncate:
        # Content-Length promises the whole body; half of it arrives, then the socket closes.
        handler.send_header("Connection", "close")
        handler.close_connection = True
    handler.end_headers()
    handler.wfile.write(reply.body[: len(reply.body) // 2] if truncate else reply.body)
    handler.wfile.flush()


def run_standalone(
    description: str,
    build: Callable[[Path, int, int | None], FakeServer],
    argv: Sequence[str] | None = None,
) -> None:
    """Serve one fake until SIGTERM or SIGINT, after printing ``base_url=...`` (and more)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", required=True, type=Path, help="dataset JSON file")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per window")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    fake = build(args.data, args.port, args.rate_limit).start()
    for name, url in fake.announced_urls().items():
        print(f"{name}={url}", flush=True)
    while not stopping.wait(0.5):
        pass
    fake.stop()
