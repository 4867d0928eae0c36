"""Sourcing rules: newsroom policy on attribution, checked like a compiler checks types.

Each rule has a stable id, a default severity and a check. A site may change a
rule's severity (or turn it off) under `rules:` in content/site.yaml, and an item
may be exempted with `suppress: {rule-id: "why"}` next to it; the reason is
required, so every exemption is documented where the item is.

The rules follow common handbook policy (AP, Reuters, NYT; The Trust Project):
every fact is attributed; an unnamed source says how many people, how they know
and, where given, why they are unnamed; another outlet's reporting is credited to
it; conflicting accounts are shown side by side. And the site's words are its own: a
calendar date says how it is known, and no run of eight words is lifted from a text the
site reports from (EDITORIAL.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..diagnostics import Diagnostics, Pos
from . import wording
from .model import Content, Located
from .resolve import CLAIM_PROSE, conflicts, fact_value

SEVERITIES = ("error", "warning", "off")

# How an unnamed source can say it is placed to know.
BASIS_WORDS = re.compile(
    r"\b(familiar|acquainted|knowledgeable|knowledge|briefed|involved|close to|aware|present|"
    r"who (saw|read|reviewed|analy[sz]ed|attended|heard)|with (direct )?access|"
    r"participat\w+|negotiat\w+|officials?|diplomats?|advis[eo]rs?|aides?)\b",
    re.I,
)
PLURAL_WORDS = re.compile(
    r"\b(sources|officials|people|individuals|persons|diplomats|aides)\b", re.I
)
SINGULAR_WORDS = re.compile(
    r"\b(a|an|one|another|the)\s+(\w+\s+){0,3}?(source|official|person|individual|diplomat|aide)\b",
    re.I,
)
VAGUE = re.compile(r"^\s*(an?|one)\s+(anonymous\s+)?source\s*\.?$", re.I)


@dataclass(frozen=True)
class Finding:
    item: Located
    pos: Pos
    message: str


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str  # what the rule asks, in the README's words (Markdown)
    example: str  # one finding as `check` prints it
    check: Callable[[Content], Iterator[Finding]]


RULES: dict[str, Rule] = {}


def rule(id: str, severity: str, summary: str, *, example: str):
    """Register a rule; scripts/rules_table.py makes the README's table from these."""

    def register(check):
        RULES[id] = Rule(id, severity, summary, example, check)
        return check

    return register


@rule(
    "fact-unsourced",
    "error",
    "every fact-box row and timeline event cites a source",
    example="content/factbox.yaml:6:5: error: fact-box row 'Status' cites no source",
)
def _fact_unsourced(content: Content):
    rows = content.fact_rows
    for item, what in [(r, f"fact-box row '{r.label}'") for r in rows] + [
        (e, f"timeline event '{e.title}'") for e in content.timeline
    ]:
        if not item.sources:
            yield Finding(item, item.at("sources"), f"{what} cites no source")


@rule(
    "quote-unsourced",
    "error",
    "every quote names the source it was taken from",
    example="content/quotes.yaml:7:3: error: quote 'we-talk' cites no source",
)
def _quote_unsourced(content: Content):
    for quote in content.quotes:
        if not quote.sources:
            yield Finding(quote, quote.at("sources"), f"quote '{quote.id}' cites no source")


@rule(
    "paragraph-unsourced",
    "warning",
    "every narrative paragraph carries at least one `[claim]{src=…}`",
    example="content/sections/01-offer.md:11:1: warning: paragraph has no source annotation: …",
)
def _paragraph_unsourced(content: Content):
    for doc in content.sections:
        for line, text in doc.unsourced:
            shown = text[:40] + ("..." if len(text) > 40 else "")
            yield Finding(
                doc,
                Pos(doc.pos.file, doc.body_line + line, 1),
                f"paragraph has no source annotation: {shown!r}; "
                "mark its claims with [claim]{src=source-id}",
            )


@rule(
    "prose-unsourced",
    "warning",
    (
        "the site `summary` and every actor's `stance` and `bio` cite their sources "
        "inline (or, if framing only, say why in a suppression)"
    ),
    example=(
        "content/actors.yaml:4:3: warning: stance of actor 'minister' carries no source "
        "annotation: …"
    ),
)
def _prose_unsourced(content: Content):
    items = [(content.site, "summary", "the site summary")] + [
        (a, name, f"{name} of actor '{a.id}'")
        for a in content.actors
        for name in CLAIM_PROSE["actor"]
        if getattr(a, name)
    ]
    for item, name, what in items:
        prose = item.prose.get(name)
        if prose is not None and not prose.claims:
            yield Finding(
                item,
                item.at(name),
                f"{what} carries no source annotation: mark its claims with "
                "[claim]{src=source-id}, or, if it is framing with no facts, "
                "suppress prose-unsourced with the reason",
            )


@rule(
    "heading-order",
    "warning",
    "Markdown headings do not skip a level, below the section's (h2) or page's (h1) title",
    example="content/pages/about.md:6:1: warning: heading 'Two' is h4 after h2; use ### …",
)
def _heading_order(content: Content):
    # A section's title is an h2 on the home page, a page's title its h1.
    for docs, top in ((content.sections, 3), (content.pages, 2)):
        for doc in docs:
            previous = top - 1
            for line, level, title in _headings(doc.body):
                if level < top or level > previous + 1:
                    want = "#" * max(top, min(level, previous + 1))
                    yield Finding(
                        doc,
                        Pos(doc.pos.file, doc.body_line + line, 1),
                        f"heading '{title}' is h{level} after h{previous}; use {want} "
                        f"(the {'section' if top == 3 else 'page'} title is h{top - 1}, "
                        "and headings may not skip a level)",
                    )
                previous = level


_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")


def _headings(body: str) -> Iterator[tuple[int, int, str]]:
    """(line in the body, level, text) of each `#` heading outside fenced code. The rule reads
    the text itself: a page whose claims come from the build cache is not parsed again."""
    fence = None
    for n, line in enumerate(body.split("\n")):
        if m := _FENCE.match(line):
            fence = None if fence == m[1] else fence or m[1]
        elif fence is None and (m := _ATX.match(line)):
            yield n, len(m[1]), m[2]


@rule(
    "date-unmarked",
    "warning",
    (
        'a calendar date in prose ("12 February 2025", "Feb 12", "2025-02-12") says how '
        "it is known with `{date=…}`; weekdays alone and month-year are fine; "
        "corrections and dates' reasoning are the desk's own dated records and are not "
        "checked"
    ),
    example=(
        "content/sections/01-offer.md:6:35: warning: calendar date '12 February 2025' "
        "does not say how it is known: mark it [12 February 2025]{date=id} with an entry "
        "in dates.yaml"
    ),
)
def _date_unmarked(content: Content):
    for f in wording.prose_fields(content):
        if f.dated:  # the desk's own records
            continue
        # A body's were found as it was parsed (and are kept with it in the build's memo).
        found = f.item.undated if f.kind == wording.BODY else wording.unmarked_dates(f.text, f.kind)
        for start, words in found:
            where = f"'{words}'" + (f" in {f.name}" if f.name else "")
            if f.kind == wording.PLAIN:
                advice = "this field is plain text and cannot mark it: leave the date out"
                advice += " or give it in the item's date: field"
            else:
                advice = f"mark it [{words}]{{date=id}} with an entry in dates.yaml"
            yield Finding(
                f.item,
                wording.field_pos(content, f, start),
                f"calendar date {where} does not say how it is known: {advice}",
            )


@rule(
    "copied-text",
    "warning",
    (
        f"no run of {wording.RUN} or more consecutive words (case and punctuation aside) "
        "is shared with a reference text, outside quotation marks and quotes; checks "
        "Markdown bodies and every YAML prose field"
    ),
    example=(
        "content/sections/01-offer.md:11:6: warning: 12 words in a row match reference "
        "text content/reference/report.txt:1:35 ('report'): \"the minister had rejected "
        "…\"; say it in your own words, or put the source's words in quotation marks"
    ),
)
def _copied_text(content: Content):
    references = [
        wording.Reference(sid, file, text) for sid, (file, text) in content.references.items()
    ]
    if not references:
        return
    for f in wording.prose_fields(content):
        masked = wording.mask(f.text, f.kind)
        found = wording.words(masked)
        for run in wording.copied_runs(found, references):
            start, end = found[run.start][1], found[run.end - 1][1]
            end += len(wording.WORD.match(masked, end)[0])
            words = " ".join(masked[start:end].split())
            ref = run.reference
            yield Finding(
                f.item,
                wording.field_pos(content, f, start),
                f"{run.end - run.start} words in a row match reference text {ref.pos(run.at)}"
                f" ('{ref.source_id}'): \"{words}\"; say it in your own words, or put the"
                " source's words in quotation marks",
            )


@rule(
    "anonymous-count",
    "warning",
    "an unnamed source says how many people (`count:`)",
    example=(
        "content/sources.yaml:6:3: warning: unnamed source 'two-people' does not say how "
        "many people (count:)"
    ),
)
def _anonymous_count(content: Content):
    for s in content.sources:
        if s.kind == "anonymous" and s.count is None:
            yield Finding(
                s, s.pos, f"unnamed source '{s.id}' does not say how many people (count:)"
            )


@rule(
    "anonymous-basis",
    "error",
    (
        'an unnamed source says how they are placed to know ("familiar with", "briefed '
        'on", "a senior official")'
    ),
    example=(
        "content/sources.yaml:9:3: error: unnamed source 'two-people' does not say how they know: …"
    ),
)
def _anonymous_basis(content: Content):
    for s in content.sources:
        if s.kind == "anonymous" and not BASIS_WORDS.search(s.description):
            yield Finding(
                s,
                s.at("description"),
                f"unnamed source '{s.id}' does not say how they know: describe them as e.g. "
                "'people familiar with the talks' or 'a senior official'",
            )


@rule(
    "anonymous-vague",
    "error",
    '"a source" alone is not a description',
    example="content/sources.yaml:21:3: error: 'a source' says nothing about who 'vague' is",
)
def _anonymous_vague(content: Content):
    for s in content.sources:
        if s.kind == "anonymous" and VAGUE.match(s.description):
            yield Finding(
                s, s.at("description"), f"'{s.description}' says nothing about who '{s.id}' is"
            )


@rule(
    "anonymous-number",
    "error",
    (
        'plural wording ("officials") with `count: 1`, or singular ("a senior official") '
        "with a count above one"
    ),
    example=(
        "content/sources.yaml:22:3: error: 'officials familiar with the talks' is plural "
        "('officials') but count is 1"
    ),
)
def _anonymous_number(content: Content):
    for s in content.sources:
        if s.kind != "anonymous" or s.count is None:
            continue
        plural = PLURAL_WORDS.search(s.description)
        singular = SINGULAR_WORDS.search(s.description)
        if s.count == 1 and plural and not singular:
            yield Finding(
                s,
                s.at("count"),
                f"'{s.description}' is plural ('{plural.group(0)}') but count is 1",
            )
        elif s.count > 1 and singular and not plural:
            yield Finding(
                s,
                s.at("count"),
                f"'{s.description}' is singular ('{singular.group(0)}') but count is {s.count}",
            )


@rule(
    "outlet-named",
    "error",
    (
        "another outlet's report names its outlet; people say which outlet reported them "
        "(`outlet:` or `via:`); the newsroom's `own` reporting needs neither"
    ),
    example=(
        "content/sources.yaml:1:3: error: news report 'report' does not name its outlet (outlet:)"
    ),
)
def _outlet_named(content: Content):
    for s in content.sources:
        if s.kind == "report" and not s.outlet:
            yield Finding(s, s.pos, f"news report '{s.id}' does not name its outlet (outlet:)")
        elif s.kind in ("anonymous", "on-record") and not (s.outlet or s.via):
            yield Finding(
                s,
                s.pos,
                f"source '{s.id}' does not say who reported it: add outlet: or via: (a report)",
            )


@rule(
    "conflicting-values",
    "warning",
    (
        "fact rows or timeline events with the same `fact:` key and different values; "
        "both are shown as **Disputed** until one has `resolution:`"
    ),
    example=(
        "content/factbox.yaml:12:5: warning: 'status' conflicts with line 5: Not signed "
        "vs Signed; …"
    ),
)
def _conflicting_values(content: Content):
    for fact, items in conflicts(content).items():
        first = items[0]
        shown = " vs ".join(sorted({fact_value(i) for i in items}))
        for other in items[1:]:
            yield Finding(
                other,
                other.at("fact"),
                f"'{fact}' conflicts with line {first.at('fact').line}: {shown}; "
                "both are shown as disputed until one says resolution:",
            )


@rule(
    "unused-source",
    "warning",
    "every source is cited by a claim (or is another source's `via:`)",
    example="content/sources.yaml:18:3: warning: source 'spare' is not cited by any claim",
)
def _unused_source(content: Content):
    via = {s.via for s in content.sources if s.via}
    for s in content.sources:
        if not s.cited_by and s.id not in via:
            yield Finding(s, s.at("id"), f"source '{s.id}' is not cited by any claim")


@rule(
    "unused-actor",
    "warning",
    "every actor has a quote, speaks as a source, or is mentioned by name",
    example=(
        "content/actors.yaml:5:3: warning: actor 'official' appears nowhere: no quote, "
        "source or mention"
    ),
)
def _unused_actor(content: Content):
    spoken = {s.actor for s in content.sources if s.actor}
    text = " ".join(
        [d.body for d in content.sections + content.pages]
        + [r.value for r in content.fact_rows]
        + [e.title + " " + (e.text or "") for e in content.timeline]
    )
    for a in content.actors:
        surname = a.name.split()[-1]
        if (
            a.quotes
            or a.id in spoken
            or (a.named and re.search(rf"\b{re.escape(surname)}\b", text))
        ):
            continue
        yield Finding(a, a.at("id"), f"actor '{a.id}' appears nowhere: no quote, source or mention")


def check_sourcing(content: Content, diags: Diagnostics) -> dict[str, int]:
    """Run every rule; returns how many findings each rule suppressed (for the summary)."""
    suppressed: dict[str, int] = {}
    for key, severity in content.site.rules.items():
        pos = content.site.at(f"rules.{key}")
        if key not in RULES:
            diags.error(pos, f"unknown rule '{key}' in rules:{diags.did_you_mean(key, RULES)}")
        elif severity not in SEVERITIES:
            diags.error(pos, f"rule '{key}' severity must be one of {', '.join(SEVERITIES)}")
    for item in _suppressing_items(content):
        for key in item.suppress:
            if key not in RULES:
                diags.error(
                    item.at(f"suppress.{key}"),
                    f"cannot suppress unknown rule '{key}'{diags.did_you_mean(key, RULES)}",
                )
    for r in RULES.values():
        severity = content.site.rules.get(r.id, r.severity)
        if severity == "off":
            continue
        for finding in r.check(content):
            if r.id in getattr(finding.item, "suppress", {}):
                suppressed[r.id] = suppressed.get(r.id, 0) + 1
                continue
            add = diags.error if severity == "error" else diags.warning
            add(finding.pos, finding.message, rule=r.id)
    return suppressed


def _suppressing_items(content: Content) -> list[Located]:
    rows = content.fact_rows
    return [
        content.site,
        *content.sources,
        *content.actors,
        *content.quotes,
        *rows,
        *content.timeline,
        *content.sections,
        *content.pages,
    ]
