"""The site's own words: where its prose is, and which runs of it match a reference text.

Prose is every Markdown body and every YAML field a reader sees as text (`prose_fields`).
The copied-text rule compares it with the project's reference texts
(content/reference/<source-id>.txt) by hashing every run of N consecutive words, so
the whole site is checked in one pass over each text. Words are compared in lower case
without punctuation; text in quotation marks, annotation syntax, link targets and quote
embeds are masked first (blanked, so offsets still point into the file).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..diagnostics import Pos
from . import calendar
from .model import Content, Located

RUN = 8  # words in a row that make a copied run

WORD = re.compile(r"[\w'’]+")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’")
_SYNTAX = re.compile(
    r"\]\{[^}\n]*\}"  # `]{src=…}`: the end of an annotation
    r"|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"  # `](url "title")`: a link's target
    r"|<[^>\s]+>"  # an autolink or raw tag
    r"|^:::.*$",  # a container line: quote embeds, glossary, dates
    re.M,
)
_DATE_SPAN = re.compile(r"\[[^\[\]\n]*\]\{date=[^}\n]*\}")

# Kinds of prose field: a Markdown body, inline Markdown, or plain text.
BODY, INLINE, PLAIN = "body", "inline", "plain"


@dataclass(frozen=True)
class Field:
    """One piece of prose: its item, field name (None for a body), text and kind."""

    item: Located
    name: str | None
    text: str
    kind: str
    dated: bool = False  # a dated record of the desk's own (corrections, dates' reasoning)


def prose_fields(content: Content) -> Iterator[Field]:
    """Every text of the site a reader sees as prose, quotes' own words excepted."""
    site = content.site
    yield from _fields(site, INLINE, "summary")
    yield from _fields(site, PLAIN, "title", "description", "scope_note")
    for key, value in site.strings.items():
        for text in value.values() if isinstance(value, dict) else [value]:
            if isinstance(text, str):  # the story's wording of an interface string
                yield Field(site, f"strings.{key}", text, PLAIN)
    for d in content.dates:
        yield from _fields(d, PLAIN, "reasoning", dated=True)
    for s in content.sources:
        yield from _fields(s, PLAIN, "label", "description", "title", "note")
    for a in content.actors:
        yield from _fields(a, PLAIN, "role")
        yield from _fields(a, INLINE, "stance", "bio")
    for q in content.quotes:
        yield from _fields(q, PLAIN, "context")
    if content.factbox:
        yield from _fields(content.factbox, PLAIN, "title")
        for row in content.factbox.rows:
            yield from _fields(row, PLAIN, "label")
            yield from _fields(row, INLINE, "value")
    for e in content.timeline:
        yield from _fields(e, PLAIN, "title", "text")
    for c in content.corrections:
        yield from _fields(c, PLAIN, "text", "why", dated=True)
    for doc in [*content.sections, *content.pages]:
        yield from _fields(doc, PLAIN, "title", "summary")
        yield Field(doc, None, doc.body, BODY)


def _fields(item: Located, kind: str, *names: str, dated: bool = False) -> Iterator[Field]:
    for name in names:
        text = getattr(item, name)
        if text:
            yield Field(item, name, text, kind, dated)


def mask(text: str, kind: str, dates: bool = False) -> str:
    """The text with what is not the desk's own wording blanked out, offsets kept: quotations,
    and in Markdown its syntax (and with `dates`, the marked dates)."""
    if kind != PLAIN:
        if dates:
            text = _DATE_SPAN.sub(_blank, text)
        text = _SYNTAX.sub(_blank, text)
    return _QUOTED.sub(_blank, text)


def unmarked_dates(text: str, kind: str) -> list[tuple[int, str]]:
    """(offset, words) of each calendar date in the text's own words that is not marked
    with how it is known (`date-unmarked`); a document's body is checked as it is parsed."""
    if not calendar.may_hold_dates(text):
        return []
    return [(found.start, found.text) for found in calendar.dates_in(mask(text, kind, dates=True))]


def _blank(match: re.Match) -> str:
    text = match[0]
    if "\n" not in text:
        return " " * len(text)
    return "\n".join(" " * len(line) for line in text.split("\n"))


def words(text: str) -> list[tuple[str, int]]:
    """(normalised word, offset) for each word: lower case, one kind of apostrophe."""
    lowered = text.lower().replace("’", "'")
    if len(lowered) != len(text):  # a letter whose lower case is longer: offsets would move
        return [(w, o) for m in WORD.finditer(text) if (w := _norm(m[0])) for o in [m.start()]]
    return [(w, m.start()) for m in WORD.finditer(lowered) if (w := m[0].strip("'_"))]


def _norm(word: str) -> str:
    return word.lower().replace("’", "'").strip("'_")


class Reference:
    """A reference text, indexed by every run of RUN words in it."""

    def __init__(self, source_id: str, file: str, text: str) -> None:
        self.source_id, self.file, self.text = source_id, file, text
        self.words = words(text)
        self.runs: dict[tuple[str, ...], int] = {}
        names = [w for w, _ in self.words]
        for i in range(len(names) - RUN + 1):
            self.runs.setdefault(tuple(names[i : i + RUN]), i)

    def pos(self, index: int) -> Pos:
        return offset_pos(self.file, self.text, self.words[index][1])


@dataclass(frozen=True)
class Copied:
    """Words `start`..`end` (exclusive) of a text that also stand in `reference` at `at`."""

    start: int
    end: int
    reference: Reference
    at: int


def copied_runs(found: list[tuple[str, int]], references: list[Reference]) -> list[Copied]:
    """The longest runs of RUN or more words of a text that a reference text also has."""
    names = [w for w, _ in found]
    runs: list[Copied] = []
    for ref in references:
        i, last = 0, len(names) - RUN
        while i <= last:
            at = ref.runs.get(tuple(names[i : i + RUN]))
            if at is None:
                i += 1
                continue
            end = i + RUN
            while end < len(names) and tuple(names[end - RUN + 1 : end + 1]) in ref.runs:
                end += 1
            runs.append(Copied(i, end, ref, at))
            i = end
    return sorted(runs, key=lambda c: c.start)


def offset_pos(file: str, text: str, offset: int, first_line: int = 1) -> Pos:
    """The file:line:col of `offset` in `text`, whose first line is `first_line`."""
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    return Pos(file, first_line + line, col + 1)


def field_pos(content: Content, f: Field, offset: int) -> Pos:
    """Where character `offset` of a field's text is written.

    A Markdown body maps directly. A YAML value is found in its file's text: its words
    follow its key in the same order (in plain, quoted and folded scalars alike), so the
    n-th word of the value is the n-th word after the key. Failing that, the key.
    """
    if f.name is None:
        doc = f.item
        return offset_pos(doc.pos.file, f.text, offset, doc.body_line)
    key = f.item.at(f.name)
    raw = content.yaml_texts.get(key.file)
    value_words = words(f.text)
    n = next((k for k, (_, o) in enumerate(value_words) if o >= offset), None)
    if raw is None or n is None or not key.line:
        return key
    start = line_offset(raw, key.line) + max(key.col - 1, 0)
    after = words(raw[start:])[1:]  # the first word is the key itself
    if n < len(after) and after[n][0] == value_words[n][0]:
        return offset_pos(key.file, raw, start + after[n][1])
    return key


def line_offset(text: str, line: int) -> int:
    """The offset of the first character of 1-based `line` in `text`."""
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return len(text)
    return offset
