"""The whole pipeline, load → validate → resolve → check sourcing → render → write.

The CLI and the dev server both call `build`; neither re-implements a stage.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..content.load import load, remember
from ..content.markdown import make_markdown
from ..content.resolve import resolve
from ..content.rules import check_sourcing
from ..content.schema import validate
from ..diagnostics import BuildFailed, Diagnostics
from ..site.render import PageCache, Renderer
from ..urls import BaseUrl
from . import workers as parallel
from .memo import BuildCache
from .write import write


@dataclass
class Result:
    base_url: str = ""  # the base URL `files` were rendered for ("" until rendering finished)
    address: str | None = None  # the site's absolute address, when the build knew one
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, bytes] = field(default_factory=dict)
    suppressed: dict[str, int] = field(default_factory=dict)  # rule id -> exempted findings
    rendered: int = 0  # pages rendered by this build
    pages: int = 0  # pages of the site: those rendered and those reused from an earlier build

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


class Project:
    """A project root with its long-lived parser, template environment and caches.

    Building to an output folder uses the build cache in `.explainer-cache/` (see
    `cache`); rendering in memory (the dev server) keeps the same caches in this
    object. Either way the bytes are exactly those of a clean build.
    """

    def __init__(self, root: Path, jobs: int = 1) -> None:
        self.root = root.absolute()
        self.jobs = jobs  # processes for parsing and rendering (`parallel.workers()`)
        self.md = make_markdown()
        self.renderer = Renderer(self.root, self.md, jobs)
        self.memory = MemoryCache()

    def build(
        self,
        out: Path | None = None,
        base_url: str | None = None,
        drafts: bool = False,
        write_output: bool = True,
        progress: Callable[[str], None] | None = None,
    ) -> Result:
        """Run every stage; write only when nothing failed. `out=None` renders without writing.
        `progress` is told the name of each stage as it starts (for a progress line)."""
        step = progress or (lambda stage: None)
        result = Result()
        diags = result.diagnostics
        to_disk = write_output and out is not None
        cache = BuildCache(self.root) if to_disk else self.memory
        pages = cache.pages_for(out.absolute() if to_disk else None)
        thresholds = gc.get_threshold()
        # A build makes millions of small, long-lived objects (tokens, the model): the
        # default collector rescans them all again and again (40 % of a 4,000-page parse).
        gc.set_threshold(100_000, 50, 1000)
        try:
            step("reading content")
            raw = load(self.root, diags, cache.files, cache.documents)
            content = validate(raw, diags, drafts, cache.documents)
            if content is None:
                return result
            step("reading text and claims")
            resolve(content, self.md, diags, cache.claims, self.jobs)
            if diags.errors:
                return result
            step("checking sourcing")
            result.suppressed = check_sourcing(content, diags)
            if diags.errors:
                return result
            base = base_url or content.site.base_url or content.site.url or "/"
            step("rendering pages")
            result.files = self.renderer.render(content, base, diags, pages)
            result.rendered, result.pages = self.renderer.counts
            result.base_url = base
            result.address = BaseUrl.make(base, content.site.url).public
            if to_disk:
                step("writing files")
                write(result.files, out, self.root, diags, pages.reused)
            keep = {d.memo_key for d in content.pages}
            keep |= {f.front_digest for f in [*raw.sections, *raw.pages]}
            cache.save(pages, keep, raw)
        except BuildFailed:
            pass
        finally:
            parallel.finish()  # a child process of this build never gets past here
            gc.set_threshold(*thresholds)
        return result


class MemoryCache:
    """The dev server's caches, kept between its rebuilds: parsed YAML files (`load`), valid
    documents (`validate`), pages' claims (`resolve`) and rendered pages (`render`)."""

    def __init__(self) -> None:
        self.files: dict = {}
        self.documents: dict = {}
        self.claims: dict = {}
        self.pages = PageCache()

    def pages_for(self, out_dir: None) -> PageCache:
        return self.pages

    def save(self, pages: PageCache, keep: set[str], raw) -> None:
        """Keep what this build used, so a long session does not pile up old versions."""
        self.files = remember(raw)
        self.documents = {k: v for k, v in self.documents.items() if k in keep}
        self.claims = {k: v for k, v in self.claims.items() if k in keep}
