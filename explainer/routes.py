"""Where each generated file lives, relative to the base URL: the one place paths are made."""

import hashlib

HOME = ""
QUOTES = "quotes/"
SOURCES = "sources/"
ACTORS = "actors/"
NOT_FOUND = "404.html"

# Files for search engines, hosts and reusers; `data/` and `static/` are reserved slugs.
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
HEADERS = "_headers"  # Netlify and Cloudflare Pages read caching rules from it
OPEN_DATA = "data/explainer.json"

# The fact box alone, for other sites to frame; its oEmbed file sits beside it, and the
# host pages' resize script keeps one unhashed name, so pasted snippets never go stale.
EMBED_FACTBOX = "embed/factbox/"
EMBED_SCRIPT = "embed/embed.js"


def oembed(embed_path: str) -> str:
    """'embed/factbox/' -> 'embed/factbox/oembed.json': an embed's oEmbed response."""
    return embed_path + "oembed.json"


def language(lang: str) -> str:
    """Where a translation's pages live: 'uk/' (its routes follow, 'uk/quotes/')."""
    return f"{lang}/"


def actor(actor_id: str) -> str:
    return f"actors/{actor_id}/"


def page(slug: str) -> str:
    return f"{slug}/"


def static(name: str) -> str:
    """A file in static/: always fingerprinted, so hosts may cache it forever."""
    return f"static/{name}"


def fingerprint(name: str, data: bytes) -> str:
    """'style.css' -> 'style.1a2b3c4d5e.css': a content hash in the name, so the name changes
    whenever the file does and hosts may cache it forever."""
    stem, dot, ext = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"


def output_file(path: str) -> str:
    """The file a route is written to: 'actors/x/' -> 'actors/x/index.html'."""
    return path + "index.html" if path == "" or path.endswith("/") else path
