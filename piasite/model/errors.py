"""The build's error vocabulary: each class says who raises it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(order=True)
class ContentProblem:
    """One problem in a content file, reported to editors in Japanese.

    Raised (collected) by the loader, the schema validator and the content scanner.
    `line` and `column` are 1-based; 0 means the problem has no position in the file.
    """

    file: str
    line: int = 0
    column: int = 0
    message: str = ""
    item: str = ""
    severity: str = field(default="error", compare=False)

    def format(self) -> str:
        """Return `file:line:column: 種別: message` for terminals and logs."""
        kind = "エラー" if self.severity == "error" else "警告"
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column}"
        label = f" [{self.item}]" if self.item else ""
        return f"{where}: {kind}{label}: {self.message}"


def unique(problems: list[ContentProblem]) -> list[ContentProblem]:
    """Return the problems sorted, each once (one number written twice in a value is one problem to fix)."""
    out: list[ContentProblem] = []
    for problem in sorted(problems):
        if not out or problem != out[-1] or problem.severity != out[-1].severity:
            out.append(problem)
    return out


class ContentErrors(Exception):
    """Raised by `validate` when content has errors; carries every problem found in one run."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = unique(problems)
        super().__init__(f"{len(self.problems)} content error(s)")


class BuildError(Exception):
    """Raised by render and write stages for failures that are not the editor's content."""

    def __init__(self, message: str, source: Path | None = None):
        super().__init__(message)
        self.source = source


class UsageError(BuildError):
    """Raised by the command line and the editors' commands for a wrong argument (exit status 2)."""
