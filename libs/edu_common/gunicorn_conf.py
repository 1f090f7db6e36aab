"""gunicorn settings shared by every service, from the environment.

Requests that wait on a sibling hold a thread, not a process: a few worker
processes with several threads each keep the CPU busy while others wait.
"""

import os

# In a pod every interface is the pod's own; local runs bind 127.0.0.1.
host = os.environ.get("HTTP_HOST", "0.0.0.0")  # noqa: S104
bind = f"{host}:{os.environ.get('HTTP_PORT', '8080')}"
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Kubernetes' terminationGracePeriodSeconds must exceed this.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
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
