"""Starting a project: `new` writes a small, valid example explainer; `theme` copies the
built-in theme out to edit; `schema` writes the content files' JSON Schemas for editors.

The example lives in the package as plain files (`explainer/scaffold/`), so it is read
and edited as what it is: an explainer's content, checked by the tests like any other.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .content import schemas
from .content.files import read_text
from .content.schema import LANGUAGE_TAG
from .content.yamlpos import parse_yaml
from .diagnostics import Diagnostics
from .site.theme import BUILTIN, Theme, load_strings

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"
# Package data cannot hold dot files reliably: these are renamed on the way out.
RENAMED = {"gitignore": ".gitignore"}


class UsageError(Exception):
    """A command asked for something it cannot do (exit status 2); the message says why."""


def new_project(target: Path, with_theme: bool = False) -> list[Path]:
    """Write the example explainer into `target`, which must be new or empty."""
    _must_be_empty(target, "a new explainer")
    written = []
    for path in _files(SCAFFOLD):
        rel = path.relative_to(SCAFFOLD).as_posix()
        dest = target / RENAMED.get(rel, rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
        written.append(dest)
    if with_theme:
        written += copy_theme(target / "templates")
    written += write_schemas(target)  # after the theme: `strings:` follows the project's
    return written


def copy_theme(target: Path, names: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """Copy the built-in theme into `target`: every file into a new or empty folder, or
    just the files named (`static/style.css`), never over a file that exists."""
    available = [p.relative_to(BUILTIN).as_posix() for p in _files(BUILTIN)]
    if not names:
        _must_be_empty(target, "the theme")
        names = available
    diags = Diagnostics()
    for name in names:
        if name not in available:
            hint = diags.did_you_mean(name, available)
            raise UsageError(f"the built-in theme has no file '{name}'{hint}")
        if os.path.lexists(target / name):  # a dangling link too: copying would follow it
            raise UsageError(f"{target / name} exists already; not overwriting it")
    written = []
    for name in names:
        dest = target / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BUILTIN / name, dest)
        written.append(dest)
    return written


def write_schemas(root: Path) -> list[Path]:
    """The project's schemas, with the interface strings of the theme it uses. Written
    only inside the project: a content/.schemas that links elsewhere is refused, and a
    link in a schema's place is replaced, not written through."""
    folder = root / schemas.FOLDER
    if folder.is_symlink() or not folder.parent.resolve().is_relative_to(root.resolve()):
        raise UsageError(f"{schemas.FOLDER} is a link; not writing through it")
    for name in schemas.all_schemas():
        if (folder / name).is_symlink():
            (folder / name).unlink()
    return schemas.write_schemas(root, project_strings(root))


def stale_schemas(root: Path) -> list[str]:
    """Schema files in content/.schemas/ that differ from what `schema` would write now
    (after an upgrade of explainer, or a change of the project's theme strings)."""
    folder = root / schemas.FOLDER
    if not folder.is_dir():
        return []
    stale = []
    for name, data in schemas.all_schemas(project_strings(root)).items():
        current = read_text(folder / name, root, Diagnostics())  # bounded, inside the project
        if current != schemas.render(data):
            stale.append(f"{schemas.FOLDER}/{name}")
    return stale


def project_strings(root: Path) -> dict | None:
    """The interface strings a project's `strings:` may override: its theme's, in its
    language (None, the built-in English ones, when they cannot be read)."""
    diags = Diagnostics()
    language = "en"
    text = read_text(root / "content/site.yaml", root, diags)
    site = parse_yaml(text, "content/site.yaml", diags).data if text is not None else None
    if isinstance(site, dict) and LANGUAGE_TAG.match(str(site.get("language"))):
        language = site["language"]
    strings = load_strings(Theme(root), language, diags)
    return strings if strings is not None else None


def _must_be_empty(target: Path, what: str) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} is not empty; choose a new folder for {what}")


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.relative_to(folder).parts
    )
