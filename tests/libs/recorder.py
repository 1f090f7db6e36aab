"""A loopback HTTP server that stands in for a sibling and records what it gets."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _RecordingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        """Record the request's headers; answer with the next scripted status."""
        recorder = self.server.recorder
        status = recorder.take(dict(self.headers))
        body = b"{}"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        """Keep the test output quiet."""


class Recorder:
    """Answer GETs on 127.0.0.1 with scripted statuses (then 200); keep headers."""

    def __init__(self, *statuses):
        self.headers = []
        self._statuses = list(statuses)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
        self._server.daemon_threads = True
        self._server.recorder = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}
        )
        self._thread.start()

    def take(self, headers):
        """Keep one request's headers and return the status it gets."""
        with self._lock:
            self.headers.append(
                {name.lower(): value for name, value in headers.items()}
            )
            return self._statuses.pop(0) if self._statuses else 200

    def stop(self):
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
