"""Stage 3, resolve: turn every id into the object it names, and list every sourced claim.

Speakers become Actors, source ids become Sources, Markdown annotations and quote
embeds are parsed and linked. A dangling id is a diagnostic with a "did you mean".
The resulting `Content.claims` is the site-wide index the sources page is built from.
Fact rows and timeline events that give different values for the same fact are
marked disputed here, so every later stage sees the same claims. Date fields given as
dates.yaml ids get their date, and the YAML fields of inline Markdown (the site summary,
actors' stance and bio, fact-box values) are read for their claims and dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from .. import routes
from ..diagnostics import Diagnostics, Pos
from . import calendar, wording
from .markdown import TOO_DEEP, plain_text, quote_id, source_ids
from .model import Claim, Content, Document, Located, Prose, Source, When

# YAML fields that are inline Markdown and may carry claims: (item kind, field).
CLAIM_PROSE = {"site": ("summary",), "actor": ("stance", "bio")}


@dataclass
class Body:
    """A document's body as parsed: its claims and, when parsed in this process, its tokens.

    A body can also come from elsewhere as plain records (`records`): from a worker
    process or from the build cache. Its claims are then made from the records, and its
    tokens only when a page shows the body (`tokens`).
    """

    claims: list[Claim] = field(default_factory=list)
    tokens: list | None = None
    unsourced: list = field(default_factory=list)  # [(body line, text)] of bare paragraphs
    quote_ids: list = field(default_factory=list)  # the quotes it embeds
    undated: list = field(default_factory=list)  # [(offset, words)] of unmarked dates
    records: dict | None = None  # the body as `records` makes it


def records(body: Body) -> dict:
    """A parsed body as plain data, to send to another process or keep in a memo."""
    claims = [[c.text, [s.id for s in c.sources], [d.id for d in c.dates]] for c in body.claims]
    return {
        "claims": claims,
        "unsourced": body.unsourced,
        "quotes": body.quote_ids,
        "undated": body.undated,
    }


def parse(doc: Document, content: Content, md: MarkdownIt, diags) -> Body:
    """Parse one document's Markdown and link its annotations and quote embeds."""
    page = routes.HOME if doc in content.sections else routes.page(doc.slug)
    tokens, claims = _parse(doc, page, content, md, diags)
    undated = wording.unmarked_dates(doc.body, wording.BODY)
    return Body(claims, tokens, _unsourced(tokens), _quote_ids(tokens), undated)


def resolve(
    content: Content, md: MarkdownIt, diags: Diagnostics, bodies: dict[str, Body] | None = None
) -> dict[str, Body]:
    """Link everything, and return every document's body by file.

    `bodies` holds documents already parsed (by file): with tokens if in this process,
    else as records. The others are parsed here.
    """
    sources, actors = content.sources_by_id, content.actors_by_id
    bodies = dict(bodies or {})
    claims: list[Claim] = []

    def lookup(table: dict, ids: list[str], item: Located, field: str, what: str) -> list:
        found = []
        file = "actors" if table is actors else "sources"
        for i, ref in enumerate(ids):
            if ref in table:
                found.append(table[ref])
            elif not content.is_broken(file, ref):
                pos = item.field_pos.get(f"{field}.{i}", item.at(field))
                diags.error(pos, f"{field} '{ref}' is not {what}{diags.did_you_mean(ref, table)}")
        return found

    for entry in content.dates:
        entry.source_refs = lookup(sources, entry.sources, entry, "sources", "a source")
    _resolve_when(content.site, "as_of", content, diags)
    if content.factbox:
        _resolve_when(content.factbox, "as_of", content, diags)
    for item in [*content.sources, *content.quotes, *content.timeline]:
        _resolve_when(item, "date", content, diags)

    site = content.site
    site.prose["summary"] = prose = _parse_prose(
        site, "summary", md, content, diags, ("summary", routes.HOME, "Summary")
    )
    claims += prose.claims

    for source in content.sources:
        if source.actor:
            source.actor_ref = next(
                iter(lookup(actors, [source.actor], source, "actor", "an actor")), None
            )
        if source.via:
            source.via_ref = next(
                iter(lookup(sources, [source.via], source, "via", "a source")), None
            )

    if content.factbox:
        for n, row in enumerate(content.factbox.rows, 1):
            row.source_refs = lookup(sources, row.sources, row, "sources", "a source")
            row.prose = _parse_prose(row, "value", md, content, diags)
            text = f"{row.label}: {row.prose.text}"  # a reader's text, not Markdown
            row.claim = Claim(f"fact-{n}", text, row.source_refs, routes.HOME, "Fact box")
            claims.append(row.claim)

    for doc in content.sections:
        claims += _body(doc, bodies, content, md, diags).claims

    for n, event in enumerate(content.timeline, 1):
        event.source_refs = lookup(sources, event.sources, event, "sources", "a source")
        event.claim = Claim(f"event-{n}", event.title, event.source_refs, routes.HOME, "Timeline")
        claims.append(event.claim)

    for quote in content.quotes:
        speaker = lookup(actors, [quote.speaker], quote, "speaker", "an actor")
        quote.speaker_ref = speaker[0] if speaker else None
        if quote.speaker_ref:
            quote.speaker_ref.quotes.append(quote)
        quote.source_refs = lookup(sources, quote.sources, quote, "sources", "a source")
        quote.claim = Claim(
            f"quote-{quote.id}", quote.text, quote.source_refs, routes.QUOTES, "Quotes", quoted=True
        )
        claims.append(quote.claim)

    for actor in content.actors:
        page = routes.actor(actor.id)
        for name in CLAIM_PROSE["actor"]:
            if getattr(actor, name):
                where = (f"{name}-{actor.id}", page, actor.name)
                actor.prose[name] = prose = _parse_prose(actor, name, md, content, diags, where)
                claims += prose.claims

    for doc in content.pages:
        claims += _body(doc, bodies, content, md, diags).claims

    for claim in claims:
        for source in dict.fromkeys(claim.sources):
            source.cited_by.append(claim)
    content.claims = claims
    for items in conflicts(content).values():
        for item in items:
            item.claim.disputed = True
    return bodies


def _body(doc: Document, bodies: dict[str, Body], content, md, diags) -> Body:
    """The document's body: as given (claims made from records if need be), else parsed."""
    body = bodies.get(doc.pos.file)
    if body is not None and body.records is not None and not body.claims:
        page = routes.HOME if doc in content.sections else routes.page(doc.slug)
        try:  # records name sources by id; one that is gone makes them unusable
            sources, dates = content.sources_by_id, content.dates_by_id
            body.claims = [
                Claim(anchor(doc, n), str(text), [sources[i] for i in ids], page, doc.title)
                for n, (text, ids, _) in enumerate(body.records["claims"], 1)
            ]
            for claim, (*_, date_ids) in zip(body.claims, body.records["claims"], strict=True):
                claim.dates = [dates[d] for d in date_ids]
            body.unsourced = [(int(line), str(text)) for line, text in body.records["unsourced"]]
            body.quote_ids = [str(q) for q in body.records["quotes"]]
            body.undated = [(int(at), str(words)) for at, words in body.records["undated"]]
        except (KeyError, TypeError, ValueError):
            body = None
    if body is None:
        body = bodies[doc.pos.file] = parse(doc, content, md, diags)
    doc.claims, doc.unsourced, doc.quote_ids = body.claims, body.unsourced, body.quote_ids
    doc.undated = body.undated
    return body


def tokens(doc: Document, body: Body, content: Content, md: MarkdownIt) -> list:
    """The document's parsed body, linked to the claims it already has."""
    if body.tokens is None:
        page = routes.HOME if doc in content.sections else routes.page(doc.slug)
        body.tokens, _ = _parse(doc, page, content, md, Diagnostics(), reuse=body.claims)
    return body.tokens


def anchor(doc: Document, n: int) -> str:
    """The id of the n-th claim of a document on its page."""
    return f"claim-{doc.slug}-{n}"


def prose_tokens(prose: Prose, content: Content, md: MarkdownIt) -> list:
    """A YAML field's inline Markdown parsed again, linked to the claims it already has."""
    tokens = md.parseInline(prose.markdown, {})
    children = tokens[0].children or [] if tokens else []
    reuse = list(prose.claims)
    _link_spans(children, content, Diagnostics(), lambda needle: Pos(""), _reuse(reuse))
    return tokens


def _reuse(claims: list[Claim]):
    """A `make_claim` that hands out claims made before, in order."""

    def make_claim(text: str, sources: list[Source], n: int) -> Claim:
        return claims[n] if n < len(claims) else Claim("", text, sources, "", "")

    return make_claim


def _quote_ids(tokens: list) -> list[str]:
    return [quote_id(t) for t in tokens if t.type == "container_quote_open" and "quote" in t.meta]


def _unsourced(tokens: list) -> list[tuple[int, str]]:
    """Paragraphs outside quote embeds that carry no claim: (line in the body, text)."""
    found, depth = [], 0
    for i, token in enumerate(tokens):
        if token.type == "container_quote_open":
            depth += 1
        elif token.type == "container_quote_close":
            depth -= 1
        elif token.type == "paragraph_open" and depth == 0:
            inline = tokens[i + 1]
            if not any(c.type == "span_open" for c in inline.children or []):
                found.append((token.map[0] if token.map else 0, inline.content))
    return found


def conflicts(content: Content) -> dict[str, list]:
    """Fact rows and events that share a `fact` key, differ, and have no resolution."""
    groups: dict[str, list] = {}
    for item in [*content.fact_rows, *content.timeline]:
        if item.fact:
            groups.setdefault(item.fact, []).append(item)
    return {
        fact: items
        for fact, items in groups.items()
        if len({fact_value(i) for i in items}) > 1 and not any(i.resolution for i in items)
    }


def fact_value(item) -> str:
    return str(getattr(item, "value", None) or getattr(item, "date", ""))


def _resolve_when(item: Located, name: str, content: Content, diags) -> None:
    """Fill in a date field given as a dates.yaml id."""
    when = getattr(item, name)
    if when is None or when.ref is None:
        return
    entry = content.dates_by_id.get(when.ref)
    if entry is None:
        if not content.is_broken("dates", when.ref):
            diags.error(
                item.at(name),
                f"{name} '{when.ref}' is neither a date (YYYY-MM-DD) nor an entry in dates.yaml"
                + diags.did_you_mean(when.ref, content.dates_by_id),
            )
        setattr(item, name, None)
        return
    setattr(item, name, When(entry.date, when.ref, entry.basis, entry))


def _parse_prose(item: Located, name: str, md, content: Content, diags, claims=None) -> Prose:
    """A YAML field of inline Markdown, parsed and linked. `claims` is (anchor stem, page,
    where) for fields that may carry claims; elsewhere a `{src=…}` is an error."""
    markdown = getattr(item, name)
    tokens = md.parseInline(markdown, {})
    children = tokens[0].children or [] if tokens else []

    def make_claim(text: str, sources: list[Source], n: int) -> Claim:
        stem, page, where = claims
        return Claim(f"claim-{stem}-{n + 1}", text, sources, page, where)

    pos = item.at(name)
    found = _link_spans(
        children,
        content,
        diags,
        lambda needle: _yaml_find(content, pos, needle),
        make_claim if claims else None,
    )
    return Prose(markdown, plain_text(children), tuple(found))


def _yaml_find(content: Content, key: Pos, needle: str) -> Pos:
    """Where `needle` is first written in a YAML file after the key at `key` (else the key)."""
    text = content.yaml_texts.get(key.file)
    if not text or not key.line or not needle:
        return key
    offset = text.find(needle, wording.line_offset(text, key.line) + key.col - 1)
    return key if offset < 0 else wording.offset_pos(key.file, text, offset)


def _parse(
    doc: Document, page: str, content: Content, md: MarkdownIt, diags, reuse=None
) -> tuple[list, list[Claim]]:
    """Parse a Markdown body and link its annotations and quote embeds.

    With `reuse`, the claims it finds are those objects, in order (they were made from
    the same text before), so pages and the site-wide index share them.
    """
    quotes = content.quotes_by_id
    env: dict = {}
    tokens = md.parse(doc.body, env)
    lines = doc.body.split("\n")  # once: splitting per lookup made 80,000 embeds take minutes
    if (deep := env.get(TOO_DEEP)) is not None:
        diags.error(
            Pos(doc.pos.file, doc.body_line + deep, 1),
            "block quotes or lists are nested too deeply; the text from here on would be lost",
        )
    claims: list[Claim] = []

    def make_claim(text: str, found: list[Source], n: int) -> Claim:
        if reuse is not None and n < len(reuse):
            return reuse[n]
        return Claim(anchor(doc, n + 1), text, found, page, doc.title)

    for i, block in enumerate(tokens):
        if block.type == "container_quote_open":
            ref = quote_id(block)
            pos = _find(doc, lines, block.map, ref)
            if not ref:
                diags.error(pos, "quote embed needs an id: '::: quote some-quote-id'")
            elif ref not in quotes and not content.is_broken("quotes", ref):
                diags.error(
                    pos, f"quote '{ref}' is not in quotes.yaml{diags.did_you_mean(ref, quotes)}"
                )
            elif ref in quotes:
                block.meta["quote"] = quotes[ref]
            if tokens[i + 1].type != "container_quote_close":
                diags.error(
                    pos, "a quote embed takes no text: close it with ':::' on the next line"
                )
            continue
        if block.type != "inline" or not block.children:
            continue
        claims += _link_spans(
            block.children,
            content,
            diags,
            lambda needle, block=block: _find(doc, lines, block.map, needle),
            make_claim,
            first=len(claims),
        )
    return tokens, claims


def _link_spans(
    children, content: Content, diags, where, make_claim=None, first: int = 0
) -> list[Claim]:
    """Link the spans of one inline block: `[…]{src=…}` becomes a Claim (made by
    `make_claim(text, sources, n)`, n counting claims from `first`; None where claims
    are not allowed) and `[…]{date=…}` gets its When. `where(needle)` is the position
    of a text in the block's source."""
    sources = content.sources_by_id
    claims: list[Claim] = []
    for j, token in enumerate(children):
        if token.type != "span_open":
            continue
        close = _matching_close(children, j)
        text = plain_text(children[j + 1 : close])
        if "date" in token.attrs:
            if "src" in token.attrs:
                diags.error(
                    where("]{"),
                    f"[{_short(text)}] is a claim and a date at once: "
                    "put the date span inside the claim, [… [date]{date=id} …]{src=id}",
                )
                continue
            when = _date_span(str(token.attrs["date"]), text, content, diags, where)
            if when is not None:
                token.meta["date"] = children[close].meta["date"] = when
            continue
        if make_claim is None:
            diags.error(
                where("]{"),
                f"[{_short(text)}]: this text cites its sources in its item's sources:, not inline",
            )
            continue
        ids = source_ids(token)
        if not ids:
            diags.error(
                where("]{"), f"annotation [{_short(text)}] names no source: write {{src=source-id}}"
            )
            continue
        found: list[Source] = []
        for ref in ids:
            if ref in sources:
                found.append(sources[ref])
            elif not content.is_broken("sources", ref):
                diags.error(
                    where(ref),
                    f"source '{ref}' is not in sources.yaml{diags.did_you_mean(ref, sources)}",
                )
        claim = make_claim(text, found, first + len(claims))
        claim.dates = [
            content.dates_by_id[str(t.attrs["date"])]
            for t in children[j + 1 : close]
            if t.type == "span_open" and str(t.attrs.get("date")) in content.dates_by_id
        ]
        token.meta["claim"] = children[close].meta["claim"] = claim
        claims.append(claim)
    return claims


def _date_span(ref: str, text: str, content: Content, diags, where) -> When | None:
    """The When of `[text]{date=ref}`: a dates.yaml entry, or an ISO date its claim states."""
    try:
        return When(dt.date.fromisoformat(ref))
    except ValueError:
        pass
    entry = content.dates_by_id.get(ref)
    if entry is None:
        if not content.is_broken("dates", ref):
            diags.error(
                where(ref),
                f"date '{ref}' is not in dates.yaml" + diags.did_you_mean(ref, content.dates_by_id),
            )
        return None
    for found in calendar.dates_in(text):
        if not calendar.within(found, entry.date, entry.until):
            diags.error(
                where(found.text),
                f"'{found.text}' is not the date of '{ref}' in dates.yaml ({entry.date})",
            )
    return When(entry.date, ref, entry.basis, entry)


def _matching_close(tokens, start: int) -> int:
    depth = 0
    for k in range(start, len(tokens)):
        if tokens[k].type == "span_open":
            depth += 1
        elif tokens[k].type == "span_close":
            depth -= 1
            if depth == 0:
                return k
    return len(tokens) - 1


def _find(doc: Document, lines: list[str], line_map, needle: str) -> Pos:
    """Position of `needle` inside the block that spans `line_map` (body-relative lines)."""
    first, last = line_map or (0, 1)
    for n in range(first, min(last, len(lines))):
        col = lines[n].find(needle) if needle else -1
        if col >= 0:
            return Pos(doc.pos.file, doc.body_line + n, col + 1)
    return Pos(doc.pos.file, doc.body_line + first, 1)


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:27] + "..."
