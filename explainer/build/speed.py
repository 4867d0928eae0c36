"""Speed, applied around the stages in one place: the memo, dependency records and workers.

`pipeline.build` calls the stages in order; where a stage is heavy, it goes through a
`Speed`, which knows the build's mode:

- `parse_yaml`: in memory (the dev server), YAML parsed before is not parsed again;
- `parse`: documents the memo knows are not parsed; the rest are parsed on every core;
- `render`: a page whose dependency record says nothing it read has changed is taken as
  it was; the rest are rendered on every core, each in the process that parsed its
  document; on disk, a large build's pages are written to the next site's folder as
  they are rendered (`write.Staging`), never all held in memory.

Every path gives the bytes a clean build gives (tests/test_incremental.py checks it).
"""

from __future__ import annotations

import contextlib
import enum
from pathlib import Path

from .. import routes
from ..content import resolve
from ..content.model import Content, Document
from ..content.resolve import Body
from ..content.yamlpos import YamlDoc, parse_yaml
from ..diagnostics import BuildFailed, Diagnostics
from ..site.pages import Page
from ..site.render import Site
from ..site.theme import BUILTIN
from . import deps, memo, workers, write
from .memo import ENGINE, Memo, PageEntry
from .workers import Plan, Team
from .write import KEPT, OnDisk, OutputFiles


class Mode(enum.Enum):
    DISK = "disk"  # a build into an output folder, with the memo in .explainer-cache/
    MEMORY = "memory"  # the dev server's and `check`'s: the memo lives in the Project


class Speed:
    """One build's memo, dependency records and workers."""

    def __init__(
        self, project, mode: Mode, out: Path | None, diags: Diagnostics, stage: bool = False
    ) -> None:
        self.project, self.mode, self.out = project, mode, out
        # On disk, a large build's pages go to the next site's folder as they are rendered
        # (`write.Staging`), not held in memory: the original's, not a translation's.
        self.staging: write.Staging | None = None
        self._may_stage = stage and mode is Mode.DISK
        self._memo: Memo | None = None if mode is Mode.DISK else project.memory
        self.inputs: str | None = None  # digest of every input file (`deps.inputs`), on disk
        self.team: Team | None = None
        self.body_keys: dict[str, str] = {}  # document file -> its key in memo.bodies
        self.reused: set[str] = set()  # output files taken from the last build's folder
        self.rendered = 0
        self.yaml_used: dict[tuple, YamlDoc] = {}
        self._probes: deps.Probes | None = None
        # What the stages made, set by the pipeline as it goes (see `__exit__`).
        self.site: Site | None = None
        self.bodies: dict[str, Body] | None = None
        self.output: dict | None = None
        self.record: dict | None = None  # what `unchanged` needs of a good build, on disk
        self.diags = diags

    @property
    def memo(self) -> Memo:
        """The memo, read from disk when first needed (`unchanged` may not need it)."""
        if self._memo is None:
            # each language of the site has a memo of its own (`memo_file`)
            self._memo = memo.read(self.project.root, self.out, self.project.memo_file)
        return self._memo

    # -- before the stages ----------------------------------------------------------------

    def unchanged(self, options: list) -> dict | None:
        """On disk: what the last good build recorded, if nothing it could read has changed
        since (no input file, option or engine) and its output folder is exactly as it left
        it; the stages would then make the same files and diagnostics again. Otherwise None.

        The folder is compared file by file (size, times, inode), so an edited, added or
        removed output file means a build."""
        if self.mode is not Mode.DISK:
            return None
        self.inputs = deps.inputs(self.project.root, BUILTIN)
        if self.inputs is None:
            return None
        self.inputs = deps.digest(self.inputs, repr(options), str(self.out))
        last = memo.read_last(self.project.root)
        if last is None or last.get("inputs") != self.inputs:
            return None
        if memo.tree_stat(self.out) != last.get("tree"):
            return None
        with contextlib.suppress(OSError):
            if not any(write.leftovers(self.out).values()):  # else the write stage clears them
                return last
        return None

    # -- load ---------------------------------------------------------------------------

    def parse_yaml(self, text: str, file: str, diags: Diagnostics, line_offset: int = 0):
        """`parse_yaml`, remembered in memory: the same text gives the same data."""
        if self.mode is not Mode.MEMORY:
            return parse_yaml(text, file, diags, line_offset)
        key = (file, line_offset, text)
        doc = self.memo.yaml.get(key)
        if doc is None:
            doc = parse_yaml(text, file, diags, line_offset)
        if not doc.broken:  # YamlDocs are only read after loading: builds may share them
            self.yaml_used[key] = doc
        return doc

    # -- parse --------------------------------------------------------------------------

    def parse(self, content: Content, site: Site | None) -> dict[str, Body]:
        """The bodies the memo knows (as records), and those of the documents it does not
        know when they are many: parsed on every core (quietly: a document with a problem
        is left out, and `resolve` parses it again to report it)."""
        md = self.project.md
        # What a body may name (sources, quotes, dates, whose days its words must match):
        # its records are made from them.
        tables = deps.digest(
            *sorted(content.sources_by_id), "\0", *sorted(content.quotes_by_id), "\0",
            *sorted(content.broken_ids), "\0", *sorted(content.broken_files), "\0",
            *sorted(f"{d.id} {d.date} {d.until}" for d in content.dates),
        )  # fmt: skip
        bodies: dict[str, Body] = {}
        todo: list[Document] = []
        for doc in [*content.sections, *content.pages]:
            key = self.body_keys[doc.pos.file] = deps.digest(
                ENGINE, doc.pos.file, doc.slug, doc.title, doc.body, tables
            )
            records = self.memo.bodies.get(key)
            if records is not None:
                bodies[doc.pos.file] = Body(records=records)
            else:
                todo.append(doc)
        if site is None or len(todo) < workers.MIN_ITEMS or self.project.jobs <= 1:
            return bodies
        mine: dict[str, Body] = {}

        def parse(doc: Document):
            quiet = _Quiet()
            body = resolve.parse(doc, content, md, quiet)
            if quiet.count:
                return None
            mine[doc.pos.file] = body
            return resolve.records(body)

        def link(results: list) -> None:  # in a child: the parent's model, the same way
            given = {**bodies, **_bodies_from(todo, results, mine)}
            site.plan(resolve.resolve(content, md, Diagnostics(), given))

        plan = Plan(
            render=lambda key: self._render(site, site.page(key[0]), None, key[1]),
            parse=parse,
            link=link,
        )
        self.team = Team.fork(self.project.jobs, plan, parsing=todo)
        if self.team is None:
            return bodies
        results = self.team.all(parse)
        return {**bodies, **_bodies_from(todo, results, mine)}

    # -- render -------------------------------------------------------------------------

    def render(self, site: Site, bodies: dict[str, Body], diags: Diagnostics) -> dict:
        """Every output file: pages whose records hold taken as they were, the others
        rendered; then the files that are not pages."""
        pages = site.plan(bodies)
        probes = self.probes(site)
        settings = probes.fingerprint(site.settings)
        changed = set()  # reads whose answer changed: the pages that made them are stale
        for i, entry in enumerate(self.memo.probes):
            now = probes.digest(entry[0])
            if now is None or now != entry[1]:  # a read that finds nothing never matches
                changed.add(i)
                entry[1] = now  # every page that made the read is rendered again
        found: dict[str, bytes] = {}
        keys: dict[str, str | None] = {}
        todo: list[Page] = []
        for page in pages:
            path = routes.output_file(page.path)
            keys[path] = _page_key(page, probes, settings)
            data = self._reuse(path, keys[path], changed)
            if data is None:
                todo.append(page)
            else:
                found[path] = data
        rendered = self._render_all(site, todo, diags)
        in_memory = self.mode is Mode.MEMORY
        for page, (data, record) in zip(todo, rendered, strict=True):
            path = routes.output_file(page.path)
            found[path] = data
            entry = PageEntry(keys[path], self.memo.reads(record), data=data if in_memory else None)
            self.memo.pages[path] = entry
        self.rendered = len(todo)
        output = OutputFiles(diags)
        for page in pages:
            path = routes.output_file(page.path)
            output[path] = found[path]
        output.update(site.other_files(pages, output, diags))
        return output

    def _reuse(self, path: str, key: str | None, changed: set[int]) -> bytes | OnDisk | None:
        """The page as the last build made it, if nothing it read has changed: in memory,
        its bytes; on disk, KEPT when the file is still exactly the one it wrote (its
        size, times and inode): `write` links it into the new site, unread."""
        entry = self.memo.pages.get(path)
        if key is None or entry is None or entry.key != key or not changed.isdisjoint(entry.reads):
            return None
        if self.mode is Mode.MEMORY:
            return entry.data
        if entry.stat is None or memo.file_stat(self.out / path) != entry.stat:
            return None
        self.reused.add(path)
        return KEPT

    def _render_all(self, site: Site, todo: list[Page], diags: Diagnostics) -> list:
        where = None
        if self._may_stage and len(todo) >= workers.MIN_ITEMS:
            self.staging = write.Staging(self.out, self.project.root, diags).__enter__()
            where = self.staging.where
        if self.team is None and len(todo) >= workers.MIN_ITEMS and self.project.jobs > 1:
            plan = Plan(render=lambda key: self._render(site, site.page(key[0]), None, key[1]))
            self.team = Team.fork(self.project.jobs, plan)
        if self.team is None:
            return [self._render(site, page, diags, where) for page in todo]
        return self.team.gather(
            lambda page: self._render(site, page, diags, where),
            todo,
            key=lambda page: (page.path, where),
            owner=lambda page: page.context.get("doc"),
        )

    def _render(self, site: Site, page: Page, diags: Diagnostics | None, where=None):
        """One page and what it read (a child has no diagnostics to add to: it fails, and
        the parent renders the page again to report the problem). With a staging folder
        (`where`), the page is written there and a marker stands for its bytes."""
        env = site.env
        env.reads = set()
        diags = diags if diags is not None else _Failing()
        try:
            data = site.render_page(page, diags)
            reads = env.reads
        finally:
            env.reads = None
        if where is not None:
            data = write.stage(where, routes.output_file(page.path), data, diags)
        try:
            record = self.probes(site).record(reads)
        except deps.Unnamed:
            record = [(("unnamed",), None)]  # never matches: the page is always rendered
        return data, record

    def probes(self, site: Site) -> deps.Probes:
        """This process's probes of this build's model (made once: naming takes a walk)."""
        if self._probes is None:
            self._probes = deps.Probes(deps.Model(site.content, site.observed), site.templates)
        return self._probes

    # -- after the build ----------------------------------------------------------------

    def __enter__(self) -> Speed:
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        """Stop the workers; keep what a build that ran to its end learnt (a `BuildFailed`
        ends a build too; anything else, such as Ctrl-C, may leave the output half written,
        and then nothing is kept)."""
        if self.team is not None:
            self.team.stop()
            self.team = None
        if self.staging is not None:  # whatever `write` did not swap in is removed
            self.staging.__exit__(kind, error, traceback)
            self.staging = None
        if self.site is not None:
            self.site.finish()
        if kind is None or issubclass(kind, BuildFailed):
            self._keep(self.output if kind is None else None)
        return kind is not None and issubclass(kind, BuildFailed)

    def _keep(self, output: dict | None) -> None:
        """The bodies of documents with no problem, and, after a good build, its pages
        (with the files written, on disk for `build`)."""
        diags = self.diags
        troubled = {d.pos.file for d in diags.items}
        for file, key in self.body_keys.items():
            body = (self.bodies or {}).get(file)
            if body is not None and file not in troubled and key not in self.memo.bodies:
                self.memo.bodies[key] = resolve.records(body)
        if diags.errors or output is None:
            return
        used = {key for file, key in self.body_keys.items() if file not in troubled}
        self.memo.keep_only(used, set(output))
        self.memo.yaml = self.yaml_used
        if self.mode is Mode.DISK:
            workers.release_freed_memory()  # the rendering's: the memo's bytes fit in it
            self.memo.out = str(self.out)
            for path, entry in self.memo.pages.items():
                entry.stat = memo.file_stat(self.out / path)
            memo.write(self.project.root, self.memo, self.project.memo_file)
            if self.inputs is not None and self.record is not None:
                self.record["tree"] = memo.tree_stat(self.out)
                memo.write_last(self.project.root, {**self.record, "inputs": self.inputs})


def _page_key(page: Page, probes: deps.Probes, settings: str) -> str | None:
    try:
        return deps.digest(page.template, probes.fingerprint(page.context), settings)
    except deps.Unnamed:
        return None


def _bodies_from(todo: list[Document], results: list, mine: dict[str, Body]) -> dict:
    """Bodies from the phase-1 results: this process's own with tokens, others as records."""
    bodies = {}
    for doc, records in zip(todo, results, strict=True):
        if records is not None:
            bodies[doc.pos.file] = mine.get(doc.pos.file) or Body(records=records)
    return bodies


class _Quiet:
    """Diagnostics that only count: parsing ahead leaves reporting to `resolve`."""

    count = 0

    def error(self, *args, **kwargs) -> None:
        self.count += 1

    warning = error

    def did_you_mean(self, word, choices) -> str:
        return ""


class _Failing(Diagnostics):
    """A child's diagnostics: the first problem ends its work (the parent reports it)."""

    def error(self, *args, **kwargs) -> None:
        raise BuildFailed
