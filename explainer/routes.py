"""Where each generated page lives, relative to the base URL: the one place paths are made."""

HOME = ""
QUOTES = "quotes/"
SOURCES = "sources/"
ACTORS = "actors/"
NOT_FOUND = "404.html"


def actor(actor_id: str) -> str:
    return f"actors/{actor_id}/"


def page(slug: str) -> str:
    return f"{slug}/"


def output_file(path: str) -> str:
    """The file a route is written to: 'actors/x/' -> 'actors/x/index.html'."""
    return path + "index.html" if path == "" or path.endswith("/") else path
