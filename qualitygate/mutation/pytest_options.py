"""pytest options that keep plugins from breaking mutmut's runs.

pytest-cov in `addopts` slows mutmut and causes false kills: `--no-cov`
(only valid when pytest-cov is installed). xdist in `addopts` (`-n 4`) breaks
mutmut's stats run: `-n 0`, given after `addopts`, wins over it and keeps the
plugin loaded, so fixtures such as `worker_id` still exist (`-p no:xdist`
would remove them and fail every test that uses one).
"""

from __future__ import annotations


def neutralising_args(*, pytest_cov: bool, xdist: bool) -> list[str]:
    args = ["--no-cov"] if pytest_cov else []
    if xdist:
        args += ["-n", "0"]
    return args
