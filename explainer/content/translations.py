"""Translations: the explainer in its other languages, made from the original and the
translated text beside it (docs: README "Languages and translations").

A translation file holds only text (`TEXT_FIELDS`), matched to the original's items by
id or by position; ids, sources, dates and structure always come from the original, so
a translation cannot change a fact. `edition` lays the translated text over the loaded
original and hands the result to `validate` like any other content: the same checks,
with positions in the translation file for the text it gave. Text with no translation
stays in the original language, and the item says which fields (`fallback`).

Each translated item records the digest of the original it translates (`of:`), so an
original edited later makes its translation stale: a warning that gives the new digest.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..diagnostics import Diagnostics, Pos
from . import model
from .load import MarkdownFile, RawContent
from .yamlpos import YamlDoc

# What a translation may give, per file: text, nothing else.
TEXT_FIELDS = {
    "site": ("title", "kicker", "summary", "description", "scope_note", "strings"),
    "sources": ("label", "description", "note", "title"),
    "actors": ("name", "role", "affiliation", "country", "stance", "bio"),
    "quotes": ("text", "context", "place"),
    "factbox": ("title",),
    "timeline": ("title", "text"),
    "dates": ("reasoning",),
    "corrections": ("text", "why"),
}
ROW_FIELDS = ("label", "value")  # a fact box row's
# Text a translation may give but need not: left out, it shows as the original has it
# (marked with the original's language) without a warning.
OPTIONAL_TEXT = {"place"}
DOCUMENT_FIELDS = ("title", "summary", "nav_title")  # a Markdown file's front matter
KEYED = {"sources", "actors", "quotes", "dates"}  # matched by id; lists without ids by position
STAMP = "of"  # the digest of the original an item translates
# What a translated text must keep exactly as the original has it, in order.
ANNOTATION = re.compile(r"\{src=([^}]*)\}")
DATE_SPAN = re.compile(r"\{date=([^}\s]*)\}")
QUOTE_EMBED = re.compile(r"^:::[ \t]*quote[ \t]+(\S+)", re.M)
MARKS = (("source annotations {src=…}", ANNOTATION), ("date spans {date=…}", DATE_SPAN))
BODY_MARKS = (*MARKS, ("quote embeds ::: quote", QUOTE_EMBED))

LANGUAGE_NAMES = {"en": "English", "uk": "Ukrainian"}  # in messages; others by their tag


def digest(value) -> str:
    """8 hex characters naming one version of an original item's text."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def item_digest(name: str, item: dict) -> str:
    """The digest of what a translation of this item translates: its text fields."""
    wanted = ROW_FIELDS if name == "rows" else TEXT_FIELDS[name]
    return digest({f: item[f] for f in wanted if item.get(f) is not None})


def document_digest(file: MarkdownFile) -> str:
    front = file.front.data if isinstance(file.front.data, dict) else {}
    return digest([{f: front[f] for f in DOCUMENT_FIELDS if f in front}, file.body])


@dataclass
class Slot:
    """One original item a translation may match, and where the translation is told."""

    name: str  # "sources", "rows", "site"…
    label: str  # how messages name it: "source 'ft-report'", "timeline entry 2"
    path: tuple  # in the original file's data
    data: dict
    pos: Pos


@dataclass
class Stamp:
    """An `of:` digest to write into a translation file: at `of` (to replace), or else as
    the first field of the item at `item` (a new line)."""

    file: str
    item: Pos
    of: Pos | None
    digest: str
    front_matter: bool = False


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, lang)


def editions(
    raw: RawContent, content: model.Content, diags: Diagnostics, drafts: bool = False
) -> dict[str, model.Content]:
    """The content in each of the site's other languages, by language, validated like the
    original. Problems in the original are the original's build's to report: only those
    in translation files are reported here."""
    from .schema import validate  # schema reads the model, which this module extends

    languages = content.site.languages
    for file in raw.stray_translations:
        diags.error(Pos(file, 1, 1), f"{file} is named like a translation, but of no content file")
    for lang, files in [*raw.translated_yaml.items(), *raw.translated_markdown.items()]:
        if lang not in languages[1:]:
            for item in files.values():
                file = item.file
                diags.error(
                    Pos(file, 1, 1),
                    f"translation into '{lang}', which is not among the translated languages "
                    f"of content/site.yaml (languages: [{', '.join(languages)}])",
                )
    result = {}
    for lang in languages[1:]:
        edited = edition(raw, lang, diags)
        mine = Diagnostics()
        translated = validate(edited, mine, drafts)
        diags.items.extend(d for d in mine.items if is_translation_file(d.pos.file, lang))
        if translated is not None:
            translated.site.language = lang
            mark_fallbacks(translated, lang, content)
            result[lang] = translated
    return result


def edition(
    raw: RawContent, lang: str, diags: Diagnostics, stamps: list[Stamp] | None = None
) -> RawContent:
    """The content in `lang`: the original with the translated text laid over it.

    Reports what is missing (warning), stale (warning), orphaned (error) or not text
    (error). The result is loaded content, for `validate`. `stamps` collects the `of:`
    digests a translated item lacks or has out of date (`explainer translations --stamp`).
    """
    stamps = [] if stamps is None else stamps
    yaml = dict(raw.yaml)
    given = raw.translated_yaml.get(lang, {})
    for name, doc in raw.yaml.items():
        shape = dict if name in ("site", "factbox") else list
        if doc.broken or not isinstance(doc.data, shape):
            continue  # the original's error is reported; its translation waits for it
        tr = given.get(name)
        if tr is not None and tr.broken:
            continue
        yaml[name] = _overlay(name, doc, tr, lang, diags, stamps)
    for name, tr in given.items():
        if name not in raw.yaml:
            diags.error(
                Pos(tr.file, 1, 1),
                f"translation of content/{name}.yaml, which does not exist; remove {tr.file}",
            )
    docs = raw.translated_markdown.get(lang, {})
    originals = {f.file: f for f in [*raw.sections, *raw.pages]}
    for file in docs:
        if original_file(file, lang) not in originals:
            diags.error(
                Pos(file, 1, 1),
                f"translation of {original_file(file, lang)}, which does not exist; "
                f"rename or remove {file}",
            )
    translated = {original_file(file, lang): tr for file, tr in docs.items()}
    return RawContent(
        yaml=yaml,
        sections=[_document(f, translated.get(f.file), lang, diags, stamps) for f in raw.sections],
        pages=[_document(f, translated.get(f.file), lang, diags, stamps) for f in raw.pages],
        references=raw.references,
    )


def original_file(file: str, lang: str) -> str:
    """'content/sections/01-x.uk.md' -> 'content/sections/01-x.md'."""
    stem, dot, ext = file.rpartition(".")
    return stem.removesuffix(f".{lang}") + dot + ext


def is_translation_file(file: str, lang: str) -> bool:
    """Whether `file` is a translation into `lang` ('content/quotes.uk.yaml' for 'uk')."""
    return f".{lang}." in file


def translation_file(file: str, lang: str) -> str:
    """'content/quotes.yaml' -> 'content/quotes.uk.yaml'."""
    stem, dot, ext = file.rpartition(".")
    return f"{stem}.{lang}{dot}{ext}"


# -- YAML ---------------------------------------------------------------------------------


def _overlay(name: str, doc: YamlDoc, tr: YamlDoc | None, lang: str, diags, stamps) -> YamlDoc:
    """The original file's data with the translation's text over it (and its positions)."""
    merged = YamlDoc(
        doc.file,
        copy.deepcopy(doc.data),
        text=doc.text,
        key_pos=dict(doc.key_pos),
        value_pos=dict(doc.value_pos),
    )
    tr_file = tr.file if tr is not None else translation_file(doc.file, lang)
    if name == "site" and isinstance(merged.data, dict):
        merged.data.pop("strings", None)  # the theme's strings in `lang`, unless translated
    for slot, found in _match(name, doc, tr, tr_file, diags):
        if found is None:
            diags.warning(
                slot.pos,
                f"no {language_name(lang)} translation of {slot.label} in {tr_file} "
                f"(of: {item_digest(slot.name, slot.data)})",
            )
            continue
        tr_path, tr_data = found
        _check_item(slot, tr, tr_path, tr_data, diags, stamps)
        for key in _text_fields(slot.name):
            if key in tr_data and _is_text(key, tr_data[key]):
                _place(merged, slot.path + (key,), tr, tr_path + (key,), tr_data[key])
    return merged


def _match(name: str, doc: YamlDoc, tr: YamlDoc | None, tr_file: str, diags) -> Iterator:
    """(slot, (path, data) of its translation or None) for every translatable item, after
    reporting the translation's items that match nothing."""
    slots = list(_slots(name, doc))
    if tr is None or tr.data is None:
        yield from ((slot, None) for slot in slots)
        return
    found = {}
    for path, data, key in _tr_items(name, tr, diags):
        wanted = [s for s in slots if s.path == key] if isinstance(key, tuple) else []
        if isinstance(key, str):
            wanted = [s for s in slots if s.data.get("id") == key]
        if not wanted:
            _orphan(name, doc, tr, path, key, slots, diags)
        elif key in found:
            diags.error(tr.pos(path), f"{wanted[0].label} is translated twice in {tr.file}")
        else:
            found[key] = (path, data)
    for slot in slots:
        key = slot.data.get("id") if name in KEYED else slot.path
        yield slot, found.get(key)


def _slots(name: str, doc: YamlDoc) -> Iterator[Slot]:
    data = doc.data
    if name in ("site", "factbox"):
        if isinstance(data, dict):
            label = "the site settings" if name == "site" else "the fact box"
            yield Slot(name, label, (), data, doc.pos(()))
            rows = data.get("rows") if name == "factbox" else None
            for i, row in enumerate(rows if isinstance(rows, list) else []):
                if isinstance(row, dict):
                    yield Slot(
                        "rows", f"fact box row {i + 1}", ("rows", i), row, doc.pos(("rows", i))
                    )
        return
    for i, item in enumerate(data if isinstance(data, list) else []):
        if not isinstance(item, dict):
            continue
        if name in KEYED:
            if isinstance(item.get("id"), str):
                label = f"{_singular(name)} '{item['id']}'"
                yield Slot(name, label, (i,), item, doc.pos((i, "id")))
        else:
            yield Slot(name, f"{_singular(name)} entry {i + 1}", (i,), item, doc.pos((i,)))


def _tr_items(name: str, tr: YamlDoc, diags) -> Iterator[tuple[tuple, dict, object]]:
    """(path, data, key) of each translated item: its id, or its path in the original."""
    data = tr.data
    if name in ("site", "factbox"):
        if not isinstance(data, dict):
            diags.error(tr.pos(()), f"expected a mapping like content/{name}.yaml's")
            return
        yield (), data, ()
        rows = data.get("rows") if name == "factbox" else None
        if rows is not None and not isinstance(rows, list):
            diags.error(tr.pos(("rows",)), "rows must be a list, one entry per row of the original")
        for i, row in enumerate(rows if isinstance(rows, list) else []):
            if isinstance(row, dict):
                yield ("rows", i), row, ("rows", i)
            else:
                diags.error(tr.pos(("rows", i)), "expected a mapping of label, value and of")
        return
    if not isinstance(data, list):
        diags.error(tr.pos(()), f"expected a list of entries like content/{name}.yaml's")
        return
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            diags.error(tr.pos((i,)), "expected a mapping of translated fields")
        elif name in KEYED:
            if isinstance(item.get("id"), str):
                yield (i,), item, item["id"]
            else:
                diags.error(tr.pos((i,)), f"a translated {_singular(name)} needs the original's id")
        else:
            yield (i,), item, (i,)


def _orphan(name, doc, tr, path, key, slots, diags) -> None:
    if isinstance(key, str):
        ids = [s.data["id"] for s in slots]
        diags.error(
            tr.pos(path + ("id",)),
            f"translation of {_singular(name)} '{key}', which is not in {doc.file}"
            + diags.did_you_mean(key, ids),
        )
    else:
        where = "fact box rows" if key[:1] == ("rows",) else "entries"
        count = sum(1 for s in slots if len(s.path) == len(key))
        diags.error(
            tr.pos(path),
            f"translation of entry {key[-1] + 1}, but {doc.file} has {count} {where}; "
            "translations follow the original's entries in order",
        )


def _check_item(slot: Slot, tr: YamlDoc, path: tuple, data: dict, diags, stamps) -> None:
    """Only text, each text keeping its annotations, and a current `of:` digest."""
    allowed = _text_fields(slot.name)
    structural = {"id"} if slot.name in KEYED else set()
    if slot.name == "factbox":
        structural.add("rows")
    for key, value in data.items():
        if key in structural or key == STAMP:
            continue
        if key not in allowed:
            diags.error(
                tr.pos(path + (key,)),
                f"'{key}' cannot be translated: a translation holds only text "
                f"({', '.join(allowed)}); ids, sources, dates and structure come from the original",
            )
        elif not _is_text(key, value):
            diags.error(tr.pos(path + (key,)), f"'{key}' must be text")
        elif key != "strings" and isinstance(slot.data.get(key), str):
            _same_marks(slot.data[key], value, tr.pos(path + (key,)), slot.label, MARKS, diags)
    if slot.name == "site" and isinstance(slot.data.get("strings"), dict):
        done = data.get("strings") if isinstance(data.get("strings"), dict) else {}
        for key in slot.data["strings"]:
            if key not in done:
                diags.warning(
                    tr.pos(path),
                    f"the story's interface string '{key}' has no translation under strings: "
                    "(the theme's own is shown)",
                )
    for key in allowed:
        optional = key in OPTIONAL_TEXT or key == "strings"  # strings: warned about above
        if key not in data and slot.data.get(key) is not None and not optional:
            diags.warning(
                tr.pos(path),
                f"translation of {slot.label} has no '{key}' (shown in the original language)",
            )
    now = item_digest(slot.name, slot.data)
    stamp = data.get(STAMP)
    if str(stamp) != now:
        at = tr.pos(path + (STAMP,)) if STAMP in data else None
        stamps.append(Stamp(tr.file, tr.pos(path), at, now))
        missing = f"translation of {slot.label} says not which version it translates: add of: {now}"
        _stamp_warning(stamp, now, slot.label, (tr.pos(path), missing), at, diags)


def _stamp_warning(stamp, now: str, label: str, missing: tuple[Pos, str], at, diags) -> None:
    """A translation whose `of:` is not its original's digest `now`: it says none (the
    `missing` warning), or an older one (stale, at the `of:` line `at`)."""
    if stamp is None:
        diags.warning(*missing)
    else:
        diags.warning(
            at,
            f"stale translation: {label} changed after it was translated "
            f"(of: {stamp}, now {now}); bring the translation up to date, then set of: {now}",
        )


def _same_marks(original: str, text: str, pos: Pos, label: str, marks, diags, line=None) -> None:
    """A translated text keeps the original's annotations, date spans (and embeds), in order:
    they are the facts' sources, which a translation cannot change."""
    for what, pattern in marks:
        want = [_mark(m) for m in pattern.finditer(original)]
        got = list(pattern.finditer(text))
        if [_mark(m) for m in got] == want:
            continue
        at = pos
        if line is not None:
            first = next(
                (m for i, m in enumerate(got) if i >= len(want) or _mark(m) != want[i]), None
            )
            offset = text.count("\n", 0, first.start()) if first else 0
            at = Pos(pos.file, line + offset, 1)
        diags.error(
            at,
            f"the translation of {label} must keep the original's {what} in the same order: "
            f"the original has [{', '.join(want)}], the translation "
            f"[{', '.join(_mark(m) for m in got)}]",
        )


def _mark(match: re.Match) -> str:
    """`{src="a b"}` and `{src='a b'}` are `a b`."""
    return " ".join(match.group(1).strip("\"'").split())


def _place(merged: YamlDoc, path: tuple, tr: YamlDoc, tr_path: tuple, value) -> None:
    """Put a translated value at `path`, with the positions it was written at."""
    target = merged.data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = copy.deepcopy(value)
    for table, tr_table in ((merged.key_pos, tr.key_pos), (merged.value_pos, tr.value_pos)):
        for p in [p for p in table if p[: len(path)] == path]:
            del table[p]
        for p, pos in tr_table.items():
            if p[: len(tr_path)] == tr_path:
                table[path + p[len(tr_path) :]] = pos


def _text_fields(name: str) -> tuple[str, ...]:
    return ROW_FIELDS if name == "rows" else TEXT_FIELDS[name]


def _is_text(key: str, value) -> bool:
    return isinstance(value, dict) if key == "strings" else isinstance(value, str)


def _singular(name: str) -> str:
    return {"dates": "date", "timeline": "timeline", "corrections": "correction"}.get(
        name, name.removesuffix("s")
    )


# -- Markdown -----------------------------------------------------------------------------


def _document(
    file: MarkdownFile, tr: MarkdownFile | None, lang: str, diags: Diagnostics, stamps
) -> MarkdownFile:
    """The original document, or its translation with the original's front matter
    (order, draft, date…) and the translated title, summary, nav_title and body."""
    now = document_digest(file)
    if tr is None:
        diags.warning(
            Pos(file.file, 1, 1),
            f"no {language_name(lang)} translation of {file.file}: create "
            f"{translation_file(file.file, lang)} (of: {now})",
        )
        return file
    if tr.front.broken or file.front.broken:
        return file
    front = tr.front.data if tr.front.data is not None else {}
    if not isinstance(front, dict):
        diags.error(tr.front.pos(()), "expected front matter of title, summary, nav_title and of")
        return file
    merged = _overlay_front(file.front, tr.front, front)
    for key in front:
        if key not in (*DOCUMENT_FIELDS, STAMP):
            diags.error(
                tr.front.pos((key,)),
                f"'{key}' cannot be translated: a translated page's front matter holds only "
                f"{', '.join(DOCUMENT_FIELDS)} and of; the rest comes from {file.file}",
            )
    stamp = front.get(STAMP)
    if str(stamp) != now:
        at = tr.front.pos((STAMP,)) if STAMP in front else None
        stamps.append(Stamp(tr.file, Pos(tr.file, 1, 1), at, now, front_matter=True))
        missing = f"add of: {now} to the front matter of {tr.file}"
        _stamp_warning(stamp, now, file.file, (Pos(tr.file, 1, 1), missing), at, diags)
    _same_marks(file.body, tr.body, Pos(tr.file), file.file, BODY_MARKS, diags, tr.body_line)
    return MarkdownFile(tr.file, file.slug, merged, tr.body, tr.body_line)


def _overlay_front(doc: YamlDoc, tr: YamlDoc, front: dict) -> YamlDoc:
    merged = YamlDoc(
        tr.file,
        copy.deepcopy(doc.data) if isinstance(doc.data, dict) else {},
        key_pos=dict(doc.key_pos),
        value_pos=dict(doc.value_pos),
    )
    for key in DOCUMENT_FIELDS:
        if isinstance(front.get(key), str):
            _place(merged, (key,), tr, (key,), front[key])
    return merged


# -- after validate -----------------------------------------------------------------------


def mark_fallbacks(content: model.Content, lang: str, original: model.Content) -> None:
    """Note on every item which of its text fields were not translated (shown in the
    original language), and give each translated quote its original words."""
    for item in _items(content):
        item.fallback = tuple(
            n
            for n in _item_text_fields(item)
            if getattr(item, n, None) is not None and not is_translation_file(item.at(n).file, lang)
        )
    for doc in [*content.sections, *content.pages]:
        if not is_translation_file(doc.pos.file, lang):
            doc.fallback = ("title", "summary", "nav_title", "body")
    originals = original.quotes_by_id
    for quote in content.quotes:
        if "text" not in quote.fallback and quote.id in originals:
            quote.original_text = originals[quote.id].text


def _item_text_fields(item) -> tuple[str, ...]:
    kind = {
        model.Site: "site",
        model.Source: "sources",
        model.Actor: "actors",
        model.Quote: "quotes",
        model.FactBox: "factbox",
        model.Event: "timeline",
        model.DateEntry: "dates",
        model.Correction: "corrections",
        model.FactRow: "rows",
    }.get(type(item))
    if kind is None:
        return ()
    return tuple(f for f in _text_fields(kind) if f != "strings")


def _items(content: model.Content) -> Iterator:
    yield content.site
    yield from content.sources
    yield from content.actors
    yield from content.quotes
    yield from content.dates
    yield from content.timeline
    yield from content.corrections
    if content.factbox is not None:
        yield content.factbox
        yield from content.factbox.rows
