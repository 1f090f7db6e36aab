"""gunicorn's settings, read in a process of their own as gunicorn reads them."""

import os
import subprocess
import sys


def test_the_master_freezes_what_it_loaded_before_each_fork(tmp_path):
    script = (
        "import gc\n"
        "from edu_common import gunicorn_conf\n"
        "before = gc.get_freeze_count()\n"
        "gunicorn_conf.pre_fork(None, None)\n"
        "print(before, gc.get_freeze_count())\n"
    )
    # Its metric files go under tmp_path, not into a folder of the suite's.
    env = {**os.environ, "GUNICORN_TMP_DIR": str(tmp_path)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    before, after = map(int, result.stdout.split())
    assert before == 0
    assert after > 1000
