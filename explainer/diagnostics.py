"""Diagnostics are values: every stage appends to one list, the CLI prints it once.

Collecting instead of raising lets an author fix every mistake of a build in one
pass, the way a compiler reports all errors of a file.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

SUGGESTION_BUDGET = 50_000  # choices compared per build for "did you mean": ~1 s at most
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True, order=True)
class Pos:
    """A place in a project file: path relative to the project root, 1-based line and column."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        if not self.col:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    pos: Pos
    severity: str  # "error" or "warning"
    message: str
    rule: str = ""

    def __str__(self) -> str:
        rule = f" [{self.rule}]" if self.rule else ""
        return visible(f"{self.pos}: {self.severity}: {self.message}{rule}")


def visible(text: str) -> str:
    """Control characters from content shown as escapes (`\\n`, `\\x1b`): one diagnostic stays
    one line, and an escape sequence in a file cannot repaint the author's terminal."""
    return _CONTROL.sub(lambda m: repr(m[0])[1:-1], text)


@dataclass
class Diagnostics:
    """The build's collected diagnostics, in the order they were found."""

    items: list[Diagnostic] = field(default_factory=list)
    # Choices "did you mean" may still compare in this build (see `did_you_mean`).
    budget: int = field(default=SUGGESTION_BUDGET, repr=False)

    def error(self, pos: Pos, message: str, rule: str = "") -> None:
        self.items.append(Diagnostic(pos, "error", message, rule))

    def warning(self, pos: Pos, message: str, rule: str = "") -> None:
        self.items.append(Diagnostic(pos, "warning", message, rule))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        """Sorted by file and line, duplicates dropped, as the CLI prints them."""
        unique = dict.fromkeys(self.items)
        return sorted(unique, key=lambda d: (d.pos, d.severity != "error", d.message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def did_you_mean(self, word: str, choices) -> str:
        """The ' (did you mean 'x'?)' suffix for a misspelt id or field name, or ''.

        Each suggestion compares the word with every choice (up to 20 µs each), so a build
        gets a budget of comparisons; past it, no more suggestions. 100,000 typos against
        900 ids would otherwise take half an hour.
        """
        if len(choices) > self.budget:
            return ""
        self.budget -= len(choices)
        import difflib  # only when something is misspelt

        close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
        return f" (did you mean '{close[0]}'?)" if close else ""


class BuildFailed(Exception):
    """Raised by a stage that cannot go on; the diagnostics say why."""


def report(diags: Diagnostics, stream=None) -> None:
    """Print diagnostics sorted by file and line, compiler style."""
    stream = stream or sys.stderr
    for d in diags.sorted():
        print(d, file=stream)


def counts(diags: Diagnostics) -> str:
    """'2 errors, 1 warning'."""
    e, w = len(diags.errors), len(diags.warnings)
    return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"
