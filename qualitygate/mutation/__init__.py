"""Mutation testing of changed lines, through mutmut, in an isolated copy of the project.
May import only `errors` and `process`: it knows nothing of layers or reports.

    run_mutation(MutationRequest) -> MutationOutcome
    Standby(...)   a workspace and mutmut's interpreter started ahead, for run_mutation

Stages (one module each): `workspace` makes the temporary folder and copies
the project into it; `mutmut_config` writes mutmut's config there;
`mutmut_session` starts one interpreter of the project's Python that runs
`mutmut_driver` (it imports mutmut while the project is copied, generates the
mutants of the changed lines - the probe - and then becomes `mutmut run`);
`mutmut_adapter` reads mutmut's files (the only module that knows their
formats); `scope` explains the changed lines that get no mutant;
`generation_cache` keeps the probe's answers and `cache` the verdicts between
runs; `diagnosis` finds tests that break or hang under mutmut; `runner` drives
the rounds of `mutmut run`; `engine` ties them together. `budget` is the one
time limit (MutationRequest.timeout) that bounds the whole stage; a test that
hangs on the unmodified project is a ToolError naming it.

Statuses: killed, timeout (detected); survived, no_tests, suspicious
(undetected); skipped. A run that leaves a mutant unchecked raises ToolError.
`progress(done, total, killed, survived)` may be called from a background thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualitygate.mutation.model import Mutant, MutationOutcome, MutationRequest, NotTestable

if TYPE_CHECKING:
    from qualitygate.mutation.engine import Standby, run_mutation


def __getattr__(name: str) -> Any:
    """`run_mutation` and `Standby` are imported when first used: a check without mutation
    (the commit hook) need not load the engine, and `mutation.model` stays cheap to import."""
    if name in ("run_mutation", "Standby"):
        from qualitygate.mutation import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Mutant",
    "MutationOutcome",
    "MutationRequest",
    "NotTestable",
    "Standby",
    "run_mutation",
]
