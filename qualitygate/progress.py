"""What a pipeline tells the user while it works; `ui.ConsoleProgress` draws it."""

from __future__ import annotations


class Progress:
    """What the pipeline tells the user while it works; the CLI draws it."""

    def stage(self, text: str) -> None:
        pass

    def tests(self, ran: int, collected: int) -> None:
        """How far the test run under coverage is."""

    def mutants(self, done: int, total: int, killed: int, survived: int) -> None:
        pass
