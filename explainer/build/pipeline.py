"""The whole pipeline: load → validate → parse → resolve → check → render → write.

`build` below is the simple path, stage after stage; `Speed` (build/speed.py) is where
the memo, dependency records and worker processes are applied, around the stages. The
command line and the dev server both call `Project.build`; neither re-implements a stage.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import astuple, dataclass, field
from pathlib import Path

from .. import routes
from ..content.load import load
from ..content.markdown import make_markdown
from ..content.model import Content
from ..content.resolve import resolve
from ..content.rules import check_sourcing
from ..content.schema import validate
from ..content.translations import editions, is_translation_file
from ..diagnostics import BuildFailed, Diagnostic, Diagnostics, Pos
from ..site.render import Renderer
from . import memo
from .memo import DrawnCards, Memo, TemplateCode
from .speed import Mode, Speed
from .write import write


@dataclass
class Result:
    base_url: str = ""  # the base URL `files` were rendered for ("" until rendering finished)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, bytes] = field(default_factory=dict)
    suppressed: dict[str, int] = field(default_factory=dict)  # rule id -> exempted findings
    rendered: int = 0  # pages rendered by this build
    total: int = 0  # pages of the site: those rendered and those reused from an earlier build
    address: str | None = None  # the site's absolute address, when the build knew one
    names: list[str] = field(default_factory=list)  # the output files, written or reused

    RECORDED = ("base_url", "suppressed", "total", "address", "names")  # and the diagnostics

    def record(self) -> dict:
        """This result as plain data, for a build that finds nothing changed to give again."""
        found = [(*astuple(d.pos), d.severity, d.message, d.rule) for d in self.diagnostics.items]
        return {"diagnostics": found, **{name: getattr(self, name) for name in self.RECORDED}}

    @classmethod
    def again(cls, record: dict) -> Result:
        """The result of a build the last good build recorded (nothing was rendered)."""
        diags = Diagnostics([Diagnostic(Pos(*d[:3]), *d[3:]) for d in record["diagnostics"]])
        return cls(diagnostics=diags, **{name: record[name] for name in cls.RECORDED})

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


class Project:
    """A project root with its long-lived Markdown parser, theme environment and memo.

    Building into an output folder keeps the memo on disk (`.explainer-cache/`); building
    in memory (the dev server, `check`) keeps it in this object. Either way the bytes are
    exactly those of a clean build.
    """

    def __init__(self, root: Path, jobs: int = 1) -> None:
        self.root = root.absolute()
        self.jobs = jobs  # processes for parsing and rendering (`workers.cores()`)
        self.md = make_markdown()
        self.renderer = Renderer(self.root, self.md)
        self.renderer.env.bytecode_cache = TemplateCode()  # compiled once per machine
        self.renderer.cards = DrawnCards()  # drawn once per machine
        self.memory = Memo()
        self.memo_file = memo.FILE
        self.editions: dict[str, Edition] = {}  # by language: the translations' own

    def edition(self, lang: str) -> Edition:
        """A translation's renderer (its strings, dates and globals) and its memo, kept
        apart from the original's: pages in two languages never share a memo entry."""
        if lang not in self.editions:
            self.editions[lang] = Edition(self, lang)
        return self.editions[lang]

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
        to_disk = write_output and out is not None
        mode = Mode.DISK if to_disk else Mode.MEMORY
        out = out.absolute() if to_disk else None
        return build(self, mode, out, base_url, drafts, progress or (lambda stage: None))


class Edition:
    """What `Speed` needs of a project, for one translation: the translation has its own
    renderer and its own memo, kept in memory (the dev server reuses it)."""

    def __init__(self, project: Project, lang: str) -> None:
        self.root, self.jobs, self.md = project.root, project.jobs, project.md
        self.renderer = Renderer(self.root, self.md)
        self.renderer.env.bytecode_cache = project.renderer.env.bytecode_cache
        self.renderer.cards = project.renderer.cards
        self.memory = Memo()
        self.memo_file = f"{memo.FILE}-{lang}"
        self.lang = lang


def build(
    project: Project,
    mode: Mode,
    out: Path | None,
    base_url,
    drafts: bool,
    step: Callable[[str], None],
) -> Result:
    """The simple path, stage after stage. `speed` applies the memo, dependency records
    and workers; leaving its `with` it stops the workers and, if the build ran to its
    end (not after Ctrl-C), keeps what the build learnt."""
    result = Result()
    diags = result.diagnostics
    # A translation's memo is kept when the whole build is over (`later`): on disk, it
    # notes the files as written.
    with Speed(project, mode, out, diags, stage=True) as speed, contextlib.ExitStack() as later:
        if (last := speed.unchanged([base_url, drafts])) is not None:
            return Result.again(last)  # nothing it could read has changed since a good build
        step("reading content")
        raw = load(project.root, diags, parse=speed.parse_yaml)
        content = validate(raw, diags, drafts)
        if content is None:
            return result
        translated = editions(raw, content, diags, drafts)
        site = speed.site = project.renderer.prepare(content, base_url, diags)  # the theme
        step("reading text and claims")
        bodies = speed.parse(content, site)  # Markdown: on every core, unless memoized
        bodies = speed.bodies = resolve(content, project.md, diags, bodies)
        if diags.errors:
            return result
        step("checking sourcing")
        result.suppressed = check_sourcing(content, diags)
        if diags.errors or site is None:
            return result
        step("rendering pages")
        reused = set()
        for lang, edition_content in translated.items():
            files, same = _edition(
                project.edition(lang), edition_content, base_url, diags, (mode, out, later)
            )
            site.extra_files.update(files)
            reused |= same
        if diags.errors:
            return result
        output = speed.render(site, bodies, diags)  # only pages whose reads changed
        if mode is Mode.DISK:
            step("writing files")
            write(output, out, project.root, diags, speed.reused | reused, speed.staging)
        speed.output = result.files = output
        result.base_url = site.base.url()
        result.address = site.base.public
        result.rendered, result.total = speed.rendered, site.page_count
        result.names = sorted(output)
        speed.record = result.record()
    return result


def _edition(
    edition: Edition, content: Content, base_url, diags: Diagnostics, how: tuple
) -> tuple[dict, set]:
    """A translation's files, under its language's folder ('uk/quotes/index.html'), and
    those of them taken from the last build's folder. Its problems in the original's
    files were the original's to report: only those in its own files and the theme are."""
    mode, out, later = how
    mine = Diagnostics()
    prefix = routes.language(edition.lang)
    speed = later.enter_context(Speed(edition, mode, out / prefix if out else None, diags))
    try:
        site = speed.site = edition.renderer.prepare(content, base_url, mine, edition=True)
        if site is not None:
            bodies = speed.parse(content, site)
            bodies = speed.bodies = resolve(content, edition.md, mine, bodies)
            if not mine.errors:
                speed.output = speed.render(site, bodies, mine)
    except BuildFailed:  # reported in `mine`
        speed.output = None
    theme = ("templates/", "explainer/")
    diags.items.extend(
        d
        for d in mine.items
        if is_translation_file(d.pos.file, edition.lang) or d.pos.file.startswith(theme)
    )
    if mine.errors and not diags.errors:  # one that names no file of its own: say so
        diags.error(mine.errors[0].pos, f"{mine.errors[0].message} (in the {edition.lang} pages)")
    files = {prefix + path: data for path, data in (speed.output or {}).items()}
    return files, {prefix + path for path in speed.reused}
