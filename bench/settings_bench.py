"""Settings for `bench/intake.py`: the real SGU settings, only the URLconf swapped so that the
same gunicorn also serves the bare baseline endpoint (`bench/baseline.py`). Never used in
production; gunicorn finds this module through `--pythonpath bench`."""

from sgu.settings import *  # noqa: F403

ROOT_URLCONF = "baseline"

import probe  # noqa: E402, F401  statements per request and the sequence lock (SGU_BENCH_PROBE_DIR)
