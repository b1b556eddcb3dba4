"""Mutation testing of changed lines, through mutmut, in an isolated copy of the project.

    run_mutation(MutationRequest) -> MutationOutcome

Stages (one module each): `workspace` copies the project to a temporary
folder; `mutmut_config` writes mutmut's config there; `mutmut_adapter` asks
mutmut which mutants it makes (the probe), runs it and reads its files (the
only module that knows mutmut's formats); `scope` explains the changed lines
that get no mutant; `cache` keeps verdicts between runs; `diagnosis` finds
tests that break under mutmut; `runner` drives one `mutmut run`; `engine`
ties them together.

Statuses: killed, timeout (detected); survived, no_tests, suspicious
(undetected); skipped. A run that leaves a mutant unchecked raises ToolError.
`progress(done, total, killed, survived)` may be called from a background thread.
"""

from __future__ import annotations

from qualitygate.mutation.engine import run_mutation
from qualitygate.mutation.model import Mutant, MutationOutcome, MutationRequest, NotTestable

__all__ = ["Mutant", "MutationOutcome", "MutationRequest", "NotTestable", "run_mutation"]
