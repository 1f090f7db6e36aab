"""gunicorn's workers as deployed: each accepts on a socket of its own."""

from pathlib import Path

from tests.conftest import ServiceProcess
from tests.e2e.faults import wait_for

WORKERS = 3
LISTEN = "0A"


def listening_sockets(port):
    """Count the IPv4 sockets in state LISTEN on ``port``, whoever holds them."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(
        1
        for row in rows
        if (fields := row.split())[3] == LISTEN
        and int(fields[1].rsplit(":", 1)[1], 16) == port
    )


def test_each_worker_listens_on_its_own_socket(database):
    """The kernel spreads new connections over the workers' sockets, so a few
    keep-alive clients cannot all land on one worker while the others idle."""
    service = ServiceProcess(
        "admin", database_url=database.url(), env={"GUNICORN_WORKERS": str(WORKERS)}
    )
    try:
        service.start()
        # /health answers once one worker is up; the others follow.
        wait_for(
            lambda: listening_sockets(service.port) == WORKERS,
            timeout=20,
            message=f"not {WORKERS} sockets listening on the service's port",
        )
    finally:
        service.stop()
