"""Stage 1, load: read content/ into plain data, remembering where every value was written.

YAML files become `YamlDoc`s (data plus positions, see `yamlpos`); Markdown files are
split into front matter and body. Nothing is checked here beyond what reading needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostics, Pos
from .files import MAX_FILE_BYTES, MAX_MARKDOWN_BYTES, _rel, _resolved, read_text
from .yamlpos import YamlDoc, parse_yaml, split_front_matter

ParseYaml = Callable[..., YamlDoc]  # (text, file, diags, line_offset=0) -> YamlDoc

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
# A translation is named like its original with the language before the extension:
# quotes.uk.yaml, 01-what-the-us-offered.uk.md (see content/translations.py).
TRANSLATION_NAME = re.compile(r"^(.+)\.([a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)$")


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
    references: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (file, text)
    # Translations beside the originals (content/translations.py reads them): by language,
    # YAML files by name ("quotes") and Markdown files by their own file name.
    translated_yaml: dict[str, dict[str, YamlDoc]] = field(default_factory=dict)
    translated_markdown: dict[str, dict[str, MarkdownFile]] = field(default_factory=dict)
    # Files named like a translation of a file that is no content file ("glossary.uk.yaml").
    stray_translations: list[str] = field(default_factory=list)


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
        if (doc := _read_yaml(path, name, root, diags, parse)) is not None:
            docs[name] = doc
    raw = RawContent(yaml=docs, sections=[], pages=[])
    raw.sections = _load_markdown_dir(content / "sections", root, diags, parse, raw)
    raw.pages = _load_markdown_dir(content / "pages", root, diags, parse, raw)
    raw.references = _load_references(content / REFERENCE_FOLDER, root, diags)
    _load_translated_yaml(content, root, diags, parse, raw)
    return raw


def translation_of(stem: str) -> tuple[str, str] | None:
    """'quotes.uk' -> ('quotes', 'uk'); None for a name with no language before its extension."""
    match = TRANSLATION_NAME.match(stem)
    return (match.group(1), match.group(2)) if match else None


def _load_translated_yaml(
    content: Path, root: Path, diags: Diagnostics, parse: ParseYaml, raw: RawContent
) -> None:
    """content/<name>.<lang>.yaml: translations of the YAML files, read like them."""
    for path in sorted(content.glob("*.yaml")):
        found = translation_of(path.stem)
        if found is None:
            continue
        name, lang = found
        if name not in YAML_FILES:
            raw.stray_translations.append(_rel(path, root))
            continue
        if (doc := _read_yaml(path, name, root, diags, parse)) is not None:
            raw.translated_yaml.setdefault(lang, {})[name] = doc


def _read_yaml(
    path: Path, name: str, root: Path, diags: Diagnostics, parse: ParseYaml
) -> YamlDoc | None:
    """One of the YAML files (`name`: "quotes"…), or a translation of it, parsed."""
    limit = MAX_MARKDOWN_BYTES if name in MARKDOWN_YAML else MAX_FILE_BYTES
    text = read_text(path, root, diags, limit)
    return None if text is None else parse(text, _rel(path, root), diags)


def _load_references(folder: Path, root: Path, diags: Diagnostics) -> dict[str, tuple[str, str]]:
    """The texts the site reports from, by the source id their file is named after."""
    if not folder.exists():
        return {}
    rel = _rel(folder, root)
    if not folder.resolve().is_relative_to(_resolved(root)) or not folder.is_dir():
        diags.error(Pos(rel), "expected a folder of reference texts inside the project")
        return {}
    texts = {}
    for path in sorted(folder.glob("*.txt")):
        file = f"{rel}/{path.name}"
        text = read_text(path, root, diags, limit=MAX_FILE_BYTES, folder_checked=True)
        if text is not None:
            texts[path.stem] = (file, text)
    return texts


def _load_markdown_dir(
    folder: Path, root: Path, diags: Diagnostics, parse: ParseYaml, raw: RawContent
) -> list[MarkdownFile]:
    """The folder's Markdown files; translations among them (`x.uk.md`) go to `raw`."""
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
            found = translation_of(path.stem)
            stem = found[0] if found else path.stem
            loaded = MarkdownFile(file, _slug_from_name(stem), front, body, body_line)
            if found:
                raw.translated_markdown.setdefault(found[1], {})[file] = loaded
            else:
                files.append(loaded)
    return files


def _slug_from_name(stem: str) -> str:
    """'02-why-kyiv' -> 'why-kyiv': a leading number only orders files."""
    return re.sub(r"^\d+[-_]", "", stem)
