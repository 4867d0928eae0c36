"""Static files: published under a content hash, so hosts may cache them forever."""

from __future__ import annotations

from .. import routes
from ..build.write import unsafe_path
from ..content.files import read_bytes
from ..diagnostics import Diagnostics, Pos
from .theme import Theme

MAX_ASSET_BYTES = 20_000_000  # a static file, or a font of the share card


def collect_assets(theme: Theme, diags: Diagnostics) -> dict[str, tuple[str, bytes]]:
    """Every file of the theme's static/ folder by name: (fingerprinted name, bytes).

    Static files are read like content: nothing that leads out of the project, only
    regular files. Hidden files (`.git/config`, `.DS_Store`) are never published.
    Fingerprinted names must differ in more than case, which most hosts ignore.
    """
    assets: dict[str, tuple[str, bytes]] = {}
    published: dict[str, str] = {}  # fingerprinted name, case-folded -> its file
    for name in theme.names("static"):
        rel = f"static/{name}".rstrip("/")
        # None if the file was deleted since it was listed: reading reports it as missing.
        path, inside = theme.find(rel) or (theme.project / rel, theme.root)
        shown = theme.display(path)
        data = read_bytes(path, inside, diags, MAX_ASSET_BYTES, display=shown)
        if data is None:
            continue
        fingerprinted = routes.fingerprint(name, data)
        if problem := unsafe_path(routes.static(fingerprinted)):
            diags.error(Pos(shown), f"cannot publish this static file: {problem}; rename it")
            continue
        other = published.setdefault(fingerprinted.casefold(), shown)
        if other != shown:
            diags.error(
                Pos(shown),
                f"static file clashes with {other}: both would be published as "
                f"static/{fingerprinted} on hosts that ignore case; rename one",
            )
            continue
        assets[name] = (fingerprinted, data)
    return assets
