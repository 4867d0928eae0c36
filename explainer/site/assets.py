"""Static files: published under a content hash, so hosts may cache them forever."""

from __future__ import annotations

from .. import routes
from ..diagnostics import Diagnostics, Pos
from .theme import Theme


def collect_assets(theme: Theme, diags: Diagnostics) -> dict[str, tuple[str, bytes]]:
    """Every file of the theme's static/ folder by name: (fingerprinted name, bytes).

    A link to a file outside the project is not published (it could be any file).
    """
    assets = {}
    for name in theme.names("static"):
        path, inside = theme.find(f"static/{name}")
        if not path.resolve().is_relative_to(inside.resolve()):
            diags.error(
                Pos(theme.display(path)), "file is a link to outside the project; not publishing it"
            )
            continue
        data = path.read_bytes()
        assets[name] = (routes.fingerprint(name, data), data)
    return assets
