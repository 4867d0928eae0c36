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
    unhashed = [p for p in [*output, *files] if not p.startswith(routes.static(""))]
    revalidate = sorted({r for p in unhashed for r in (p, p.removesuffix("index.html"))})
    embeds = [p.path for p in site_pages if p.embed]
    framable = [r for r in revalidate if r.startswith(tuple(embeds))]
    files[routes.HEADERS] = render("headers.txt", {"revalidate": revalidate, "framable": framable})
    return files
