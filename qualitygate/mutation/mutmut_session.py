"""One interpreter of the project's Python that drives mutmut (mutmut_driver.py).

Started before the project is copied, it imports mutmut and libcst meanwhile;
then it probes (generates the mutants of the changed lines) and becomes
`mutmut run`. It runs in its own process group, killed whole on a timeout, an
interrupt or any error, like every child of qualitygate (`qualitygate.process`).
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from qualitygate import process
from qualitygate.errors import ToolError
from qualitygate.mutation import mutmut_adapter
from qualitygate.mutation.budget import Budget
from qualitygate.mutation.workspace import Workspace
from qualitygate.process import Completed, Timeout

DRIVER = "qualitygate_driver.py"


class MutmutSession:
    def __init__(
        self, workspace: Workspace, python: str, env: Mapping[str, str], log: Path
    ) -> None:
        self.python = python
        self.log = log
        self._buffer = b""
        self._closed = False
        self._read, write = os.pipe()
        try:
            with log.open("wb") as out:
                self.proc: subprocess.Popen[bytes] = subprocess.Popen(
                    [python, str(workspace.tools / DRIVER), "serve", str(write)],
                    cwd=workspace.project,
                    env=dict(env),
                    stdin=subprocess.PIPE,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    pass_fds=(write,),
                    start_new_session=True,
                )
        except FileNotFoundError as exc:
            os.close(self._read)
            raise ToolError(f"{python} not found", "fix the python setting") from exc
        finally:
            os.close(write)
        self.stdin: IO[bytes] = self.proc.stdin  # type: ignore[assignment]

    def __enter__(self) -> MutmutSession:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Kill the driver and everything it started, if still running."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        with contextlib.suppress(OSError):
            self.stdin.close()
        with contextlib.suppress(OSError):
            os.close(self._read)

    def output(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:  # something removed the temporary workspace under the run
            raise ToolError(
                f"mutmut's log {self.log} is gone ({exc.strerror}): the mutation workspace "
                "was removed while it ran",
                "run again, and leave the qualitygate-mutation-* folders alone meanwhile",
            ) from exc

    def _died(self, what: str) -> ToolError:
        self.close()
        output = self.output()
        if "No module named 'mutmut'" in output or "No module named 'libcst'" in output:
            return self._not_installed()
        return ToolError(
            f"mutmut could not {what}: {mutmut_adapter.failure_summary(output)}",
            "run `mutmut run` in the project to see the full error",
        )

    def _not_installed(self) -> ToolError:
        return ToolError(
            f"mutmut is not importable by {self.python}",
            mutmut_adapter.INSTALL_HINT.format(python=self.python),
        )

    def _reply(self, budget: Budget, what: str) -> dict[str, Any]:
        with selectors.DefaultSelector() as selector:
            selector.register(self._read, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                if not selector.select(timeout=budget.left()):
                    continue  # budget.left() raises once the time is spent
                chunk = os.read(self._read, 1 << 16)
                if not chunk:
                    raise self._died(what)
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        found: dict[str, Any] = json.loads(line)
        return found

    def _send(self, command: Mapping[str, Any], what: str) -> None:
        try:
            self.stdin.write((json.dumps(command) + "\n").encode())
            self.stdin.flush()
        except BrokenPipeError:
            raise self._died(what) from None

    def environment(self, budget: Budget) -> dict[str, Any]:
        """mutmut's version and the pytest plugins installed beside it."""
        try:
            found = self._reply(budget, "start")
        except ToolError:
            self.close()
            raise
        if found["mutmut_version"] is None:
            raise self._not_installed()
        return found

    def probe(self, files: Mapping[str, Sequence[int]], budget: Budget) -> dict[str, Any]:
        """mutmut's mutants of the files, only on the given lines (see mutmut_driver)."""
        self._send({"probe": {path: sorted(lines) for path, lines in files.items()}}, "probe")
        try:
            return self._reply(budget, "generate mutants")
        except ToolError:
            self.close()
            raise

    def _wait(self, timeout: float) -> int:
        """The driver's exit code, taken the moment it exits: Popen.wait with a timeout
        polls in sleeps of up to 50 ms. subprocess.TimeoutExpired after `timeout`."""
        try:
            pidfd = os.pidfd_open(self.proc.pid)
        except (AttributeError, OSError):  # not Linux 5.3 or newer
            return self.proc.wait(timeout=timeout)
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(pidfd, selectors.EVENT_READ)
                if not selector.select(timeout=timeout):
                    raise subprocess.TimeoutExpired(self.proc.args, timeout)
        finally:
            os.close(pidfd)
        return self.proc.wait()

    def run(
        self, arguments: Sequence[str], budget: Budget, seed: Mapping[str, Any] | None = None
    ) -> Completed:
        """`mutmut run ARGUMENTS` in this interpreter; its exit code and output. With
        `seed`, mutmut takes it as its test statistics (see `seed`)."""
        self._send({"run": list(arguments), "seed": seed}, "start mutmut run")
        self.stdin.close()
        try:
            code = self._wait(budget.left())
        except subprocess.TimeoutExpired:
            self.close()
            raise Timeout(
                f"mutmut run did not finish within {budget.seconds:.0f} s and was stopped",
                "a test may hang; raise the timeout with --timeout or fix the test",
            ) from None
        finally:
            if self.proc.returncode is None:
                self.close()
        self.close()  # mutmut's workers, if any outlived it
        done = Completed(("mutmut", "run", *arguments), code, self.output(), "")
        process.echo(done.args, done.stdout)
        return done
