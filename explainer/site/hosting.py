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

    The sitemaps protocol allows only absolute URLs, so without an origin (a
    path-only base URL and no `url` in site.yaml) there is no sitemap.
    """
    files = {}
    if base.has_origin:
        listed = [p for p in site_pages if p.path != routes.NOT_FOUND]
        files[routes.SITEMAP] = render("sitemap.xml", {"pages": listed})
    files[routes.ROBOTS] = render("robots.txt", {"sitemap": routes.SITEMAP in files})
    # Fingerprinted files: static/, and each translation's own (its share card).
    hashed = (routes.static(""), *(routes.language(lang) + routes.static("") for lang in languages))
    unhashed = [p for p in [*output, *files] if not p.startswith(hashed)]
    revalidate = sorted({r for p in unhashed for r in (p, p.removesuffix("index.html"))})
    extra = [folder for folder in hashed[1:] if any(p.startswith(folder) for p in output)]
    files[routes.HEADERS] = render("headers.txt", {"revalidate": revalidate, "hashed": extra})
    return files
