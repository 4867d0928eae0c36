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

from contextlib import contextmanager
from pathlib import Path

import jinja2
import jinja2.sandbox
from markupsafe import Markup

from .. import routes
from ..build.memo import ENGINE
from ..build.workers import render_shares
from ..build.write import OutputFiles
from ..content import resolve
from ..content.files import digest
from ..content.model import SOURCE_KINDS, Content, Document
from ..diagnostics import BuildFailed, Diagnostics, Pos
from ..urls import BaseUrl
from . import opendata, share_image
from .assets import collect_assets
from .hosting import hosting_files
from .jsonld import jsonld, structured_data
from .pages import Citations, Page, ledger, pages
from .strings import with_overrides
from .theme import (
    TemplateFileError,
    Theme,
    load_strings,
    make_environment,
    template_names,
    template_pos,
)


class Renderer:
    """One Jinja environment for the life of the process (the dev server reuses it)."""

    def __init__(self, root: Path, md, jobs: int = 1) -> None:
        self.root = root
        self.theme = Theme(root)
        self.md = md
        self.jobs = jobs  # processes to render pages in (see `parallel`)
        self.link = lambda href: href  # set per build: author links under the base path
        # Sandboxed: a template cannot reach Python internals (`cycler.__init__.__globals__`)
        # and through them files outside the project; the loader refuses links out of it.
        self.env = make_environment(self.theme)
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
        strings = load_strings(self.theme, content.site.language, diags)
        if strings is not None:
            strings = with_overrides(strings, content.site, diags)
        style = share_image.load_style(self.theme, diags)
        assets = collect_assets(self.theme, diags)
        if strings is None or style is None or diags.errors:
            raise BuildFailed
        share = share_image.build(content, self.md, style, self.theme)
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
            self.counts = (len(todo), len(site_pages))  # pages rendered, pages in all
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
        output.update(
            hosting_files(
                lambda name, ctx: self._render(name, ctx, diags), site_pages, output, base
            )
        )
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
        names = template_names(self.env)
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

    def _render(self, name: str, context: dict, diags: Diagnostics) -> bytes:
        """One template to bytes; template errors become diagnostics with file and line."""
        try:
            return self.env.get_template(name).render(context).encode("utf-8")
        except jinja2.TemplateSyntaxError as e:
            diags.error(
                Pos(self.theme.display(e.filename or e.name), e.lineno or 0),
                f"template syntax error: {e.message}",
            )
        except TemplateFileError as e:
            diags.error(e.pos, e.problem)
        except jinja2.TemplateNotFound as e:  # from get_template, or an include's line
            pos = template_pos(e, self.theme)
            pos = Pos(f"templates/{name}") if pos.file == "templates" else pos
            outside = e.name.startswith("/") or ".." in e.name.split("/")
            why = "templates can only use files of the theme" if outside else self.theme.order()
            diags.error(pos, f"template not found: {e.name} ({why})")
        except Exception as e:  # an error raised while a template runs
            diags.error(template_pos(e, self.theme), f"template error: {e}")
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
