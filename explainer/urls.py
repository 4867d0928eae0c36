"""Routes to URLs under the base URL: the one place the base URL is applied.

A site is served under a path prefix (`/explainers/minerals/`) and, for production,
at a known origin (`https://news.example`). Links between pages only need the
path; canonical links, Open Graph, the sitemap and JSON-LD need absolute URLs,
which exist only when an origin is known. `url` in site.yaml gives both; a
`--base-url` given for one build overrides it (an absolute one entirely, a path
alone only the path: absolute URLs then still point at `url`, the production address).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class BaseUrl:
    path: str  # always starts and ends with '/': '/explainers/minerals/'
    public: str | None  # 'https://news.example/explainers/minerals/', when an origin is known

    @classmethod
    def make(cls, base_url: str, production_url: str | None = None) -> BaseUrl:
        """`base_url` places links; an origin comes from it or else from `production_url`."""
        path, origin = split_base_url(base_url)
        public = origin + path if origin else None
        if public is None and production_url:
            prod_path, prod_origin = split_base_url(production_url)
            public = prod_origin + prod_path if prod_origin else None
        return cls(path, public)

    def under(self, prefix: str) -> BaseUrl:
        """The address of a part of the site, such as a translation under 'uk/'."""
        return BaseUrl(self.path + prefix, self.public + prefix if self.public else None)

    @property
    def has_origin(self) -> bool:
        return self.public is not None

    def url(self, route: str = "") -> str:
        """A root-relative URL ('/explainers/minerals/quotes/'): works from any page depth."""
        return self.path + route

    def abs_url(self, route: str = "") -> str:
        """An absolute URL when an origin is known, else the root-relative one."""
        return (self.public or self.path) + route

    def link(self, href: str) -> str:
        """An author-written link: root-relative ones ('/about/') move under the base path."""
        if href.startswith("/") and not href.startswith("//"):
            return self.path + href[1:]
        return href

    def abs_link(self, href: str) -> str:
        """An author-written link for data read off the page (JSON-LD): relative ones are taken
        from the explainer's home and made absolute when an origin is known."""
        if urlsplit(href).scheme or href.startswith("//"):
            return href
        return self.abs_url(href[1:] if href.startswith("/") else href)


def split_base_url(base_url: str) -> tuple[str, str]:
    """'https://x.org/m/' -> ('/m/', 'https://x.org'); '/m' -> ('/m/', '')."""
    parts = urlsplit(base_url)
    path = parts.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    if not path.endswith("/"):
        path += "/"
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return path, origin


def is_safe_url(url: str) -> bool:
    """Only http(s), mailto and relative URLs reach a page.

    Browsers drop tabs and newlines inside URLs (`java\tscript:`), so any control
    character or space makes a URL unsafe rather than being stripped: every kind Unicode
    has (U+0085, U+2028, no-break and ideographic spaces), and the invisible format
    characters (U+200B, U+202E, U+FEFF) that make a URL read as another.
    """
    if not url or any(unicodedata.category(c)[0] in "CZ" or c.isspace() for c in url):
        return False
    try:
        urlsplit(url)  # "http://[x" would make every later urlsplit raise ValueError
    except ValueError:
        return False
    scheme = URL_SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES
