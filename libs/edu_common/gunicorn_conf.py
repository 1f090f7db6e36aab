"""gunicorn settings shared by every service, from the environment.

Requests that wait on a sibling hold a thread, not a process: a few worker
processes with several threads each keep the CPU busy while others wait.
"""

import contextlib
import glob
import os
import sys

# How long a thread may hold the GIL while another waits for it. gthread's
# main thread takes every keep-alive connection back from the request
# threads and hands it on again: at Python's default of 5 ms it waits
# behind a busy request thread on each hand-over.
SWITCH_INTERVAL_SECONDS = 0.0005


def _whole_number(name, default):
    """Read a count or a number of seconds, at least 1, or exit naming it."""
    value = os.environ.get(name, default)
    if not value.isdigit() or int(value) < 1:
        sys.exit(f"gunicorn: configuration error: {name} must be a whole number >= 1")
    return int(value)


# In a pod every interface is the pod's own; local runs bind 127.0.0.1.
host = os.environ.get("HTTP_HOST", "0.0.0.0")  # noqa: S104
bind = f"{host}:{_whole_number('HTTP_PORT', '8080')}"
worker_class = "gthread"
workers = _whole_number("GUNICORN_WORKERS", "2")
threads = _whole_number("GUNICORN_THREADS", "8")
timeout = _whole_number("GUNICORN_TIMEOUT", "60")
# Kubernetes' terminationGracePeriodSeconds must exceed this.
graceful_timeout = _whole_number("GUNICORN_GRACEFUL_TIMEOUT", "35")
keepalive = _whole_number("GUNICORN_KEEPALIVE", "5")
# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel
# spreads new connections over them. With one shared socket, whichever
# worker wakes first accepts: a few keep-alive clients, a sibling's pooled
# connections say, could all land on one worker while the other idles (see
# BENCHMARKS.md). A worker that is killed loses the connections still
# waiting in its own socket's queue.
reuse_port = True
# No control socket: nothing here uses gunicornc, and a pod's home is read-only.
control_socket_disable = True
# Room for a large token in the Authorization header (the default is 8 KiB).
limit_request_field_size = 16384
# Load the application before forking: a configuration error stops the
# master with one line, and workers share the loaded code's memory.
preload_app = True
# The heartbeat files need a writable folder: the pod mounts an emptyDir here.
worker_tmp_dir = os.environ.get("GUNICORN_TMP_DIR", "/tmp")  # noqa: S108
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# Prometheus: each worker writes its samples to files in this folder, which
# /metrics adds up (the variable must be set before prometheus_client is
# imported). One folder per server, emptied as it starts, so that a
# restarted container does not count its predecessor's workers again.
metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    os.path.join(worker_tmp_dir, f"edu-metrics-{os.getpid()}"),
)
os.makedirs(metrics_dir, exist_ok=True)
for stale_file in glob.glob(os.path.join(metrics_dir, "*.db")):
    os.remove(stale_file)


def post_fork(server, worker):
    """Let a worker's threads take turns on the GIL quickly."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)


def child_exit(server, worker):
    """Drop the live gauges of a worker that has exited from the metrics."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the server's metric files as it stops."""
    for metrics_file in glob.glob(os.path.join(metrics_dir, "*.db")):
        os.remove(metrics_file)
    with contextlib.suppress(OSError):
        os.rmdir(metrics_dir)
