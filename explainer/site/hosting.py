"""Files for search engines and hosts: sitemap.xml, robots.txt and _headers, from templates."""

from __future__ import annotations

from collections.abc import Callable

from .. import routes
from ..urls import BaseUrl
from .pages import Page


def hosting_files(
    render: Callable[[str, dict], bytes],
    site_pages: list[Page],
    output: dict[str, bytes],
    base: BaseUrl,
    languages: list[str] = (),
) -> dict[str, bytes]:
    """sitemap.xml, robots.txt and _headers, from their templates.

    Embeds are left out of the sitemap (they repeat part of a page) and are the only
    files other sites may frame (`framable`): everything else refuses framing.

    The sitemaps protocol allows only absolute URLs, so without an origin (a
    path-only base URL and no `url` in site.yaml) there is no sitemap.
    """
    files = {}
    if base.has_origin:
        listed = [p for p in site_pages if p.path != routes.NOT_FOUND and not p.embed]
        files[routes.SITEMAP] = render("sitemap.xml", {"pages": listed})
    files[routes.ROBOTS] = render("robots.txt", {"sitemap": routes.SITEMAP in files})
    # Fingerprinted files: static/, and each translation's own (its share card).
    hashed = (routes.static(""), *(routes.language(lang) + routes.static("") for lang in languages))
    unhashed = [p for p in [*output, *files] if not p.startswith(hashed)]
    revalidate = sorted({r for p in unhashed for r in (p, p.removesuffix("index.html"))})
    # Embeds, in every language, may be framed by any site.
    folders = ("", *(routes.language(lang) for lang in languages))
    embeds = tuple(folder + p.path for p in site_pages if p.embed for folder in folders)
    framable = [r for r in revalidate if embeds and r.startswith(embeds)]
    extra = [folder for folder in hashed[1:] if any(p.startswith(folder) for p in output)]
    context = {"revalidate": revalidate, "hashed": extra, "framable": framable}
    files[routes.HEADERS] = render("headers.txt", context)
    return files
