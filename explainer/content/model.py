"""The typed model between the stages.

The dataclasses double as the content schema: `validate` reads their field names,
types and defaults to check YAML, so a field is declared exactly once. Fields
named in `REFERENCES` hold ids that `resolve` turns into objects.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..diagnostics import Pos

# Kinds of source, in the order of firmness: documents and named people on the record,
# then reporting in an outlet's own voice (another outlet's, or the newsroom's own), then
# people who are not named. Never rank unnamed people above what an outlet states itself.
SOURCE_KINDS = ("document", "on-record", "report", "own", "anonymous")
# How firm each kind is: a claim's status names the tiers of all the sources it cites.
KIND_TIER = {
    "document": "on-record",
    "on-record": "on-record",
    "report": "reported",
    "own": "reported",
    "anonymous": "unnamed",
}
TIERS = ("on-record", "reported", "unnamed")
# Every status a claim can have, firmest first. A claim is ranked by its weakest source (its
# label must be true of the whole claim), then by its firmest: "on-record+unnamed" sits below
# "reported", because part of it rests on people who are not named.
STATUSES = (
    "on-record",
    "on-record+reported",
    "reported",
    "on-record+unnamed",
    "on-record+reported+unnamed",
    "reported+unnamed",
    "unnamed",
    "disputed",
)
DATE_BASES = ("stated", "derived")


@dataclass(eq=False)
class Located:
    """Base for content items: where the item and each of its fields were written."""

    pos: Pos = field(default=Pos(""), repr=False, compare=False, kw_only=True)
    field_pos: dict[str, Pos] = field(default_factory=dict, repr=False, compare=False, kw_only=True)
    # On a translated page: the text fields that have no translation and are shown in the
    # original language (templates mark their elements with its `lang`). Set by
    # content/translations.py, never read from YAML.
    fallback: tuple[str, ...] = field(
        default=(), init=False, repr=False, compare=False, kw_only=True
    )

    def at(self, name: str) -> Pos:
        """Position of field `name`, falling back to the item itself."""
        return self.field_pos.get(name, self.pos)


@dataclass(eq=False)
class DateEntry(Located):
    """A calendar date and how the desk knows it (content/dates.yaml).

    `stated`: a source gives the date. `derived`: the desk worked it out, and `reasoning`
    says how; the site marks it wherever it is shown and links to the reasoning.
    """

    id: str
    date: dt.date
    basis: str
    sources: list[str] = field(default_factory=list)
    reasoning: str | None = None
    until: dt.date | None = None  # the last day, for an event of several days
    source_refs: list[Source] = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def derived(self) -> bool:
        return self.basis == "derived"


class When(NamedTuple):
    """The value of a date field: an ISO date, stated by the sources its item cites, or the
    id of a dates.yaml entry (`ref`), whose date, basis and entry `resolve` fills in.

    A value, not a model object: the build's dependency records see all of it wherever
    an item's date is read. Templates read a date with an entry through the entry.
    """

    date: dt.date | None = None
    ref: str | None = None
    basis: str = "stated"
    entry: DateEntry | None = None

    @property
    def derived(self) -> bool:
        return self.basis == "derived"

    def __str__(self) -> str:
        return self.date.isoformat() if self.date else str(self.ref)


class Prose(NamedTuple):
    """Inline Markdown from a YAML field as `resolve` read it: what a reader sees of it
    (`text`) and the claims (`[…]{src=…}`) it carries. A value, like When; rendering
    parses `markdown` again and links the same claims."""

    markdown: str
    text: str
    claims: tuple[Claim, ...] = ()


@dataclass(eq=False)
class Person(Located):
    name: str
    url: str | None = None


@dataclass(eq=False)
class Site(Located):
    """Site-wide settings and the explainer's front page metadata (content/site.yaml)."""

    title: str
    summary: str  # inline Markdown: its claims carry their sources
    description: str  # plain text for search engines and link previews: framing only
    publisher: Person
    authors: list[Person]
    published: dt.date
    as_of: When | None = None  # the state of things the explainer tells, shown by the headline
    language: str = "en"
    # Every language the explainer is published in, the original first: the others are
    # translations (content/<file>.<lang>.yaml, <name>.<lang>.md) published under /<lang>/.
    languages: list[str] = field(default_factory=list)
    kicker: str = "Explainer"
    updated: dt.date | None = None
    # The address the explainer is published at (https://news.example/explainers/x/): its
    # path places links and assets, its origin makes canonical, share and sitemap URLs.
    url: str | None = None
    base_url: str | None = None  # before `url:` set both; still read (with a warning)
    scope_note: str | None = None
    # Sourcing rules: rule id -> "error", "warning" or "off" (see explainer/rules.py).
    rules: dict[str, str] = field(default_factory=dict)
    # Newsroom policies linked from the footer: corrections, unnamed-sources, ethics…
    policies: dict[str, str] = field(default_factory=dict)
    # This story's own wording for interface strings, over the theme's story-neutral ones
    # (`unnamed: Not named in the report`); checked against the theme's strings when rendering.
    strings: dict[str, Any] = field(default_factory=dict)
    # Sourcing rules this item is exempt from, each with the reason: {rule-id: why}.
    suppress: dict[str, str] = field(default_factory=dict)
    # Filled by resolve: the inline Markdown fields, parsed ("summary").
    prose: dict[str, Prose] = field(default_factory=dict, init=False, repr=False, compare=False)


@dataclass(eq=False)
class Source(Located):
    """How a fact is known: a document, a person on the record, an outlet's report, the
    newsroom's own reporting, or unnamed people (`kind`, one of SOURCE_KINDS)."""

    id: str
    kind: str
    label: str
    description: str
    outlet: str | None = None
    title: str | None = None
    date: When | None = None
    url: str | None = None
    count: int | None = None
    actor: str | None = None
    via: str | None = None
    why_unnamed: str | None = None
    note: str | None = None
    # Sourcing rules this item is exempt from, each with the reason: {rule-id: why}.
    suppress: dict[str, str] = field(default_factory=dict)
    # Filled by resolve:
    actor_ref: Actor | None = field(default=None, init=False, repr=False, compare=False)
    via_ref: Source | None = field(default=None, init=False, repr=False, compare=False)
    cited_by: list[Claim] = field(default_factory=list, init=False, repr=False, compare=False)


@dataclass(eq=False)
class Actor(Located):
    id: str
    name: str
    role: str
    stance: str
    affiliation: str | None = None
    country: str | None = None
    named: bool = True
    bio: str | None = None  # stance and bio are inline Markdown: their claims carry sources
    # Sourcing rules this item is exempt from, each with the reason: {rule-id: why}.
    suppress: dict[str, str] = field(default_factory=dict)
    # Filled by resolve: the inline Markdown fields, parsed ("stance", "bio").
    prose: dict[str, Prose] = field(default_factory=dict, init=False, repr=False, compare=False)
    quotes: list[Quote] = field(default_factory=list, init=False, repr=False, compare=False)


@dataclass(eq=False)
class Quote(Located):
    id: str
    speaker: str
    text: str
    sources: list[str]
    context: str | None = None
    date: When | None = None
    place: str | None = None
    key: bool = False
    # Sourcing rules this item is exempt from, each with the reason: {rule-id: why}.
    suppress: dict[str, str] = field(default_factory=dict)
    speaker_ref: Actor | None = field(default=None, init=False, repr=False, compare=False)
    source_refs: list[Source] = field(default_factory=list, init=False, repr=False, compare=False)
    claim: Claim | None = field(default=None, init=False, repr=False, compare=False)
    # On a translated page: the words as the original gives them, when `text` is the desk's
    # translation of them (the page shows both).
    original_text: str | None = field(default=None, init=False, repr=False, compare=False)


@dataclass(eq=False)
class FactRow(Located):
    label: str
    value: str
    sources: list[str]
    # Rows (or events) sharing a `fact` key state the same fact; different values conflict.
    fact: str | None = None
    resolution: str | None = None
    # Sourcing rules this item is exempt from, each with the reason: {rule-id: why}.
    suppress: dict[str, str] = field(default_factory=dict)
    source_refs: list[Source] = field(default_factory=list, init=False, repr=False, compare=False)
    claim: Claim | None = field(default=None, init=False, repr=False, compare=False)
    prose: Prose | None = field(default=None, init=False, repr=False, compare=False)  # value's


@dataclass(eq=False)
class FactBox(Located):
    rows: list[FactRow]
    title: str | None = None
    as_of: When | None = None


@dataclass(eq=False)
class Event(Located):
    date: When
    title: str
    sources: list[str]
    text: str | None = None
    fact: str | None = None
    resolution: str | None = None
    # Sourcing rules this item is exempt from, each with the reason: {rule-id: why}.
    suppress: dict[str, str] = field(default_factory=dict)
    source_refs: list[Source] = field(default_factory=list, init=False, repr=False, compare=False)
    claim: Claim | None = field(default=None, init=False, repr=False, compare=False)


@dataclass(eq=False)
class Document(Located):
    """A Markdown file: a narrative section of the explainer or a free-standing page."""

    title: str
    order: int = 0
    summary: str | None = None
    nav_title: str | None = None  # a shorter title for the site navigation
    draft: bool = False
    # Sourcing rules this item is exempt from, each with the reason: {rule-id: why}.
    suppress: dict[str, str] = field(default_factory=dict)
    date: dt.date | None = None
    slug: str = field(default="", init=False)
    body: str = field(default="", init=False, repr=False)
    body_line: int = field(default=1, init=False, repr=False)  # line of the body's first line
    claims: list[Claim] = field(default_factory=list, init=False, repr=False, compare=False)
    # Paragraphs of the body that carry no claim: (line in the body, text). By `resolve`.
    unsourced: list[tuple[int, str]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )
    # Ids of the quotes its body embeds (a section's: the home page shows a quote once).
    quote_ids: list[str] = field(default_factory=list, init=False, repr=False, compare=False)
    # Calendar dates in its body's own words that do not say how they are known: (offset
    # in the body, words). By `resolve`, for the date-unmarked rule.
    undated: list[tuple[int, str]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )


@dataclass(eq=False)
class Correction(Located):
    """An entry of the updates and corrections log (content/corrections.yaml)."""

    date: dt.date
    kind: str  # "correction" or "update"
    text: str
    why: str | None = None
    # Pages it affects, by name: "explainer" (the home page), "quotes", "sources",
    # "actors", "actors/<id>" or a page slug. Empty means the explainer.
    pages: list[str] = field(default_factory=list)


CORRECTION_KINDS = ("correction", "update")


@dataclass(eq=False)
class Claim:
    """One sourced statement somewhere on the site; `anchor` is its id on `page`."""

    anchor: str
    text: str  # plain text, as a reader sees it (Markdown rendered to text)
    sources: list[Source]
    page: str  # the URL path (relative to the base URL) of the page that shows it
    where: str  # human label of its place: a section title, "Fact box", "Timeline"…
    disputed: bool = False
    quoted: bool = False  # the text is someone's words (a quote): shown in quotation marks
    # The dates.yaml entries of the dates marked in its text: where the text is shown
    # plain (a list of claims), each derived one still gets its mark.
    dates: list[DateEntry] = field(default_factory=list)

    @property
    def tiers(self) -> tuple[str, ...]:
        """The tiers of firmness of all its sources, firmest first (see TIERS)."""
        found = {KIND_TIER[s.kind] for s in self.sources}
        return tuple(t for t in TIERS if t in found)

    @property
    def status(self) -> str:
        """One of STATUSES, from every source the claim cites: 'on-record' only when all
        are on the record or documents; mixed kinds name each tier ('reported+unnamed')."""
        return status_of(self.disputed, self.tiers)

    @property
    def tone(self) -> str:
        """The weakest tier (or 'disputed'): what the status badge's colour shows."""
        return tone_of(self.disputed, self.tiers)

    @property
    def anonymous_only(self) -> bool:
        return bool(self.sources) and all(s.kind == "anonymous" for s in self.sources)


def status_of(disputed: bool, tiers: tuple[str, ...]) -> str:
    """`Claim.status` from what it is made of (build/deps.py asks it of every claim)."""
    return "disputed" if disputed else "+".join(tiers) or "unnamed"


def tone_of(disputed: bool, tiers: tuple[str, ...]) -> str:
    """`Claim.tone` from what it is made of."""
    return "disputed" if disputed else (tiers or ("unnamed",))[-1]


@dataclass(eq=False)
class Content:
    """Everything loaded from content/, validated and (after resolve) cross-linked."""

    site: Site
    dates: list[DateEntry] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    factbox: FactBox | None = None
    timeline: list[Event] = field(default_factory=list)
    sections: list[Document] = field(default_factory=list)
    pages: list[Document] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    # Texts the site reports from, by source id (content/reference/<id>.txt): never published,
    # read by the copied-text rule. Each is (file, text).
    references: dict[str, tuple[str, str]] = field(default_factory=dict)
    # The YAML files' texts, by file: rules point into YAML values with them.
    yaml_texts: dict[str, str] = field(default_factory=dict, repr=False)
    claims: list[Claim] = field(default_factory=list)
    # Ids of items that failed validation, and files ("actors", "sources", "quotes") that
    # failed as a whole: references to them are not reported again (one mistake, one error).
    broken_ids: set[str] = field(default_factory=set)
    broken_files: set[str] = field(default_factory=set)

    def is_broken(self, file: str, ref: str) -> bool:
        """Whether `ref`, an id from `file`, names something already reported as broken."""
        return ref in self.broken_ids or file in self.broken_files

    @property
    def fact_rows(self) -> list[FactRow]:
        """The fact box's rows, or none when there is no fact box."""
        return self.factbox.rows if self.factbox else []

    @property
    def updated(self) -> dt.date | None:
        """The explainer's "Updated" date: the latest of site.updated and the log's entries."""
        dates = [c.date for c in self.corrections] + [self.site.updated]
        return max((d for d in dates if d), default=None)

    def corrections_for(self, name: str) -> list[Correction]:
        """Log entries affecting the page called `name` ("explainer", "about", …), newest first."""
        hits = [c for c in self.corrections if name in (c.pages or ["explainer"])]
        return sorted(hits, key=lambda c: c.date, reverse=True)

    # Built on first use, which comes after `validate` has set the lists for good;
    # rebuilt on every use, they cost more than parsing at 4,000 pages.
    @functools.cached_property
    def sources_by_id(self) -> dict[str, Source]:
        return {s.id: s for s in self.sources}

    @functools.cached_property
    def dates_by_id(self) -> dict[str, DateEntry]:
        return {d.id: d for d in self.dates}

    @functools.cached_property
    def actors_by_id(self) -> dict[str, Actor]:
        return {a.id: a for a in self.actors}

    @functools.cached_property
    def quotes_by_id(self) -> dict[str, Quote]:
        return {q.id: q for q in self.quotes}
