"""Stage 3, resolve: turn every id into the object it names, and list every sourced claim.

Speakers become Actors, source ids become Sources, Markdown annotations and quote
embeds are parsed and linked. A dangling id is a diagnostic with a "did you mean".
The resulting `Content.claims` is the site-wide index the sources page is built from.
Fact rows and timeline events that give different values for the same fact are
marked disputed here, so every later stage sees the same claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from .. import routes
from ..diagnostics import Diagnostics, Pos
from .markdown import TOO_DEEP, plain_text, quote_id, source_ids
from .model import Claim, Content, Document, Located, Source


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
    records: dict | None = None  # the body as `records` makes it


def records(body: Body) -> dict:
    """A parsed body as plain data, to send to another process or keep in a memo."""
    claims = [[c.text, [s.id for s in c.sources]] for c in body.claims]
    return {"claims": claims, "unsourced": body.unsourced}


def parse(doc: Document, content: Content, md: MarkdownIt, diags) -> Body:
    """Parse one document's Markdown and link its annotations and quote embeds."""
    page = routes.HOME if doc in content.sections else routes.page(doc.slug)
    tokens, claims = _parse(doc, page, content, md, diags)
    return Body(claims, tokens, _unsourced(tokens))


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
            row.claim = Claim(
                f"fact-{n}", f"{row.label}: {row.value}", row.source_refs, routes.HOME, "Fact box"
            )
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
            f"quote-{quote.id}", quote.text, quote.source_refs, routes.QUOTES, "Quotes"
        )
        claims.append(quote.claim)

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
            sources = content.sources_by_id
            body.claims = [
                Claim(anchor(doc, n), str(text), [sources[i] for i in ids], page, doc.title)
                for n, (text, ids) in enumerate(body.records["claims"], 1)
            ]
            body.unsourced = [(int(line), str(text)) for line, text in body.records["unsourced"]]
        except (KeyError, TypeError, ValueError):
            body = None
    if body is None:
        body = bodies[doc.pos.file] = parse(doc, content, md, diags)
    doc.claims, doc.unsourced = body.claims, body.unsourced
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


def _parse(
    doc: Document, page: str, content: Content, md: MarkdownIt, diags, reuse=None
) -> tuple[list, list[Claim]]:
    """Parse a Markdown body and link its annotations and quote embeds.

    With `reuse`, the claims it finds are those objects, in order (they were made from
    the same text before), so pages and the site-wide index share them.
    """
    sources, quotes = content.sources_by_id, content.quotes_by_id
    env: dict = {}
    tokens = md.parse(doc.body, env)
    lines = doc.body.split("\n")  # once: splitting per lookup made 80,000 embeds take minutes
    if (deep := env.get(TOO_DEEP)) is not None:
        diags.error(
            Pos(doc.pos.file, doc.body_line + deep, 1),
            "block quotes or lists are nested too deeply; the text from here on would be lost",
        )
    claims: list[Claim] = []
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
        children = block.children
        for j, token in enumerate(children):
            if token.type != "span_open":
                continue
            close = _matching_close(children, j)
            text = plain_text(children[j + 1 : close])
            ids = source_ids(token)
            if not ids:
                diags.error(
                    _find(doc, lines, block.map, "]{"),
                    f"annotation [{_short(text)}] names no source: write {{src=source-id}}",
                )
                continue
            found: list[Source] = []
            for ref in ids:
                if ref in sources:
                    found.append(sources[ref])
                elif not content.is_broken("sources", ref):
                    diags.error(
                        _find(doc, lines, block.map, ref),
                        f"source '{ref}' is not in sources.yaml{diags.did_you_mean(ref, sources)}",
                    )
            if reuse is not None and len(claims) < len(reuse):
                claim = reuse[len(claims)]
            else:
                claim = Claim(anchor(doc, len(claims) + 1), text, found, page, doc.title)
            token.meta["claim"] = children[close].meta["claim"] = claim
            claims.append(claim)
    return tokens, claims


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
