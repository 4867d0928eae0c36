"""Stage 3, resolve: turn every id into the object it names, and list every sourced claim.

Speakers become Actors, source ids become Sources, Markdown annotations and quote
embeds are parsed and linked. A dangling id is a diagnostic with a "did you mean".
The resulting `Content.claims` is the site-wide index the sources page is built from.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from . import routes
from .diagnostics import Diagnostics, Pos, did_you_mean
from .markdown import TOO_DEEP, plain_text, quote_id, source_ids
from .model import Claim, Content, Document, Located, Source


def resolve(content: Content, md: MarkdownIt, diags: Diagnostics) -> Content:
    sources, actors = content.sources_by_id, content.actors_by_id
    claims: list[Claim] = []

    def lookup(table: dict, ids: list[str], item: Located, field: str, what: str) -> list:
        found = []
        for i, ref in enumerate(ids):
            if ref in table:
                found.append(table[ref])
            elif ref not in content.broken_ids:
                pos = item.field_pos.get(f"{field}.{i}", item.at(field))
                diags.error(pos, f"{field} '{ref}' is not {what}{did_you_mean(ref, table)}")
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
        claims += _resolve_document(doc, routes.HOME, content, md, diags)

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
        claims += _resolve_document(doc, routes.page(doc.slug), content, md, diags)

    for claim in claims:
        for source in dict.fromkeys(claim.sources):
            source.cited_by.append(claim)
    content.claims = claims
    return content


def _resolve_document(
    doc: Document, page: str, content: Content, md: MarkdownIt, diags
) -> list[Claim]:
    """Parse a Markdown body and link its annotations and quote embeds."""
    sources, quotes = content.sources_by_id, content.quotes_by_id
    env: dict = {}
    doc.tokens = md.parse(doc.body, env)
    lines = doc.body.split("\n")  # once: splitting per lookup made 80,000 embeds take minutes
    if (deep := env.get(TOO_DEEP)) is not None:
        diags.error(
            Pos(doc.pos.file, doc.body_line + deep, 1),
            "block quotes or lists are nested too deeply; the text from here on would be lost",
        )
    claims: list[Claim] = []
    for i, block in enumerate(doc.tokens):
        if block.type == "container_quote_open":
            ref = quote_id(block)
            pos = _find(doc, lines, block.map, ref)
            if not ref:
                diags.error(pos, "quote embed needs an id: '::: quote some-quote-id'")
            elif ref not in quotes and ref not in content.broken_ids:
                diags.error(pos, f"quote '{ref}' is not in quotes.yaml{did_you_mean(ref, quotes)}")
            elif ref in quotes:
                block.meta["quote"] = quotes[ref]
            if doc.tokens[i + 1].type != "container_quote_close":
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
                elif ref not in content.broken_ids:
                    diags.error(
                        _find(doc, lines, block.map, ref),
                        f"source '{ref}' is not in sources.yaml{did_you_mean(ref, sources)}",
                    )
            claim = Claim(f"claim-{doc.slug}-{len(claims) + 1}", text, found, page, doc.title)
            token.meta["claim"] = children[close].meta["claim"] = claim
            claims.append(claim)
    return claims


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
