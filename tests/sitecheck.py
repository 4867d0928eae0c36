"""Reading built pages the way crawlers and link previews do: head metadata, JSON-LD, URLs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from helpers import run_cli

# Where a page refers to other files: (tag, attribute). `meta content` counts for share images.
URL_ATTRS = {"href", "src", "srcset", "poster", "data"}
URL_METAS = {"og:image", "og:url", "twitter:image", "og:image:url", "og:image:secure_url"}


@dataclass
class PageInfo:
    lang: str | None = None
    title: str = ""
    metas: dict[str, list[str]] = field(default_factory=dict)  # name or property -> contents
    links: list[dict[str, str]] = field(default_factory=list)  # every <link>'s attributes
    urls: list[str] = field(default_factory=list)  # every URL the page refers to
    jsonld: list[str] = field(default_factory=list)  # raw text of each JSON-LD block
    inline_scripts: int = 0  # <script> elements without src, JSON-LD included

    def meta(self, key: str) -> str | None:
        values = self.metas.get(key, [])
        assert len(values) <= 1, f"{key} appears {len(values)} times"
        return values[0] if values else None

    def link(self, rel: str) -> str | None:
        hrefs = [a["href"] for a in self.links if rel in a.get("rel", "").split()]
        assert len(hrefs) <= 1, f"rel={rel} appears {len(hrefs)} times"
        return hrefs[0] if hrefs else None

    def structured(self) -> list[dict]:
        return [json.loads(block) for block in self.jsonld]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.info = PageInfo()
        self._in: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.info.lang = a.get("lang")
        elif tag == "title":
            self._in, self._text = "title", []
        elif tag == "script":
            self.info.inline_scripts += "src" not in a
            if a.get("type") == "application/ld+json":
                self._in, self._text = "jsonld", []
        elif tag == "meta":
            key = a.get("property") or a.get("name")
            if key:
                self.info.metas.setdefault(key, []).append(a.get("content", ""))
                if key in URL_METAS:
                    self.info.urls.append(a.get("content", ""))
        elif tag == "link":
            self.info.links.append(a)
        for name in URL_ATTRS & a.keys():
            if name == "srcset":
                self.info.urls += [part.split()[0] for part in a[name].split(",") if part.strip()]
            elif name != "data" or tag == "object":
                self.info.urls.append(a[name])

    def handle_data(self, data):
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "title" and self._in == "title":
            self.info.title = "".join(self._text)
            self._in = None
        elif tag == "script" and self._in == "jsonld":
            self.info.jsonld.append("".join(self._text))
            self._in = None


def parse_page(html: str) -> PageInfo:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.info


def build(root: Path, *args: str) -> Path:
    result = run_cli(root, "build", *args)
    assert result.code == 0, result.err
    return root / "site"


EMBEDS = ("embed/factbox/",)  # pages for other sites to frame: no navigation, not indexed


def html_pages(site: Path) -> dict[str, Path]:
    """Every built page by its route: '' for the home page, 'actors/x/', '404.html'."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        pages[rel.removesuffix("index.html")] = path
    return pages


def replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
