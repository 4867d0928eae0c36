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

import sys
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml
from markupsafe import Markup

from . import opendata, routes, share_image
from .diagnostics import BuildFailed, Diagnostics, Pos
from .metadata import jsonld, structured_data
from .model import SOURCE_KINDS, Claim, Content, Document, Source
from .urls import BaseUrl, split_base_url  # noqa: F401  (split_base_url: kept importable here)


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

    def __init__(self, root: Path, md) -> None:
        self.root = root
        self.templates = root / "templates"
        self.md = md
        self.link = lambda href: href  # set per build: author links under the base path
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
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

    def render(self, content: Content, base_url: str, diags: Diagnostics) -> dict[str, bytes]:
        """Every output file as bytes, keyed by its path under site/."""
        base = BaseUrl.make(base_url, content.site.url)
        strings = self._load_strings(content.site.language, diags)
        style = share_image.load_style(self.templates, self.root, diags)
        if strings is None or style is None:
            raise BuildFailed
        assets = collect_assets(self.templates / "static")
        share = share_image.build(content, self.md, style, self.templates)
        self.strings = strings
        self.link = base.link
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
            nav_pages=lambda: [
                (routes.page(d.slug), d.nav_title or d.title) for d in content.pages
            ],
        )
        output = {routes.static(name): data for name, data in assets.values()}
        output[share.route] = share.data
        site_pages = pages(content)
        for page in site_pages:
            actor = page.context.get("actor")
            context = {
                **page.context,
                "page_path": page.path,
                "cites": Citations(),
                "structured_data": structured_data(page.path, actor, content, base, share),
            }
            output[routes.output_file(page.path)] = self._render(page.template, context, diags)
        output[routes.OPEN_DATA] = opendata.to_bytes(opendata.open_data(content, base, self.md))
        output.update(self._hosting_files(site_pages, output, base, diags))
        return output

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
        except jinja2.TemplateNotFound as e:
            diags.error(Pos(f"templates/{name}"), f"template not found: {e.name}")
        except Exception as e:  # an error raised while a template runs
            diags.error(_template_pos(e, self.templates, self.root), f"template error: {e}")
        raise BuildFailed from None

    def _markdown(self, context, doc: Document) -> Markup:
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
        path = self.templates / "strings" / f"{language}.yaml"
        rel = self._rel(str(path))
        try:
            with open(path, encoding="utf-8") as f:
                strings = yaml.safe_load(f)
        except FileNotFoundError:
            diags.error(Pos(rel), f"no interface strings for language '{language}': create {rel}")
            return None
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            diags.error(Pos(rel, mark.line + 1 if mark else 0), f"YAML syntax error: {e}")
            return None
        if not isinstance(strings, dict):
            diags.error(Pos(rel), "expected a mapping of interface strings")
            return None
        return strings

    def _rel(self, filename: str) -> str:
        path = Path(filename)
        if not path.is_absolute():
            path = self.templates / path
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return filename


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


def collect_assets(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Static files with a content hash in their names, so hosts may cache them forever."""
    assets = {}
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            data = path.read_bytes()
            name = path.relative_to(folder).as_posix()
            assets[name] = (routes.fingerprint(name, data), data)
    return assets


def _template_pos(error: Exception, templates: Path, root: Path) -> Pos:
    """The template file:line of an error raised while rendering.

    Jinja rewrites tracebacks so template frames carry the template's file name and
    line; `UndefinedError` itself has no line, so take the innermost such frame.
    """
    tb = error.__traceback__ or sys.exc_info()[2]
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(str(templates)) or filename.endswith(".html"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return Pos("templates")
    path = Path(found[0])
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else found[0]
    return Pos(rel, found[1])
