"""Stage 2, validate: check loaded data against the model's dataclasses and build the model.

The dataclasses in `model` are the schema: their fields give names, types,
required-ness and defaults. Every problem becomes a diagnostic at the value's
file:line:col; an item with errors is dropped so later stages see only sound data.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import re
import types
import typing

from ..diagnostics import Diagnostics, Pos
from ..urls import is_safe_url, split_base_url
from . import model
from .load import RawContent
from .model import Content, Document
from .yamlpos import YamlDoc

ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")  # \Z: "$" allows a "\n"
# Ids and slugs become folder names; Windows reserves these device names.
DEVICE_NAMES = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])\Z")
ABSOLUTE = re.compile(r"^https?://[^/?#]+")  # an origin: scheme and host
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*\Z")
# Control characters (tab and newline aside) and lone surrogates cannot be written to a page.
UNWRITABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
CHOICES = {
    (model.Source, "kind"): model.SOURCE_KINDS,
    (model.Correction, "kind"): model.CORRECTION_KINDS,
    (model.DateEntry, "basis"): model.DATE_BASES,
}
# Paths that generated pages own; a free-standing page may not take them.
RESERVED_SLUGS = {"actors", "quotes", "sources", "static", "data", "404", "index"}

TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    dt.date: "a date (YYYY-MM-DD)",
}


def validate(raw: RawContent, diags: Diagnostics, drafts: bool = False) -> Content | None:
    """Build the model from loaded content; None when the site settings themselves are unusable."""
    site_doc = raw.yaml.get("site")
    if site_doc is None or site_doc.broken:
        return None
    site = build_item(model.Site, site_doc.data, site_doc, (), diags)
    if site is None:
        return None
    _check_address(site, diags)
    _check_languages(site, site_doc, diags)
    content = Content(site=site, references=raw.references)
    content.yaml_texts = {doc.file: doc.text for doc in raw.yaml.values()}
    broken = content.broken_ids
    for name, cls in (
        ("dates", model.DateEntry),
        ("sources", model.Source),
        ("actors", model.Actor),
        ("quotes", model.Quote),
    ):
        items = _build_list(cls, raw.yaml.get(name), diags, broken=broken)
        setattr(content, name, items)
        if items is None or (name in raw.yaml and raw.yaml[name].broken):
            content.broken_files.add(name)  # its ids are unknown: do not report each use
            setattr(content, name, [])
    content.dates = _check_dates(content.dates, diags, broken)
    content.timeline = _build_list(model.Event, raw.yaml.get("timeline"), diags, False) or []
    content.corrections = (
        _build_list(model.Correction, raw.yaml.get("corrections"), diags, has_id=False) or []
    )
    if (doc := raw.yaml.get("factbox")) and not doc.broken:
        content.factbox = build_item(model.FactBox, doc.data, doc, (), diags)
    content.sections = _build_documents(raw.sections, diags, drafts)
    content.pages = _build_documents(raw.pages, diags, drafts)
    _check_slugs(content.sections, diags, reserved=set())
    _check_slugs(content.pages, diags, reserved=RESERVED_SLUGS)
    content.sections.sort(key=lambda d: (d.order, d.slug))
    content.pages.sort(key=lambda d: (d.order, d.slug))
    for ref, (file, _) in raw.references.items():
        if ref not in content.sources_by_id and not content.is_broken("sources", ref):
            diags.error(
                Pos(file),
                f"reference text '{ref}' is not named after a source in sources.yaml"
                + diags.did_you_mean(ref, content.sources_by_id),
            )
    return content


def _check_languages(site: model.Site, doc: YamlDoc, diags: Diagnostics) -> None:
    """`languages: [en, uk]`: the original's language first, each once; it sets `language`."""
    if not site.languages:
        site.languages = [site.language]
        return
    seen = set()
    for i, lang in enumerate(site.languages):
        pos = doc.pos(("languages", i))
        if not LANGUAGE_TAG.match(lang):
            diags.error(pos, f"language '{lang}' must be a language tag such as 'en' or 'pt-BR'")
        elif lang in seen:
            diags.error(pos, f"language '{lang}' is listed twice")
        seen.add(lang)
    if isinstance(doc.data, dict) and "language" in doc.data and site.language != site.languages[0]:
        diags.error(
            site.at("language"),
            f"language '{site.language}' is not the first of languages: "
            f"{', '.join(site.languages)} (the first is the original's); remove language:",
        )
    site.language = site.languages[0]


def _check_address(site: model.Site, diags: Diagnostics) -> None:
    """One address, set once: `url:` gives the path and the origin. `base_url:` (which set
    the path before) still works, but a second place to say it is a place to disagree."""
    publisher = site.publisher.url
    if publisher and not ABSOLUTE.match(publisher):
        diags.error(
            site.publisher.at("url"),
            f"publisher url '{publisher}' must be the newsroom's own full address, like "
            "https://news.example/ (a relative URL would point into this explainer)",
        )
    if site.base_url is None:
        return
    pos = site.at("base_url")
    if site.url is None:
        diags.warning(
            pos,
            "base_url: is replaced by url:, the explainer's full address (like "
            "https://news.example/explainers/budget/), which sets the path too; "
            "remove base_url: and set url:, or pass --base-url for a preview",
        )
        return
    (path, origin), (url_path, url_origin) = split_base_url(site.base_url), split_base_url(site.url)
    if path != url_path or (origin and origin != url_origin):
        diags.error(
            pos,
            f"base_url '{site.base_url}' and url '{site.url}' give different addresses; "
            "remove base_url: (url: sets the path too; --base-url overrides it for a preview)",
        )
    else:
        diags.warning(pos, "base_url: is not needed: url: sets the path too; remove base_url:")


def build_item(cls, data, doc: YamlDoc, path: tuple, diags: Diagnostics):
    """One dataclass instance from a YAML mapping, or None after reporting why not."""
    pos = doc.pos(path)
    if not isinstance(data, dict):
        hint = ""
        if isinstance(data, list) and data and all(isinstance(d, dict) for d in data):
            hint = " (remove the '- ' in front of the fields)"
        diags.error(pos, f"expected a mapping of {_fields_hint(cls)}, got {describe(data)}{hint}")
        return None
    hints = _hints(cls)
    fields = {
        f.name: f for f in dataclasses.fields(cls) if f.init and f.name not in ("pos", "field_pos")
    }
    ok = True
    values = {}
    for key, value in data.items():
        if key not in fields:
            diags.error(
                doc.pos(path + (key,)),
                f"unknown field '{key}' in {_kind(cls)}{diags.did_you_mean(key, fields)}",
            )
            ok = False
            continue
        converted = _convert(hints[key], value, doc, path + (key,), diags, cls, key)
        if converted is _INVALID:
            ok = False
        else:
            values[key] = converted
    for name, f in fields.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if required and values.get(name) is None and name in data and ok:
            diags.error(doc.pos(path + (name,)), f"field '{name}' must not be empty")
            ok = False
        elif required and name not in data:
            diags.error(pos, f"{_kind(cls)} is missing required field '{name}'")
            ok = False
    if not ok:
        return None
    field_pos = {k: doc.pos(path + (k,)) for k in data}
    for k, v in values.items():  # list items and mapping keys get their own: "sources.1"
        if isinstance(v, list):
            field_pos.update({f"{k}.{i}": doc.pos(path + (k, i)) for i in range(len(v))})
        elif isinstance(v, dict):
            field_pos.update({f"{k}.{key}": doc.pos(path + (k, key)) for key in v})
    return cls(**values, pos=pos, field_pos=field_pos)


_INVALID = object()


@functools.cache
def _hints(cls) -> dict:
    """The fields' types; asking typing each time was a third of validating a large site."""
    return typing.get_type_hints(cls, vars(model))


def _convert(hint, value, doc: YamlDoc, path: tuple, diags: Diagnostics, cls, name):
    """Check `value` against a type hint; returns the converted value or _INVALID."""
    pos = doc.pos(path)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (hint,) = [a for a in args if a is not type(None)]
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is model.When:
        return _convert_when(value, pos, diags, name)
    if origin is dict:
        if not isinstance(value, dict):
            diags.error(
                pos, f"field '{name}' must be a mapping (key: value), got {describe(value)}"
            )
            return _INVALID
        items = {
            str(k): _convert(args[1], v, doc, path + (k,), diags, cls, f"{name}.{k}")
            for k, v in value.items()
        }
        return _INVALID if _INVALID in items.values() else items
    if origin is list:
        if isinstance(value, str) and args[0] is str:
            value = [value]  # `sources: ft-report` means a list of one
        if not isinstance(value, list):
            diags.error(pos, f"field '{name}' must be a list, got {describe(value)}")
            return _INVALID
        items = [
            _convert(args[0], v, doc, path + (i,), diags, cls, name) for i, v in enumerate(value)
        ]
        return _INVALID if _INVALID in items else items
    if hint is typing.Any:  # checked by the stage that knows its shape (`site.strings`)
        return value
    if dataclasses.is_dataclass(hint):
        item = build_item(hint, value, doc, path, diags)
        return _INVALID if item is None else item
    if hint is dt.date and isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = dt.date.fromisoformat(value)
    if hint is dt.date and isinstance(value, dt.datetime):
        value = value.date()
    if hint is str and isinstance(value, bool) and name.startswith("rules."):
        value = "error" if value else "off"  # YAML 1.1 reads a bare `off` as false
    if not _is_instance(value, hint):
        extra = " (put it in quotes to make it text)" if hint is str and value is not None else ""
        diags.error(
            pos,
            f"field '{name}' must be {TYPE_NAMES.get(hint, hint)}, got {describe(value)}{extra}",
        )
        return _INVALID
    return _check_value(value, pos, diags, cls, name)


def _convert_when(value, pos: Pos, diags: Diagnostics, name: str):
    """A date field: an ISO date, stated by the item's sources, or a dates.yaml id."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = dt.date.fromisoformat(value)
    if isinstance(value, dt.date):
        return model.When(date=value)
    if isinstance(value, str) and ID_PATTERN.match(value):
        return model.When(ref=value)  # `resolve` fills in its date from dates.yaml
    diags.error(
        pos,
        f"field '{name}' must be a date (YYYY-MM-DD) or the id of an entry in dates.yaml, "
        f"got {describe(value)}",
    )
    return _INVALID


def _check_dates(entries: list, diags: Diagnostics, broken: set) -> list:
    """A derived date says how it was worked out; a span of days ends after it starts."""
    sound = []
    for entry in entries:
        if entry.derived and not entry.reasoning:
            diags.error(
                entry.at("basis"),
                f"date '{entry.id}' is derived: say how the desk worked it out (reasoning:)",
            )
        elif entry.until is not None and entry.until <= entry.date:
            diags.error(entry.at("until"), f"date '{entry.id}' ends (until:) before it starts")
        else:
            sound.append(entry)
            continue
        broken.add(entry.id)
    return sound


def _check_value(value, pos: Pos, diags: Diagnostics, cls, name):
    if isinstance(value, str) and name not in ("body",) and not value.strip():
        diags.error(pos, f"field '{name}' must not be empty")
        return _INVALID
    if isinstance(value, str) and (bad := UNWRITABLE.search(value)):
        diags.error(
            pos, f"field '{name}' contains U+{ord(bad[0]):04X}, which cannot be shown on a page"
        )
        return _INVALID
    if (cls, name) in CHOICES and value not in CHOICES[cls, name]:
        choices = CHOICES[cls, name]
        diags.error(
            pos,
            f"{name} '{value}' is not one of {', '.join(choices)}"
            + diags.did_you_mean(value, choices),
        )
        return _INVALID
    if name == "id" and not ID_PATTERN.match(value):
        diags.error(
            pos,
            f"id '{value}' must be lowercase letters, digits and hyphens (like 'senior-official')",
        )
        return _INVALID
    if name == "id" and DEVICE_NAMES.match(value):
        diags.error(pos, f"id '{value}' is a reserved device name on Windows; choose another")
        return _INVALID
    if name == "language" and not LANGUAGE_TAG.match(value):
        diags.error(pos, f"language '{value}' must be a language tag such as 'en' or 'pt-BR'")
        return _INVALID
    if (name in ("url", "base_url") or name.startswith("policies.")) and not is_safe_url(value):
        diags.error(pos, f"{name} '{value}' is not an http(s), mailto or relative URL")
        return _INVALID
    if cls is model.Site and name == "url" and not ABSOLUTE.match(value):
        diags.error(
            pos,
            f"url '{value}' must be the explainer's full address, "
            "like https://news.example/explainers/budget/ (for a preview elsewhere, "
            "pass --base-url)",
        )
        return _INVALID
    if cls is model.Site and name in ("url", "base_url") and re.search(r"[?#]", value):
        diags.error(pos, f"{name} '{value}' must be an address without '?' or '#'")
        return _INVALID
    if name == "count" and value < 1:
        diags.error(pos, "count must be 1 or more")
        return _INVALID
    return value


def _is_instance(value, hint) -> bool:
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is dt.date:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    return isinstance(value, hint)


def _build_list(
    cls, doc: YamlDoc | None, diags: Diagnostics, has_id: bool = True, broken: set | None = None
) -> list | None:
    """The file's items, dropping those with errors; None when the file as a whole is unusable
    (empty, or not a list), so nothing it should have defined is reported missing too."""
    if doc is None or doc.broken:
        return []
    if doc.data is None:
        diags.error(Pos(doc.file, 1, 1), f"expected a list of {_kind(cls)} entries, file is empty")
        return None
    if not isinstance(doc.data, list):
        hint = " (start each entry with '- ')" if isinstance(doc.data, dict) else ""
        diags.error(
            doc.pos(()),
            f"expected a list of {_kind(cls)} entries ('- id: …'), got {describe(doc.data)}{hint}",
        )
        return None
    items, seen = [], {}
    broken = set() if broken is None else broken
    for i, data in enumerate(doc.data):
        item = build_item(cls, data, doc, (i,), diags)
        if item is None:
            if has_id and isinstance(data, dict) and isinstance(data.get("id"), str):
                broken.add(data["id"])  # known but invalid: references to it are not errors too
            continue
        if has_id:
            if item.id in seen:
                diags.error(
                    item.at("id"),
                    f"duplicate {_kind(cls)} id '{item.id}' "
                    f"(first defined at line {seen[item.id].line})",
                )
                continue
            seen[item.id] = item.at("id")
        items.append(item)
    return items


def _build_documents(files, diags: Diagnostics, drafts: bool) -> list[Document]:
    docs = []
    for f in files:
        if f.front.broken:
            continue
        doc = build_item(Document, f.front.data, f.front, (), diags)
        if doc is None or (doc.draft and not drafts):
            continue
        doc.slug, doc.body, doc.body_line = f.slug, f.body, f.body_line
        doc.pos = Pos(f.file, 1, 1)
        docs.append(doc)
    return docs


def _check_slugs(docs: list[Document], diags: Diagnostics, reserved: set[str]) -> None:
    seen: dict[str, str] = {}
    for doc in list(docs):
        problem = None
        if not ID_PATTERN.match(doc.slug):
            problem = (
                f"file name gives the slug '{doc.slug}', which is not lowercase letters, "
                "digits and hyphens; rename the file"
            )
        elif DEVICE_NAMES.match(doc.slug):
            problem = (
                f"file name gives the slug '{doc.slug}', a reserved device name on Windows; "
                "rename the file"
            )
        elif doc.slug in reserved:
            problem = f"slug '{doc.slug}' is reserved for a generated page; rename the file"
        elif doc.slug in seen:
            problem = (
                f"slug '{doc.slug}' is also used by {seen[doc.slug]}; "
                "both would write the same page"
            )
        if problem:
            diags.error(doc.pos, problem)
            docs.remove(doc)
        else:
            seen[doc.slug] = doc.pos.file


def _kind(cls) -> str:
    return {
        "FactRow": "fact box row",
        "FactBox": "fact box",
        "Event": "timeline event",
        "CardStyle": "share card style",
        "DateEntry": "date",
    }.get(cls.__name__, cls.__name__.lower())


def _fields_hint(cls) -> str:
    names = [
        f.name for f in dataclasses.fields(cls) if f.init and f.name not in ("pos", "field_pos")
    ]
    return "fields (" + ", ".join(names[:4]) + ", …)"


def describe(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dt.date):
        return f"the date {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
