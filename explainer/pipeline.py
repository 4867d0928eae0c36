"""The whole pipeline, load → validate → resolve → check sourcing → render → write.

The CLI and the dev server both call `build`; neither re-implements a stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import BuildFailed, Diagnostics
from .load import load
from .markdown import make_markdown
from .render import Renderer
from .resolve import resolve
from .rules import check_sourcing
from .validate import validate
from .write import write


@dataclass
class Result:
    base_url: str = ""  # the base URL `files` were rendered for ("" until rendering finished)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, bytes] = field(default_factory=dict)
    suppressed: dict[str, int] = field(default_factory=dict)  # rule id -> exempted findings

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


class Project:
    """A project root with its long-lived parser and template environment."""

    def __init__(self, root: Path) -> None:
        self.root = root.absolute()
        self.md = make_markdown()
        self.renderer = Renderer(self.root, self.md)

    def build(
        self,
        out: Path | None = None,
        base_url: str | None = None,
        drafts: bool = False,
        write_output: bool = True,
    ) -> Result:
        """Run every stage; write only when nothing failed. `out=None` renders without writing."""
        result = Result()
        diags = result.diagnostics
        try:
            raw = load(self.root, diags)
            content = validate(raw, diags, drafts=drafts)
            if content is None:
                return result
            resolve(content, self.md, diags)
            if diags.errors:
                return result
            result.suppressed = check_sourcing(content, diags)
            if diags.errors:
                return result
            result.files = self.renderer.render(content, base_url or content.site.base_url, diags)
            result.base_url = base_url or content.site.base_url
            if write_output and out is not None and not diags.errors:
                write(result.files, out, self.root, diags)
        except BuildFailed:
            pass
        return result
