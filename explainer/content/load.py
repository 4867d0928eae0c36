"""Stage 1, load: read content/ into plain data, remembering where every value was written.

YAML files become `YamlDoc`s (data plus positions, see `yamlpos`); Markdown files are
split into front matter and body. Nothing is checked here beyond what reading needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostics, Pos
from .files import MAX_FILE_BYTES, MAX_MARKDOWN_BYTES, _rel, digest, read_text
from .yamlpos import FRONT_MATTER, YamlDoc, parse_yaml, split_front_matter

YAML_FILES = (
    "site",
    "dates",
    "sources",
    "actors",
    "quotes",
    "factbox",
    "timeline",
    "corrections",
)
OPTIONAL_YAML = {"dates", "factbox", "timeline", "quotes", "corrections"}
REFERENCE_FOLDER = "reference"  # content/reference/<source-id>.txt: never published
MARKDOWN_YAML = {"factbox"}  # its values are inline Markdown: the Markdown limit applies


@dataclass
class MarkdownFile:
    file: str
    slug: str
    front: YamlDoc
    body: str
    body_line: int
    digest: str = ""  # of the text as read: what the build cache knows this file by
    front_digest: str = ""  # of its front matter alone


@dataclass
class RawContent:
    yaml: dict[str, YamlDoc]
    sections: list[MarkdownFile]
    pages: list[MarkdownFile]
    digests: dict[str, str] = field(default_factory=dict)  # YAML file -> digest of its text
    references: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (file, text)


def load(root: Path, diags: Diagnostics, memo: dict | None = None, known=None) -> RawContent:
    """Read every content file under root/content; problems become diagnostics.

    The dev server passes what its last build learnt, so a rebuild after one edit parses
    one file: `memo` (from `remember`) holds the clean YAML files by their text, and
    `known` the front matter, by digest, whose document `validate` already has.
    """
    content = root / "content"
    docs: dict[str, YamlDoc] = {}
    digests: dict[str, str] = {}
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
            digests[rel] = digest(text)
            remembered = memo.get(("yaml", rel, digests[rel])) if memo is not None else None
            docs[name] = remembered or parse_yaml(text, rel, diags)
    return RawContent(
        yaml=docs,
        sections=_load_markdown_dir(content / "sections", root, diags, known),
        pages=_load_markdown_dir(content / "pages", root, diags, known),
        digests=digests,
        references=_load_references(content / REFERENCE_FOLDER, root, diags),
    )


def _load_references(folder: Path, root: Path, diags: Diagnostics) -> dict[str, tuple[str, str]]:
    """The texts the site reports from, by the source id their file is named after."""
    if not folder.exists():
        return {}
    rel = _rel(folder, root)
    if not folder.resolve().is_relative_to(root.resolve()) or not folder.is_dir():
        diags.error(Pos(rel), "expected a folder of reference texts inside the project")
        return {}
    texts = {}
    for path in sorted(folder.glob("*.txt")):
        file = f"{rel}/{path.name}"
        text = read_text(path, root, diags, limit=MAX_FILE_BYTES, folder_checked=True)
        if text is not None:
            texts[path.stem] = (file, text)
    return texts


def remember(raw: RawContent) -> dict:
    """The memo `load` takes: the clean YAML files of this load, by digest. (YamlDocs
    are only ever read after loading, so the next build may share them.)"""
    return {
        ("yaml", doc.file, raw.digests[doc.file]): doc
        for doc in raw.yaml.values()
        if not doc.broken and doc.file in raw.digests
    }


def _load_markdown_dir(
    folder: Path, root: Path, diags: Diagnostics, known=None
) -> list[MarkdownFile]:
    if not folder.exists():
        return []
    rel = _rel(folder, root)
    if not folder.resolve().is_relative_to(root.resolve()):
        diags.error(Pos(rel), "folder is a link to outside the project; refusing to read it")
        return []
    if not folder.is_dir():
        diags.error(Pos(rel), "expected a folder of Markdown files, found a file")
        return []
    files, folder_rel = [], _rel(folder, root)
    for path in sorted(folder.glob("*.md")):
        rel = f"{folder_rel}/{path.name}"
        text = read_text(path, root, diags, limit=MAX_MARKDOWN_BYTES, folder_checked=True)
        if text is None:
            continue
        match = FRONT_MATTER.match(text)
        front_digest = digest(rel, text[: match.end()]) if match else ""
        if known is not None and front_digest in known:  # `validate` has its fields
            body_line = text.count("\n", 0, match.end()) + 1
            front, body = YamlDoc(rel), text[match.end() :]
        else:
            front, body, body_line = split_front_matter(text, rel, diags)
        slug = _slug_from_name(path.stem)
        files.append(
            MarkdownFile(rel, slug, front, body, body_line, digest(rel, text), front_digest)
        )
    return files


def _slug_from_name(stem: str) -> str:
    """'02-why-kyiv' -> 'why-kyiv': a leading number only orders files."""
    return re.sub(r"^\d+[-_]", "", stem)
