"""JSON Schemas of the content files, for editors: completion and errors while typing.

They are generated from the same dataclasses `schema.validate` checks against, so a
field is still declared once, in `model`. `explainer schema` writes them into the
project's `content/.schemas/`, and each YAML file names its schema in its first line:

    # yaml-language-server: $schema=.schemas/sources.schema.json

(the YAML extension of VS Code, and other editors using yaml-language-server, read it).
The schemas say what they can; `check` stays the judge: references between files,
sourcing rules and the like are beyond a schema.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from pathlib import Path

from . import model, rules, schema

FOLDER = "content/.schemas"
DRAFT = "http://json-schema.org/draft-07/schema#"
# Each content file: its dataclass, and whether the file is a list of them.
FILES: dict[str, tuple[type, bool]] = {
    "site": (model.Site, False),
    "sources": (model.Source, True),
    "actors": (model.Actor, True),
    "quotes": (model.Quote, True),
    "factbox": (model.FactBox, False),
    "timeline": (model.Event, True),
    "corrections": (model.Correction, True),
    "front-matter": (model.Document, False),  # of content/sections/*.md and content/pages/*.md
}
DESCRIPTIONS = {
    "site": "content/site.yaml: the explainer's settings and front page",
    "sources": "content/sources.yaml: how each fact is known",
    "actors": "content/actors.yaml: the people in the story",
    "quotes": "content/quotes.yaml: direct quotes, word for word",
    "factbox": "content/factbox.yaml: the fact box",
    "timeline": "content/timeline.yaml: key dates",
    "corrections": "content/corrections.yaml: the updates and corrections log",
    "front-matter": "The front matter of a section or page (content/sections, content/pages)",
}
NOT_EMPTY = r"\S"  # `check` refuses text that is empty or only spaces
# `urls.is_safe_url`: no spaces or control characters; a scheme only if http(s) or mailto.
SAFE_URL = (
    r"^(?:(?![a-zA-Z][a-zA-Z0-9+.-]*:)|[hH][tT][tT][pP][sS]?:|[mM][aA][iI][lL][tT][oO]:)"
    r"[^\s\x00-\x1f\x7f]+$"
)
# JSON Schema patterns are ECMAScript regexes: the same as `schema`'s, without \A and \Z.
PATTERNS = {
    "id": r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$",
    "language": r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*$",
}
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "YYYY-MM-DD"}


def file_name(name: str) -> str:
    return f"{name}.schema.json"


def modeline(name: str) -> str:
    """The first line a content file gives to name its schema (relative to content/)."""
    return f"# yaml-language-server: $schema=.schemas/{file_name(name)}"


def all_schemas(strings: dict | None = None) -> dict[str, dict]:
    """Every content file's schema, by file name. `strings`: the theme's interface strings,
    which `strings:` in site.yaml may override (default: the built-in English ones)."""
    return {file_name(name): file_schema(name, strings) for name in FILES}


def file_schema(name: str, strings: dict | None = None) -> dict:
    cls, is_list = FILES[name]
    item = _object(cls, strings)
    body = {"type": "array", "items": item} if is_list else item
    return {"$schema": DRAFT, "title": DESCRIPTIONS[name], **body}


def write_schemas(root: Path, strings: dict | None = None) -> list[Path]:
    """Write every schema into root/content/.schemas/; returns the files written."""
    folder = root / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in all_schemas(strings).items():
        path = folder / name
        path.write_text(render(data), encoding="utf-8")
        written.append(path)
    return written


def render(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _object(cls, strings: dict | None) -> dict:
    hints = typing.get_type_hints(cls, vars(model))
    properties, required = {}, []
    for f in dataclasses.fields(cls):
        if not f.init or f.name in ("pos", "field_pos"):
            continue
        properties[f.name] = _field(cls, f.name, hints[f.name], strings)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    data = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        data["required"] = required
    return data


def _field(cls, name: str, hint, strings: dict | None) -> dict:
    if name == "suppress":
        return _rule_map({"type": "string", "pattern": NOT_EMPTY}, "why the rule does not apply")
    if cls is model.Site and name == "rules":
        # YAML 1.1 (which PyYAML reads) takes a bare `off` for false and `on` for true
        return _rule_map(
            {"enum": ["error", "warning", "off", True, False]}, "error, warning or off"
        )
    if cls is model.Site and name == "strings":
        return _strings(strings)
    return _type(cls, name, hint, strings)


def _type(cls, name: str, hint, strings: dict | None) -> dict:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in args if a is not type(None)]
        return {"anyOf": [_type(cls, name, inner, strings), {"type": "null"}]}
    if origin is list:
        array = {"type": "array", "items": _type(cls, name, args[0], strings)}
        if args[0] is str:  # `sources: ft-report` is a list of one
            return {"anyOf": [array, array["items"]]}
        return array
    if origin is dict:
        return {"type": "object", "additionalProperties": _type(cls, name, args[1], strings)}
    if dataclasses.is_dataclass(hint):
        return _object(hint, strings)
    if hint is dt.date:
        return dict(DATE)
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer", "minimum": 1} if name == "count" else {"type": "integer"}
    if hint is str:
        if (cls, name) in schema.CHOICES:
            return {"enum": list(schema.CHOICES[cls, name])}
        if name in PATTERNS:
            return {"type": "string", "pattern": PATTERNS[name]}
        if cls is model.Site and name == "url":
            return {"type": "string", "pattern": r"^https?://[^/?#\s]+[^?#\s]*$"}
        if name in ("url", "base_url") or name.startswith("policies"):
            return {"type": "string", "pattern": SAFE_URL}
        return {"type": "string", "pattern": NOT_EMPTY}
    return {}


def _rule_map(value: dict, what: str) -> dict:
    return {
        "type": "object",
        "propertyNames": {"enum": list(rules.RULES)},
        "additionalProperties": value,
        "description": f"rule id: {what}",
    }


def _strings(strings: dict | None) -> dict:
    """`strings:` in site.yaml: the theme's string names, each with the shape of its value."""
    if strings is None:
        strings = builtin_strings()

    def shape(value) -> dict:
        if isinstance(value, dict):
            return {
                "type": "object",
                "properties": {k: shape(v) for k, v in value.items()},
                "additionalProperties": False,
            }
        if isinstance(value, list):
            return {
                "type": "array",
                "items": {"type": "string"},
                "minItems": len(value),
                "maxItems": len(value),
            }
        return {"type": "string", "description": f"default: {value}"}

    return {
        "type": "object",
        "properties": {k: shape(v) for k, v in strings.items()},
        "additionalProperties": False,
        "description": "this story's own wording for the theme's interface strings",
    }


def builtin_strings(language: str = "en") -> dict:
    """The built-in theme's strings (read as content is: a theme is data)."""
    from ..diagnostics import Diagnostics
    from .yamlpos import parse_yaml

    path = Path(__file__).resolve().parent.parent / "theme" / "strings" / f"{language}.yaml"
    if not path.is_file():
        path = path.with_name("en.yaml")
    doc = parse_yaml(path.read_text(encoding="utf-8"), path.name, Diagnostics())
    return doc.data if isinstance(doc.data, dict) else {}
