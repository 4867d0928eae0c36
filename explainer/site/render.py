"""Stage 4, render: every page through its Jinja template, in memory, plus the other files.

Templates own all presentation; Python hands them the model and a few helpers:
`url()` and `abs_url()` for links and `link()` for author-written URLs (all from
`urls.BaseUrl`, the only place the base URL is applied), `asset()` for
fingerprinted static files, `t` for interface strings, `markdown()` for a
document's body, `prose()` for a YAML field of inline Markdown (its claims and dates
annotated), the `plain` filter for Markdown shown as plain text, the `jsonld` filter
for JSON-LD and `share_image` for the link-preview card. Annotations and quote
embeds inside Markdown are rendered by macros in `_macros.html`, so their markup
lives in templates too. Besides pages it renders the hosting files (sitemap.xml,
robots.txt, _headers) from templates, and writes the static files, the share card
and the open data JSON.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import babel
import babel.dates
import jinja2
from markupsafe import Markup

from .. import routes
from ..content import resolve
from ..content.markdown import inline_text
from ..content.model import DATE_BASES, SOURCE_KINDS, STATUSES, Content, Document, Prose, When
from ..content.resolve import Body
from ..diagnostics import BuildFailed, Diagnostics, Pos
from ..urls import BaseUrl
from . import opendata, share_image
from .assets import collect_assets
from .hosting import hosting_files
from .jsonld import jsonld, link_translations, structured_data
from .pages import Citations, DateNotes, Page, ledger, plan
from .strings import with_overrides
from .theme import (
    Strings,
    TemplateFileError,
    Theme,
    load_strings,
    make_environment,
    template_names,
    template_pos,
)


class Renderer:
    """One sandboxed Jinja environment for the life of the process (the dev server keeps it).

    Sandboxed: a template cannot reach Python internals (`cycler.__init__.__globals__`)
    and through them files outside the project; the loader refuses links out of it.
    """

    def __init__(self, root: Path, md) -> None:
        self.theme = Theme(root)
        self.md = md
        self.env = make_environment(self.theme)
        self.env.filters["jsonld"] = jsonld
        self.env.filters["plain"] = lambda text: inline_text(self.md, text) if text else text
        self.env.globals["source_kinds"] = SOURCE_KINDS
        self.env.globals["statuses"] = STATUSES
        self.env.globals["date_bases"] = DATE_BASES
        self.env.globals["routes"] = routes
        self.env.globals["ledger"] = lambda claims: ledger(claims, self.env.getattr)
        self.env.filters["date"] = self._format_date
        self.env.globals["plural"] = self._plural
        self.strings = Strings()  # the current build's
        self.locale = babel.Locale("en")  # the current build's language
        self.cards: dict[str, bytes] = {}  # share cards drawn, by key (see share_image.build)

    def prepare(
        self, content: Content, base_url: str | None, diags: Diagnostics, edition: bool = False
    ) -> Site | None:
        """The theme made ready for this content: strings, static files, the share card and
        every template, loaded now and used as they are for the whole build. None after
        reporting why the theme cannot be used. An `edition` is a translation: its pages
        go under /<language>/ and it shares the original's static files."""
        site = content.site  # `url:` sets the path too; `base_url:` is its older name
        root = BaseUrl.make(base_url or site.base_url or site.url or "/", site.url)
        base = root.under(routes.language(site.language)) if edition else root
        errors = len(diags.errors)
        self.locale = language_locale(site.language, site.at("language"), diags)
        strings = load_strings(self.theme, content.site.language, diags)
        if strings is not None:
            strings = with_overrides(strings, content.site, diags)
        style = share_image.load_style(self.theme, diags)
        share = (
            None if style is None else share_image.build(content, self.md, style, diags, self.cards)
        )
        assets = collect_assets(self.theme, diags)
        templates = self._load_templates(diags)
        if len(diags.errors) > errors or strings is None or share is None or templates is None:
            return None
        self.strings = Strings(strings)
        site = Site(self, content, base, self.strings, assets, share, templates)
        site.root, site.edition = root, edition
        return site

    def render(self, name: str, context: dict, diags: Diagnostics) -> bytes:
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

    def _format_date(self, value, style: str = "long") -> str:
        if isinstance(value, When):
            value = value.date
        if value is None:
            return ""
        if style == "iso":
            return value.isoformat()
        pattern = self.env.getattr(self.strings, "date_format")  # checked by load_strings
        return babel.dates.format_date(value, pattern, locale=self.locale)

    def _plural(self, text, n: int):
        """The form of `text` for the number `n`: text as it is, or from a mapping of the
        language's plural categories (CLDR: one, few, many, other…), as Babel says."""
        if isinstance(text, dict):
            form = text.get(self.locale.plural_form(n)) if isinstance(n, int) else None
            return form if form is not None else text.get("other", "")
        return text

    def _load_templates(self, diags: Diagnostics) -> dict[str, str] | None:
        """Load every template as it is now, for the whole build (the environment stops
        looking for changes until `Site.finish`); their digests by name, or None."""
        self.env.auto_reload = True
        errors = len(diags.errors)
        names = template_names(self.env)
        for name in names:
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                with contextlib.suppress(BuildFailed):
                    self.render(name, {}, diags)  # reports it with file and line
        if len(diags.errors) > errors:
            return None
        self.env.auto_reload = False
        return {name: self.env.loader.digests.get(name, "") for name in names}


def language_locale(language: str, pos: Pos, diags: Diagnostics) -> babel.Locale:
    """Babel's data for `language` (dates, plural rules, the language's own name); English's
    for a language it does not know, after saying so."""
    try:
        return babel.Locale.parse(language, sep="-")
    except (ValueError, babel.UnknownLocaleError):
        diags.warning(
            pos, f"no dates or plural rules known for language '{language}': English's used"
        )
        return babel.Locale("en")


class Site:
    """One build's site: the content with the theme made ready for it."""

    root: BaseUrl  # the original's address: static files, and the other languages' pages
    edition: bool = False  # a translation, under /<language>/
    extra_files: dict[str, bytes]  # the translations' files, for the hosting files

    def __init__(
        self,
        renderer: Renderer,
        content: Content,
        base: BaseUrl,
        strings: Strings,
        assets: dict[str, tuple[str, bytes]],
        share: share_image.ShareImage,
        templates: dict[str, str],
    ) -> None:
        self.renderer, self.env, self.md = renderer, renderer.env, renderer.md
        self.content, self.base, self.strings = content, base, strings
        self.assets, self.share, self.templates = assets, share, templates
        self.bodies: dict[str, Body] = {}
        self._by_path: dict[str, Page] = {}
        self.root, self.extra_files = base, {}
        self.languages = []  # (tag, the language's name in itself), the original's first
        for lang in content.site.languages:
            name = language_locale(lang, Pos(""), Diagnostics()).get_display_name(lang) or lang
            self.languages.append((lang, name[:1].upper() + name[1:]))
        # Only pages that ask for a place (nav_title) join the menu: a site with thousands
        # of pages must not repeat them all on every page.
        self.nav = [(routes.page(d.slug), d.nav_title) for d in content.pages if d.nav_title]
        self.env.globals.update(
            site=content.site,
            content=content,
            t=strings,
            url=base.url,
            abs_url=base.abs_url,
            link=base.link,
            has_origin=base.has_origin,
            asset=lambda name: self.root.url(routes.static(assets[name][0])),
            alternates=self.alternates,
            original_language=content.site.languages[0],
            share_image=share,
            inline=lambda text: Markup(self.md.renderInline(text, {"link": base.link})),
            nav_pages=lambda: self.nav,
            markdown=jinja2.pass_context(lambda context, doc: self._markdown(context, doc)),
            prose=jinja2.pass_context(lambda context, prose: self._prose(context, prose)),
        )

    @property
    def settings(self) -> list:
        """What every page may show besides the model: base URL, static files, menu."""
        files = sorted(name for name, _ in self.assets.values())
        return [self.base.path, self.base.public, self.root.path, files, self.nav, self.languages]

    def alternates(self, path: str) -> list[dict]:
        """The page at `path` in every language of the site, the original first: its
        language, the language's name in itself, its URL and absolute URL, and whether it
        is this page."""
        here = self.content.site.language
        found = []
        for i, (lang, name) in enumerate(self.languages):
            base = self.root.under(routes.language(lang)) if i else self.root
            found.append(
                {
                    "lang": lang,
                    "name": name,
                    "url": base.url(path),
                    "abs_url": base.abs_url(path),
                    "current": lang == here,
                }
            )
        return found

    @property
    def observed(self) -> dict[str, object]:
        """Objects templates read besides the model, by the name dependency records use."""
        return {"strings": self.strings, "share_image": self.share}

    def plan(self, bodies: dict[str, Body]) -> list[Page]:
        """Every page of the site, once the content is resolved (`bodies` by file)."""
        self.bodies = bodies
        site_pages = plan(self.content)
        for page in site_pages:
            actor = page.context.get("actor")
            data = structured_data(page.path, actor, self.content, self.base, self.share)
            if page.path == routes.HOME and data:
                link_translations(data[0], self.alternates(routes.HOME))
            page.context["structured_data"] = data
        self._by_path = {page.path: page for page in site_pages}
        return site_pages

    @property
    def page_count(self) -> int:
        return len(self._by_path)

    def page(self, path: str) -> Page:
        """A page of the last `plan` by its path."""
        return self._by_path[path]

    def render_page(self, page: Page, diags: Diagnostics) -> bytes:
        context = {
            **page.context,
            "page_path": page.path,
            "cites": Citations(self.env.getattr),
            "dated": DateNotes(),
        }
        data = self.renderer.render(page.template, context, diags)
        doc = page.context.get("doc")
        if doc is not None:  # its tokens are needed nowhere else: free them now
            self.bodies[doc.pos.file].tokens = None
        return data

    def other_files(self, site_pages: list[Page], output: dict, diags: Diagnostics) -> dict:
        """Static files, the share card, the open data and the hosting files (a
        translation's: its share card and open data; the original's pages list it)."""
        files = {} if self.edition else {routes.static(n): d for n, d in self.assets.values()}
        files[self.share.route] = self.share.data
        data = opendata.open_data(self.content, self.base, self.md)
        if len(self.languages) > 1:  # where the same data is in each language
            data["site"]["languages"] = {
                alt["lang"]: alt["abs_url"] for alt in self.alternates(routes.OPEN_DATA)
            }
        files[routes.OPEN_DATA] = opendata.to_bytes(data)
        render = lambda name, context: self.renderer.render(name, context, diags)  # noqa: E731
        embeds = self._embed_files(site_pages, render)
        if self.edition:  # its embeds' oEmbed files; the host script is the original's
            return files | {k: v for k, v in embeds.items() if k != routes.EMBED_SCRIPT}
        files.update(embeds)
        files.update(self.extra_files)
        translated = [lang for lang, _ in self.languages[1:]]
        files.update(hosting_files(render, site_pages, {**output, **files}, self.base, translated))
        return files

    def _embed_files(self, site_pages: list[Page], render) -> dict[str, bytes]:
        """Each embed's oEmbed file, and the host pages' resize script under a name that
        never changes. oEmbed consumers need absolute URLs: without an origin, no oEmbed."""
        embeds = [page for page in site_pages if page.embed]
        files = {}
        if embeds and "embed.js" in self.assets:
            files[routes.EMBED_SCRIPT] = self.assets["embed.js"][1]
        if self.base.has_origin:
            for page in embeds:
                context = {"embed_path": page.path, **page.context}
                files[routes.oembed(page.path)] = render("oembed.json", context)
        return files

    def finish(self) -> None:
        """The build is over: the environment looks for changed templates again."""
        self.env.auto_reload = True

    def _markdown(self, context, doc: Document) -> Markup:
        """A document's body, with its annotations and quote embeds rendered by macros."""
        self.env.getattr(doc, "body")  # noted: this page shows the body
        body = self.bodies[doc.pos.file]
        tokens = resolve.tokens(doc, body, self.content, self.md)
        env, macros = self._inline_env(context)
        cites = context["cites"]
        section = doc in self.content.sections  # its heading ids are the section's own
        env.update(
            quote=lambda quote: str(macros.quote(quote)),
            glossary=lambda: str(macros.glossary()),
            dates=lambda: str(macros.all_dates()),
            heading_id=lambda id: cites.anchor(f"{doc.slug}-{id}" if section else id),
        )
        return Markup(self.md.renderer.render(tokens, self.md.options, env))

    def _prose(self, context, prose: Prose | None) -> Markup:
        """A YAML field of inline Markdown, with its claims' chips and its dates' marks."""
        if prose is None:
            return Markup("")
        tokens = resolve.prose_tokens(prose, self.content, self.md)
        env, _ = self._inline_env(context)
        return Markup(self.md.renderer.render(tokens, self.md.options, env))

    def _inline_env(self, context) -> tuple[dict, object]:
        """What the Markdown renderer calls for annotations and dates: the theme's macros."""
        macros = self.env.get_template("_macros.html").make_module(context.get_all())
        env = {
            "link": self.base.link,
            "annotate": lambda claim, part: str(
                macros.claim_open(claim) if part == "open" else macros.claim_close(claim)
            ),
            "date": lambda when, part: str(
                macros.date_open(when) if part == "open" else macros.date_close(when)
            ),
        }
        return env, macros
