"""Loopback servers that stand between a service and what it calls, and fail.

Each listens on 127.0.0.1 only, counts what reaches it, and is stopped by
whoever started it. ``TcpProxy`` forwards raw bytes (a sibling, PostgreSQL)
and can stop listening, hold traffic or cut every connection; ``SilentServer``
accepts connections and never answers; ``FaultyHttpProxy`` forwards HTTP
requests to a real service and fails or delays some of them on purpose.
"""

import contextlib
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.conftest import free_port

# How often blocked loops look up whether they should stop, in seconds.
POLL_INTERVAL = 0.05


def wait_for(condition, timeout, message):
    """Poll ``condition`` until it holds; fail with ``message`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} (waited {timeout} s)")
        time.sleep(POLL_INTERVAL)


def port_of(url):
    """Return the TCP port a URL names, 5432 for a PostgreSQL URL without one."""
    parts = urlsplit(url)
    if not parts.hostname:
        # The embedded server of a machine without PostgreSQL has a socket only.
        pytest.skip("needs PostgreSQL over TCP to put a proxy in front of it")
    return parts.port or 5432


def through(proxy, url):
    """Return ``url`` with its host and port replaced by the proxy's."""
    parts = urlsplit(url)
    credentials, at, _ = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{credentials}{at}127.0.0.1:{proxy.port}"))


class _Listener:
    """A loopback listening socket served by an accept loop on its own thread."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self._socket = None
        self._thread = None
        self._stopping = threading.Event()

    @property
    def listening(self):
        return self._socket is not None

    def start(self):
        """Listen on the port (the same port every time) and accept in the back."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(POLL_INTERVAL)
        self._stopping.clear()
        self._socket = listener
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop listening: new connections are refused from now on."""
        if self._socket is None:
            return
        self._stopping.set()
        self._thread.join(timeout=5)
        self._socket.close()
        self._socket = None

    def _accept_loop(self):
        while not self._stopping.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(None)
            self.accepted(connection)

    def accepted(self, connection):
        raise NotImplementedError


class _Link:
    """One proxied connection: the client's socket and the upstream's."""

    def __init__(self, client, upstream):
        self.client = client
        self.upstream = upstream
        self.closed = threading.Event()
        self._lock = threading.Lock()

    def close(self):
        with self._lock:
            if self.closed.is_set():
                return
            self.closed.set()
        for end in (self.client, self.upstream):
            # shutdown() wakes a pump blocked in recv(); close() would not.
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


class TcpProxy(_Listener):
    """Forward each loopback connection to ``target_port``, byte for byte.

    ``connections`` counts the connections accepted and ``chunks_from_clients``
    the pieces of data clients sent. When the target refuses, the client's
    connection is closed as soon as it is accepted, as a stopped server's
    would be. ``pause()`` holds the bytes in both directions until
    ``resume()``, at once or from the first piece a client sends that
    matches; ``cut()`` closes every open connection; ``stop()`` also stops
    listening.
    """

    def __init__(self, target_port, port=None):
        super().__init__(port)
        self.target_port = target_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self.chunks_from_clients = 0
        self.held_chunks = 0
        self._links = set()
        self._lock = threading.Lock()
        self._flowing = threading.Event()
        self._flowing.set()
        self._pause_at = None

    def pause(self, when=None):
        """Hold every byte, in both directions, until resumed.

        With ``when``, start holding at the first piece of data from a client
        for which ``when(data)`` is true, that piece included.
        """
        if when is None:
            self._flowing.clear()
        else:
            self._pause_at = when

    def resume(self):
        """Let held and later bytes through again."""
        self._pause_at = None
        self._flowing.set()

    def cut(self):
        """Close every open connection at both ends; keep listening."""
        with self._lock:
            links, self._links = self._links, set()
        for link in links:
            link.close()

    def stop(self):
        """Stop listening and cut every connection."""
        super().stop()
        self.cut()
        self.resume()

    def accepted(self, client):
        with self._lock:
            self.connections += 1
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), 2)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        link = _Link(client, upstream)
        with self._lock:
            self._links.add(link)
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(
                target=self._pump, args=(link, source, sink), daemon=True
            ).start()

    def _pump(self, link, source, sink):
        try:
            while chunk := source.recv(65536):
                with self._lock:
                    if source is link.client:
                        self.chunks_from_clients += 1
                        if self._pause_at is not None and self._pause_at(chunk):
                            self._pause_at = None
                            self._flowing.clear()
                    if not self._flowing.is_set():
                        self.held_chunks += 1
                while not self._flowing.wait(POLL_INTERVAL):
                    if link.closed.is_set():
                        return
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            link.close()
            with self._lock:
                self._links.discard(link)


class SilentServer(_Listener):
    """Accept every connection and never answer; ``connections`` counts them."""

    def __init__(self, port=None):
        super().__init__(port)
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self._held = []
        self._lock = threading.Lock()

    def accepted(self, connection):
        with self._lock:
            self.connections += 1
            self._held.append(connection)

    def stop(self):
        """Stop listening and close the connections held open."""
        super().stop()
        with self._lock:
            held, self._held = self._held, []
        for connection in held:
            connection.close()


class FaultyHttpProxy:
    """Forward HTTP GETs to ``upstream_url``, failing or delaying on purpose.

    Each request first waits ``delay`` seconds. Then, with probability
    ``failure_rate`` (drawn from a seeded generator), it fails: every other
    failure is a 503 and the rest close the connection without an answer.
    The counters tell how many requests arrived, failed and were forwarded.
    """

    def __init__(self, upstream_url, *, failure_rate=0.0, delay=0.0, seed=0):
        self.upstream_url = upstream_url
        self.failure_rate = failure_rate
        self.delay = delay
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.received = 0
        self.failed = 0
        self.forwarded = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._server = None
        self._upstream = None

    def start(self):
        self._upstream = httpx.Client(base_url=self.upstream_url, timeout=30)
        self._server = ThreadingHTTPServer(
            ("127.0.0.1", self.port), self._handler_class()
        )
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._upstream.close()
            self._server = None

    def _arrive(self):
        with self._lock:
            self.received += 1

    def _decide(self):
        """Return None to forward the request, or how it fails."""
        with self._lock:
            if self._random.random() >= self.failure_rate:
                return None
            self.failed += 1
            return "unavailable" if self.failed % 2 else "hang_up"

    def _forward(self, path, headers):
        response = self._upstream.get(path, headers=headers)
        with self._lock:
            self.forwarded += 1
        return response

    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                proxy._arrive()
                time.sleep(proxy.delay)
                failure = proxy._decide()
                if failure == "hang_up":
                    self.close_connection = True
                    return
                if failure == "unavailable":
                    self._answer(503, b'{"detail": "unavailable"}', {})
                    return

                headers = {
                    name: value
                    for name, value in self.headers.items()
                    if name.lower() in ("authorization", "accept")
                }
                response = proxy._forward(self.path, headers)
                self._answer(response.status_code, response.content, response.headers)

            def _answer(self, status, body, headers):
                self.send_response(status)
                self.send_header(
                    "Content-Type", headers.get("content-type", "application/json")
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                """Stay quiet: the tests count requests instead."""

        return Handler
