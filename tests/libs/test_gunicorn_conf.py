"""gunicorn's settings, read in a process of their own as gunicorn reads them."""

import os
import subprocess
import sys

# Load a service as the master does before it forks, then fork.
MASTER = """
import gc
from edu_common import gunicorn_conf
import admin_svc.wsgi

tracked = len(gc.get_objects())
gunicorn_conf.pre_fork(None, None)
print(tracked, gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_the_master_freezes_the_loaded_service_before_each_fork(tmp_path):
    """What the master loaded is out of the collector's sight in a worker."""
    # Its metric files go under tmp_path, not into a folder of the suite's.
    env = {**os.environ, "GUNICORN_TMP_DIR": str(tmp_path)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", MASTER], env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
    # The service's own log lines, if any, come before the figures.
    last_line = result.stdout.splitlines()[-1]
    tracked, frozen, still_tracked = map(int, last_line.split())
    assert tracked > 20_000
    assert frozen >= tracked * 0.9
    assert still_tracked < 100
