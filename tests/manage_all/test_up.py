"""``manage_all.py up`` refuses to start where its ports are taken."""

import contextlib
import errno
import socket
import subprocess
import sys

from tests.conftest import ROOT


@contextlib.contextmanager
def port_held(port):
    """Listen on 127.0.0.1:``port``, or leave it to whatever already does."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        holder.bind(("127.0.0.1", port))
        holder.listen()
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
    try:
        yield
    finally:
        holder.close()


def test_up_stops_at_once_when_a_service_port_is_taken():
    """Nothing is migrated or served, and the message names service and port."""
    with port_held(8002):
        result = subprocess.run(
            [sys.executable, str(ROOT / "manage_all.py"), "up", "teacher"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode != 0
    assert "teacher-service: port 8002 on 127.0.0.1 is in use" in result.stderr
    assert "Preparing" not in result.stdout
