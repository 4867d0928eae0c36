"""What every built page must satisfy, whatever the content: no markup from content.

Shared by the hostile-input table and the property-based tests. The checks look
at what a browser would see (parsed tags and attributes, entities decoded), so an
escape that is wrong or missing shows up as an extra tag, an event handler or a
script URL rather than as a string mismatch.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

# Tags the Markdown renderer may emit; the templates' own tags are added from a clean build.
MARKDOWN_TAGS = {"p", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "hr"}
MARKDOWN_TAGS |= {"br", "img", "span", "h1", "h2", "h3", "h4", "h5", "h6"}
MARKDOWN_TAGS |= {"table", "thead", "tbody", "tr", "th", "td"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "xlink:href"}
UNSAFE_SCHEME = re.compile(r"^(javascript|data|vbscript):", re.I)
C0_AND_SPACE = "".join(map(chr, range(0x21)))
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S | re.I)


class Page(HTMLParser):
    """Tags, attributes and text of one page, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)

    def values(self) -> str:
        """All text and attribute values, decoded, one per line."""
        attrs = [v for _, a in self.tags for v in a.values() if v]
        return "\n".join(self.text + attrs)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def browser_url(value: str) -> str:
    """A URL as a browser resolves its scheme: outer spaces and controls trimmed, tabs and
    newlines anywhere removed (so `java\\tscript:` is `javascript:`)."""
    return re.sub(r"[\t\n\r]", "", value.strip(C0_AND_SPACE))


def json_ld_blocks(html: str) -> list:
    """The decoded JSON-LD blocks of a page, after checking that none can end early."""
    blocks = []
    for raw in JSON_LD.findall(html):
        assert "</" not in raw.lower() and "<!--" not in raw, f"JSON-LD can be closed: {raw!r}"
        blocks.append(json.loads(raw))
    return blocks


def template_tags(site: Path) -> set[str]:
    """Every tag in a site built from harmless content: what the templates emit."""
    return {tag for p in site.rglob("*.html") for tag, _ in parse(p.read_text()).tags}


def problems(html: str, allowed_tags: set[str]) -> list[str]:
    """Everything content could have smuggled into a page; empty when the page is safe.

    `allowed_tags`: the templates' tags (see `template_tags`); Markdown's are added.
    """
    found = []
    page = parse(html)
    for tag, attrs in page.tags:
        if tag not in allowed_tags | MARKDOWN_TAGS:
            found.append(f"unexpected <{tag}>")
        inline = "src" not in attrs
        if tag == "script" and inline and attrs.get("type") != "application/ld+json":
            found.append(f"inline <script {attrs}>")
        if tag == "script" and not inline and "static/" not in (attrs["src"] or ""):
            found.append(f"<script> from outside the site's static files: {attrs}")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"event handler {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and value and UNSAFE_SCHEME.match(browser_url(value)):
                found.append(f"{name}={value!r} on <{tag}>")
            if name == "style":
                found.append(f"inline style on <{tag}>")
    json_ld_blocks(html)
    return found


def assert_safe_site(site: Path, allowed_tags: set[str]) -> None:
    for path in sorted(site.rglob("*.html")):
        found = problems(path.read_text(encoding="utf-8"), allowed_tags)
        assert not found, f"{path.relative_to(site)}: {found}"
