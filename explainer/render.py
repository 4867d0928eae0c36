"""Stage 4, render: the list of pages, and each page through its Jinja template, in memory.

Templates own all presentation; Python hands them the model and a few helpers:
`url()` and `abs_url()` for links and `link()` for author-written URLs (all from
`urls.BaseUrl`, the only place the base URL is applied), `asset()` for
fingerprinted static files, `t` for interface strings, `markdown()` for a
document's body, `structured_data` and the `jsonld` filter for JSON-LD, and
`share_image` for the link-preview card. Besides pages it renders the hosting
files (sitemap.xml, robots.txt, _headers) from templates and the open data JSON.
Annotations and quote embeds inside Markdown are rendered by macros in
`_macros.html`, so their markup lives in templates too.
"""

from __future__ import annotations

import dataclasses
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter

import jinja2
import jinja2.sandbox
from markupsafe import Markup

from . import model, opendata, resolve, routes, share_image
from .cache import ENGINE
from .diagnostics import BuildFailed, Diagnostics, Pos
from .load import YamlDoc, digest, parse_yaml, read_text
from .metadata import jsonld, structured_data
from .model import SOURCE_KINDS, Claim, Content, Document, Source
from .parallel import render_shares
from .urls import BaseUrl
from .write import OutputFiles

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")
NOT_TEMPLATES = {"static", "fonts", "strings"}  # folders of templates/ holding other files


@dataclass
class Page:
    path: str  # route, relative to the base URL
    template: str
    context: dict = field(default_factory=dict)


class Citations:
    """The sources cited on one page, in order of first use, with one back-link per use.

    Templates call `cite(claim)` where a claim's chips go, and `entries()` where the
    page's source list goes, so numbering follows the order the template shows things.
    """

    def __init__(self) -> None:
        self._uses: dict[str, list[tuple[str, Claim]]] = {}
        self._sources: dict[str, Source] = {}
        self._anchors: dict[str, int] = {}

    def cite(self, claim: Claim) -> list[tuple[Source, str]]:
        chips = []
        for source in claim.sources:
            uses = self._uses.setdefault(source.id, [])
            self._sources[source.id] = source
            ref = f"ref-{source.id}-{len(uses) + 1}"
            uses.append((ref, claim))
            chips.append((source, ref))
        return chips

    def anchor(self, base: str) -> str:
        """A page-unique id: the first use of `quote-x` gets it, later ones `quote-x-2`…"""
        n = self._anchors[base] = self._anchors.get(base, 0) + 1
        return base if n == 1 else f"{base}-{n}"

    def entries(self) -> list[tuple[Source, list[tuple[str, Claim]]]]:
        return [(self._sources[sid], uses) for sid, uses in self._uses.items()]


class Renderer:
    """One Jinja environment for the life of the process (the dev server reuses it)."""

    def __init__(self, root: Path, md, jobs: int = 1) -> None:
        self.root = root
        self.templates = root / "templates"
        self.md = md
        self.jobs = jobs  # processes to render pages in (see `parallel`)
        self.link = lambda href: href  # set per build: author links under the base path
        # Sandboxed: a template cannot reach Python internals (`cycler.__init__.__globals__`)
        # and through them files outside templates/; the loader refuses links out of it.
        self.env = Sandbox(
            loader=TemplateLoader(self.templates, root),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=True,
            keep_trailing_newline=True,
        )
        self.env.filters["date"] = self._format_date
        self.env.filters["jsonld"] = jsonld
        self.env.globals["markdown"] = jinja2.pass_context(
            lambda context, doc: self._markdown(context, doc)
        )
        self.env.globals["ledger"] = ledger
        self.env.globals["source_kinds"] = SOURCE_KINDS
        self.env.globals["routes"] = routes

    def render(
        self,
        content: Content,
        base_url: str,
        diags: Diagnostics,
        cache: PageCache | None = None,
    ) -> dict[str, bytes]:
        """Every output file as bytes, keyed by its path under site/.

        With a `cache`, a page whose inputs are unchanged since it was rendered is taken
        from it (see `page_keys` for what a page's inputs are).
        """
        base = BaseUrl.make(base_url, content.site.url)
        strings = self._load_strings(content.site.language, diags)
        style = share_image.load_style(self.templates, self.root, diags)
        assets = collect_assets(self.templates / "static", diags)
        if strings is None or style is None or diags.errors:
            raise BuildFailed
        share = share_image.build(content, self.md, style, self.templates)
        self.strings = strings
        self.link = base.link
        # Only pages that ask for a place (nav_title) join the menu: a site with thousands
        # of pages must not repeat them all on every page.
        nav = [(routes.page(d.slug), d.nav_title) for d in content.pages if d.nav_title]
        self.env.globals.update(
            site=content.site,
            content=content,
            t=strings,
            url=base.url,
            abs_url=base.abs_url,
            link=base.link,
            has_origin=base.has_origin,
            asset=lambda name: base.url(routes.static(assets[name][0])),
            share_image=share,
            inline=lambda text: Markup(self.md.renderInline(text, {"link": base.link})),
            nav_pages=lambda: nav,
        )
        self.content = content
        output = OutputFiles(diags)
        output.update({routes.static(name): data for name, data in assets.values()})
        output[share.route] = share.data
        site_pages = pages(content)
        with self._templates_fixed(diags) as templates:
            keys = page_keys(
                content,
                site_pages,
                [base_url, strings, sorted(f for f, _ in assets.values()), share, templates],
            )
            found = {}
            for page in site_pages:
                path = routes.output_file(page.path)
                data = cache.get(path, keys[page.path]) if cache is not None else None
                if data is not None:
                    found[page.path] = data
            todo = [page for page in site_pages if page.path not in found]
            rendered = render_shares(
                lambda share_: [self._render_page(p, content, base, share, diags) for p in share_],
                todo,
                self.jobs,
                owner=lambda page: page.context["doc"].share if "doc" in page.context else None,
            )
            for page, data in zip(todo, rendered, strict=True):
                found[page.path] = data
                if cache is not None:
                    cache.put(routes.output_file(page.path), keys[page.path], data)
            for page in site_pages:
                output[routes.output_file(page.path)] = found[page.path]
        output[routes.OPEN_DATA] = opendata.to_bytes(opendata.open_data(content, base, self.md))
        output.update(self._hosting_files(site_pages, output, base, diags))
        return output

    def _render_page(self, page: Page, content: Content, base, share, diags) -> bytes:
        actor = page.context.get("actor")
        context = {
            **page.context,
            "page_path": page.path,
            "cites": Citations(),
            "structured_data": structured_data(page.path, actor, content, base, share),
        }
        data = self._render(page.template, context, diags)
        if "doc" in page.context:  # its tokens are needed nowhere else: free them now
            page.context["doc"].tokens = None
        return data

    @contextmanager
    def _templates_fixed(self, diags: Diagnostics):
        """Load every template as it is now and use exactly those for the whole render,
        so pages and their cache keys agree on one version of each (yields their digests).
        """
        names = [
            n
            for n in self.env.list_templates()
            if n.endswith(TEMPLATE_SUFFIXES) and n.split("/")[0] not in NOT_TEMPLATES
        ]
        for name in names:
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                self._render(name, {}, diags)  # reports it with file and line; raises
        self.env.auto_reload = False
        try:
            yield {name: self.env.loader.digests.get(name) for name in names}
        finally:
            self.env.auto_reload = True

    def _hosting_files(
        self, site_pages: list[Page], output: dict[str, bytes], base: BaseUrl, diags: Diagnostics
    ) -> dict[str, bytes]:
        """sitemap.xml, robots.txt and _headers, from their templates.

        The sitemaps protocol allows only absolute URLs, so without an origin (a
        path-only base URL and no `url` in site.yaml) there is no sitemap.
        """
        files = {}
        if base.has_origin:
            listed = [p for p in site_pages if p.path != routes.NOT_FOUND]
            files[routes.SITEMAP] = self._render("sitemap.xml", {"pages": listed}, diags)
        files[routes.ROBOTS] = self._render(
            "robots.txt", {"sitemap": routes.SITEMAP in files}, diags
        )
        unhashed = [p for p in [*output, *files] if not p.startswith(routes.static(""))]
        revalidate = sorted({r for p in unhashed for r in (p, p.removesuffix("index.html"))})
        files[routes.HEADERS] = self._render("headers.txt", {"revalidate": revalidate}, diags)
        return files

    def _render(self, name: str, context: dict, diags: Diagnostics) -> bytes:
        """One template to bytes; template errors become diagnostics with file and line."""
        try:
            return self.env.get_template(name).render(context).encode("utf-8")
        except jinja2.TemplateSyntaxError as e:
            diags.error(
                Pos(self._rel(e.filename or e.name), e.lineno or 0),
                f"template syntax error: {e.message}",
            )
        except TemplateFileError as e:
            diags.error(e.pos, e.problem)
        except jinja2.TemplateNotFound as e:  # from get_template, or an include's line
            pos = _template_pos(e, self.templates, self.root)
            pos = Pos(f"templates/{name}") if pos.file == "templates" else pos
            outside = e.name.startswith("/") or ".." in e.name.split("/")
            inside = " (templates can only use files inside templates/)" if outside else ""
            diags.error(pos, f"template not found: {e.name}{inside}")
        except Exception as e:  # an error raised while a template runs
            diags.error(_template_pos(e, self.templates, self.root), f"template error: {e}")
        raise BuildFailed from None

    def _markdown(self, context, doc: Document) -> Markup:
        """A document's body, on its own page (or, for sections, the home page) only: page
        cache keys rely on no other page showing it (see `page_keys`)."""
        page = context.get("page_path")
        if doc not in self.content.sections and page != routes.page(doc.slug):
            raise jinja2.sandbox.SecurityError(
                f"markdown() shows a page's body on that page only, not on {page!r}"
            )
        if doc.tokens is None:
            resolve.tokens(doc, routes.page(doc.slug), self.content, self.md)
        macros = self.env.get_template("_macros.html").make_module(context.get_all())
        env = {
            "link": self.link,
            "annotate": lambda claim, part: str(
                macros.claim_open(claim) if part == "open" else macros.claim_close(claim)
            ),
            "quote": lambda quote: str(macros.quote(quote)),
        }
        return Markup(self.md.renderer.render(doc.tokens, self.md.options, env))

    def _format_date(self, value, style: str = "long") -> str:
        if value is None:
            return ""
        months = self.strings["months"]
        if style == "iso":
            return value.isoformat()
        return self.strings["date_format"].format(
            day=value.day, month=months[value.month - 1], year=value.year
        )

    def _load_strings(self, language: str, diags: Diagnostics) -> dict | None:
        """templates/strings/<language>.yaml, read as carefully as content (no aliases…)."""
        path = self.templates / "strings" / f"{language}.yaml"
        rel = self._rel(str(path))
        if not path.exists():
            diags.error(Pos(rel), f"no interface strings for language '{language}': create {rel}")
            return None
        text = read_text(path, self.root, diags)
        doc = parse_yaml(text, rel, diags) if text is not None else None
        if doc is None or doc.broken:
            return None
        if not isinstance(doc.data, dict):
            diags.error(Pos(rel, 1, 1), "expected a mapping of interface strings")
            return None
        return doc.data if _dates_usable(doc, diags) else None

    def _rel(self, filename: str) -> str:
        path = Path(filename)
        if not path.is_absolute():
            path = self.templates / path
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return filename


def _dates_usable(strings: YamlDoc, diags: Diagnostics) -> bool:
    """The `date` filter needs 12 month names and a format with only {day}, {month}, {year}:
    11 months shift every name silently, and `{day.__class__}` reads Python attributes."""
    months, fmt = strings.data.get("months"), strings.data.get("date_format")
    months_ok = isinstance(months, list) and len(months) == 12
    months_ok = months_ok and all(isinstance(m, str) for m in months)
    if not months_ok:
        diags.error(strings.pos(("months",)), "months must be a list of the 12 month names")
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in Formatter().parse(fmt) if f is not None]
        format_ok = all(f in ("day", "month", "year") and not (spec or c) for f, spec, c in fields)
    except (TypeError, ValueError):  # not text, or unbalanced braces
        format_ok = False
    if not format_ok:
        diags.error(
            strings.pos(("date_format",)),
            "date_format must be text using only {day}, {month} and {year}",
        )
    return months_ok and format_ok


def pages(content: Content) -> list[Page]:
    """Every page of the site, each with the claims it shows (for its ledger)."""
    by_page: dict[str, list[Claim]] = {}
    for claim in content.claims:
        by_page.setdefault(claim.page, []).append(claim)
    result = [
        Page(routes.HOME, "home.html", {"page_claims": by_page.get(routes.HOME, [])}),
        Page(routes.ACTORS, "actors.html", {"page_claims": []}),
        Page(routes.QUOTES, "quotes.html", {"page_claims": by_page.get(routes.QUOTES, [])}),
        Page(routes.SOURCES, "sources.html", {"page_claims": []}),
        Page(routes.NOT_FOUND, "404.html", {"page_claims": []}),
    ]
    for actor in content.actors:
        claims = [q.claim for q in actor.quotes if q.claim]
        result.append(
            Page(routes.actor(actor.id), "actor.html", {"actor": actor, "page_claims": claims})
        )
    for doc in content.pages:
        path = routes.page(doc.slug)
        result.append(Page(path, "page.html", {"doc": doc, "page_claims": by_page.get(path, [])}))
    return result


def page_keys(content: Content, site_pages: list[Page], shared: list) -> dict[str, str]:
    """Each page's cache key: a digest of everything its render can read.

    Templates can reach the whole model, so every key covers all of it (the `shared`
    render settings, the YAML files, the sections, every page's front matter and
    claims) except the free-standing pages' bodies: a body shows only on its own page
    (`Renderer._markdown` and `Sandbox` enforce that), so only that page's key has it.
    Editing a page's text outside its claims re-renders that page alone. A page's
    claims are known by `claims_key`, the digest of all they are made from.
    """
    disputed = [c.anchor for d in content.pages for c in d.claims if c.disputed]
    everything = digest(
        ENGINE,
        repr(shared),
        repr(sorted(content.inputs.items())),
        *[d.digest for d in content.sections],
        *[f"{d.pos.file}\0{d.slug}\0{d.front_digest}\0{d.claims_key}" for d in content.pages],
        repr(disputed),
    )
    return {
        page.path: digest(everything, page.context["doc"].digest)
        if "doc" in page.context
        else everything
        for page in site_pages
    }


class PageCache:
    """Rendered pages by output path and key, kept in memory (the dev server's)."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}

    def get(self, path: str, key: str) -> bytes | None:
        hit = self.pages.get(path)
        return hit[1] if hit is not None and hit[0] == key else None

    def put(self, path: str, key: str, data: bytes) -> None:
        self.pages[path] = (key, data)


def ledger(claims: list[Claim]) -> dict:
    """How the claims on a page are known: counts by the firmest kind of source behind each."""
    counts = dict.fromkeys(SOURCE_KINDS, 0)
    for claim in claims:
        kinds = {s.kind for s in claim.sources}
        firmest = next((k for k in SOURCE_KINDS if k in kinds), None)
        if firmest:
            counts[firmest] += 1
    total = sum(counts.values())
    anonymous_only = sum(
        1 for c in claims if c.sources and all(s.kind == "anonymous" for s in c.sources)
    )
    return {"counts": counts, "total": total, "anonymous_only": anonymous_only}


def collect_assets(folder: Path, diags: Diagnostics | None = None) -> dict[str, tuple[str, bytes]]:
    """Static files with a content hash in their names, so hosts may cache them forever.

    A link to a file outside the folder is not published (it could be any file).
    """
    assets = {}
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if not path.resolve().is_relative_to(folder.resolve()):
                if diags is not None:
                    where = Pos(f"{folder.parent.name}/{folder.name}/{path.relative_to(folder)}")
                    diags.error(where, "file is a link to outside the folder; not publishing it")
                continue
            data = path.read_bytes()
            name = path.relative_to(folder).as_posix()
            assets[name] = (routes.fingerprint(name, data), data)
    return assets


def _template_pos(error: Exception, templates: Path, root: Path) -> Pos:
    """The template file:line of an error raised while rendering.

    Jinja rewrites tracebacks so template frames carry the template's file name and
    line; `UndefinedError` itself has no line, so take the innermost such frame. For
    endless recursion the innermost frame is anywhere in the loop: take the outermost.
    """
    tb = error.__traceback__ or sys.exc_info()[2]
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        outermost = isinstance(error, RecursionError) and found is not None
        if (filename.startswith(str(templates)) or filename.endswith(".html")) and not outermost:
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return Pos("templates")
    path = Path(found[0])
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else found[0]
    return Pos(rel, found[1])


class Sandbox(jinja2.sandbox.SandboxedEnvironment):
    """Jinja's sandbox, quicker on the model's own objects.

    Its checks took a third of the render time of a large site, mostly on reads like
    `{{ claim.text }}`. The model's dataclasses hold plain data and plain methods, so
    reading their public attributes needs no check; everything else is checked as
    always, and each verdict is remembered: it depends only on the type and the name.
    """

    MODEL_TYPES = frozenset(
        c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
    )

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self._verdicts: dict[tuple[type, str], bool] = {}

    # Only markdown(doc) shows a body, and on its own page: `page_keys` relies on it.
    HIDDEN = frozenset({(Document, "body"), (Document, "tokens")})

    def getattr(self, obj, attribute: str):
        key = (type(obj), attribute)
        if key[0] in self.MODEL_TYPES and key not in self.HIDDEN and attribute[:1] != "_":
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        """Asked by `getattr` and `getitem` (`doc["body"]`) alike."""
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            safe = key not in self.HIDDEN and super().is_safe_attribute(obj, attr, value)
            verdict = self._verdicts[key] = safe
        return verdict


class TemplateLoader(jinja2.FileSystemLoader):
    """Templates from templates/ only, read like content files.

    Jinja already refuses `..` in names; this also refuses a link that leads
    outside the folder, and reports a non-UTF-8 or oversized template at its line.
    """

    def __init__(self, folder: Path, root: Path) -> None:
        super().__init__(folder)
        self.folder, self.root = folder, root
        self.digests: dict[str, str] = {}

    def get_source(self, environment, template: str):
        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        rel = path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else template
        if not path.resolve().is_relative_to(self.folder.resolve()):
            raise TemplateFileError(Pos(rel), "template is a link to outside templates/")
        diags = Diagnostics()
        text = read_text(path, self.root, diags)
        if text is None:
            raise TemplateFileError(diags.items[0].pos, diags.items[0].message)
        mtime = path.stat().st_mtime
        self.digests[template] = digest(text)  # of the version Jinja now compiles
        return text, str(path), lambda: path.exists() and path.stat().st_mtime == mtime


class TemplateFileError(jinja2.TemplateError):
    """A template file that cannot be used at all; `pos` says which and where."""

    def __init__(self, pos: Pos, problem: str) -> None:
        super().__init__(f"{pos}: {problem}")
        self.pos, self.problem = pos, problem
