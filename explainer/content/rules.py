"""Sourcing rules: newsroom policy on attribution, checked like a compiler checks types.

Each rule has a stable id, a default severity and a check. A site may change a
rule's severity (or turn it off) under `rules:` in content/site.yaml, and an item
may be exempted with `suppress: {rule-id: "why"}` next to it; the reason is
required, so every exemption is documented where the item is.

The rules follow common handbook policy (AP, Reuters, NYT; The Trust Project):
every fact is attributed; an unnamed source says how many people, how they know
and, where given, why they are unnamed; another outlet's reporting is credited to
it; conflicting accounts are shown side by side.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..diagnostics import Diagnostics, Pos
from .model import Content, Located
from .resolve import conflicts, fact_value

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
    summary: str
    check: Callable[[Content], Iterator[Finding]]


RULES: dict[str, Rule] = {}


def rule(id: str, severity: str, summary: str):
    def register(check):
        RULES[id] = Rule(id, severity, summary, check)
        return check

    return register


@rule("fact-unsourced", "error", "every fact-box row and timeline event cites a source")
def _fact_unsourced(content: Content):
    rows = content.fact_rows
    for item, what in [(r, f"fact-box row '{r.label}'") for r in rows] + [
        (e, f"timeline event '{e.title}'") for e in content.timeline
    ]:
        if not item.sources:
            yield Finding(item, item.at("sources"), f"{what} cites no source")


@rule("quote-unsourced", "error", "every quote names the source it was taken from")
def _quote_unsourced(content: Content):
    for quote in content.quotes:
        if not quote.sources:
            yield Finding(quote, quote.at("sources"), f"quote '{quote.id}' cites no source")


@rule("paragraph-unsourced", "warning", "every narrative paragraph carries a source annotation")
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


@rule("anonymous-count", "warning", "an unnamed source says how many people it is")
def _anonymous_count(content: Content):
    for s in content.sources:
        if s.kind == "anonymous" and s.count is None:
            yield Finding(
                s, s.pos, f"unnamed source '{s.id}' does not say how many people (count:)"
            )


@rule("anonymous-basis", "error", "an unnamed source says how its people are placed to know")
def _anonymous_basis(content: Content):
    for s in content.sources:
        if s.kind == "anonymous" and not BASIS_WORDS.search(s.description):
            yield Finding(
                s,
                s.at("description"),
                f"unnamed source '{s.id}' does not say how they know: describe them as e.g. "
                "'people familiar with the talks' or 'a senior official'",
            )


@rule("anonymous-vague", "error", "'a source' alone is not a description")
def _anonymous_vague(content: Content):
    for s in content.sources:
        if s.kind == "anonymous" and VAGUE.match(s.description):
            yield Finding(
                s, s.at("description"), f"'{s.description}' says nothing about who '{s.id}' is"
            )


@rule("anonymous-number", "error", "wording and count of an unnamed source agree")
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


@rule("outlet-named", "error", "reporting taken from a news outlet names the outlet")
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


@rule("conflicting-values", "warning", "two accounts of the same fact that differ are resolved")
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


@rule("unused-source", "warning", "every source is cited somewhere")
def _unused_source(content: Content):
    via = {s.via for s in content.sources if s.via}
    for s in content.sources:
        if not s.cited_by and s.id not in via:
            yield Finding(s, s.at("id"), f"source '{s.id}' is not cited by any claim")


@rule("unused-actor", "warning", "every actor appears somewhere")
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
        *content.sources,
        *content.actors,
        *content.quotes,
        *rows,
        *content.timeline,
        *content.sections,
        *content.pages,
    ]
