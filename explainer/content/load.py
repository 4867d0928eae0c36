"""Stage 1, load: read content/ into plain data, remembering where every value was written.

YAML files become `YamlDoc`s (data plus positions, see `yamlpos`); Markdown files are
split into front matter and body. Nothing is checked here beyond what reading needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostics, Pos
from .files import MAX_FILE_BYTES, MAX_MARKDOWN_BYTES, _rel, _resolved, read_text
from .yamlpos import YamlDoc, parse_yaml, split_front_matter

ParseYaml = Callable[..., YamlDoc]  # (text, file, diags, line_offset=0) -> YamlDoc

YAML_FILES = ("site", "sources", "actors", "quotes", "factbox", "timeline", "corrections")
OPTIONAL_YAML = {"factbox", "timeline", "quotes", "corrections"}
MARKDOWN_YAML = {"factbox"}  # its values are inline Markdown: the Markdown limit applies


@dataclass
class MarkdownFile:
    file: str
    slug: str
    front: YamlDoc
    body: str
    body_line: int


@dataclass
class RawContent:
    yaml: dict[str, YamlDoc]
    sections: list[MarkdownFile]
    pages: list[MarkdownFile]


def load(root: Path, diags: Diagnostics, parse: ParseYaml = parse_yaml) -> RawContent:
    """Read every content file under root/content; problems become diagnostics.

    Every YAML text, front matter included, is parsed by `parse` (the dev server gives
    one that remembers its last results, so a rebuild parses only what changed).
    """
    content = root / "content"
    docs: dict[str, YamlDoc] = {}
    for name in YAML_FILES:
        path = content / f"{name}.yaml"
        rel = _rel(path, root)
        if not path.exists():
            if name not in OPTIONAL_YAML:
                diags.error(Pos(rel), f"missing file: create {rel}")
            continue
        limit = MAX_MARKDOWN_BYTES if name in MARKDOWN_YAML else MAX_FILE_BYTES
        text = read_text(path, root, diags, limit)
        if text is not None:
            docs[name] = parse(text, rel, diags)
    return RawContent(
        yaml=docs,
        sections=_load_markdown_dir(content / "sections", root, diags, parse),
        pages=_load_markdown_dir(content / "pages", root, diags, parse),
    )


def _load_markdown_dir(
    folder: Path, root: Path, diags: Diagnostics, parse: ParseYaml
) -> list[MarkdownFile]:
    if not folder.exists():
        return []
    rel = _rel(folder, root)
    if not folder.resolve().is_relative_to(_resolved(root)):
        diags.error(Pos(rel), "folder is a link to outside the project; refusing to read it")
        return []
    if not folder.is_dir():
        diags.error(Pos(rel), "expected a folder of Markdown files, found a file")
        return []
    files = []
    for path in sorted(folder.glob("*.md")):
        file = f"{rel}/{path.name}"
        text = read_text(path, root, diags, limit=MAX_MARKDOWN_BYTES, folder_checked=True)
        if text is not None:
            front, body, body_line = split_front_matter(text, file, diags, parse)
            files.append(MarkdownFile(file, _slug_from_name(path.stem), front, body, body_line))
    return files


def _slug_from_name(stem: str) -> str:
    """'02-why-kyiv' -> 'why-kyiv': a leading number only orders files."""
    return re.sub(r"^\d+[-_]", "", stem)
