"""Stage 3, resolve: turn every id into the object it names, and list every sourced claim.

Speakers become Actors, source ids become Sources, Markdown annotations and quote
embeds are parsed and linked. A dangling id is a diagnostic with a "did you mean".
The resulting `Content.claims` is the site-wide index the sources page is built from.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from .. import routes
from ..build.workers import parse_shares
from ..diagnostics import Diagnostics, Pos
from .files import digest
from .markdown import TOO_DEEP, plain_text, quote_id, source_ids
from .model import Claim, Content, Document, Located, Source


def resolve(
    content: Content, md: MarkdownIt, diags: Diagnostics, memo: dict | None = None, jobs: int = 1
) -> Content:
    """Link everything. `memo` (the build cache's) remembers each clean page's claims by
    its text and the ids it could refer to, so an unchanged page is not parsed again
    until it is rendered (see `tokens`). With `jobs` > 1, pages the memo does not know
    are parsed across that many processes first."""
    sources, actors = content.sources_by_id, content.actors_by_id
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

    tables = digest(*sorted(sources), "\0", *sorted(content.quotes_by_id), "\0")
    tables = digest(tables, *sorted(content.broken_ids), "\0", *sorted(content.broken_files))
    for doc in content.pages:  # what the memo knows a page's claims by
        doc.memo_key = digest(doc.digest, doc.pos.file, doc.slug, doc.title, tables)
    if memo is not None and jobs > 1:
        _parse_ahead(content, md, memo, jobs)
    for doc in content.pages:
        claims += _resolve_page(doc, content, md, diags, memo, sources)

    for claim in claims:
        for source in dict.fromkeys(claim.sources):
            source.cited_by.append(claim)
    content.claims = claims
    return content


def _resolve_page(doc: Document, content, md, diags, memo: dict | None, sources: dict):
    """A free-standing page's claims: from the memo when its text and the ids it can name
    are unchanged, else by parsing it. Only pages that parse without a diagnostic are
    remembered, so a memo never has to repeat one."""
    page = routes.page(doc.slug)
    if doc.parsed_ahead:  # by `_parse_ahead`, in this process: keep its tokens
        return doc.claims
    remembered = memo.get(doc.memo_key) if memo is not None else None
    if remembered is not None:
        try:  # the memo may come from a cache file: anything odd in it is a miss
            claims_key, records = remembered
            doc.claims = [
                Claim(str(anchor), str(text), [sources[i] for i in ids], page, doc.title)
                for anchor, text, ids in records
            ]
            doc.claims_key = str(claims_key)
            doc.tokens = None  # parsed when rendered: `tokens`
            return doc.claims
        except (KeyError, TypeError, ValueError):
            pass
    before = len(diags.items)
    claims = _resolve_document(doc, page, content, md, diags)
    entry = _memo_entry(doc, claims)
    if memo is not None and len(diags.items) == before:
        memo[doc.memo_key] = entry
    return claims


def _memo_entry(doc: Document, claims: list[Claim]) -> list:
    """[a digest of the claims, the claims as plain data]; sets the page's `claims_key`."""
    records = [(c.anchor, c.text, [s.id for s in c.sources]) for c in claims]
    doc.claims_key = digest(repr(records))
    return [doc.claims_key, records]


def _parse_ahead(content: Content, md: MarkdownIt, memo: dict, jobs: int) -> None:
    """Parse the pages the memo does not know, spread over `jobs` processes.

    Their claims go into the memo, where `_resolve_page` then finds them; pages with a
    problem are left out and parsed again there, so their diagnostics come out as
    usual. This process's own share keeps its tokens (`parsed_ahead`).
    """
    todo = [d for d in content.pages if d.memo_key not in memo]

    for n, doc in enumerate(todo):
        doc.share = n % jobs  # the process that parses it renders it: `render`

    def work(docs: list[Document]) -> list:
        results = []
        for doc in docs:
            quiet = _Quiet()
            claims = _resolve_document(doc, routes.page(doc.slug), content, md, quiet)
            doc.parsed_ahead = not quiet.count
            results.append(_memo_entry(doc, claims) if doc.parsed_ahead else None)
        return results

    results = parse_shares(work, todo, jobs)
    for doc, entry in zip(todo, results, strict=True):
        if entry is not None:
            memo[doc.memo_key] = entry


class _Quiet:
    """Diagnostics that only count: `_parse_ahead` leaves reporting to the main pass."""

    count = 0

    def error(self, *args, **kwargs) -> None:
        self.count += 1

    warning = error

    def did_you_mean(self, word, choices) -> str:
        return ""  # reported later, with the build's budget


def tokens(doc: Document, page: str, content: Content, md: MarkdownIt) -> list:
    """The document's parsed body, linked to the claims it already has."""
    if doc.tokens is None:
        _resolve_document(doc, page, content, md, Diagnostics(), reuse=doc.claims)
    return doc.tokens


def _resolve_document(
    doc: Document, page: str, content: Content, md: MarkdownIt, diags, reuse=None
) -> list[Claim]:
    """Parse a Markdown body and link its annotations and quote embeds.

    With `reuse`, the claims it finds are those objects, in order (they were made from
    the same text before), so pages and the site-wide index share them.
    """
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
            elif ref not in quotes and not content.is_broken("quotes", ref):
                diags.error(
                    pos, f"quote '{ref}' is not in quotes.yaml{diags.did_you_mean(ref, quotes)}"
                )
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
                elif not content.is_broken("sources", ref):
                    diags.error(
                        _find(doc, lines, block.map, ref),
                        f"source '{ref}' is not in sources.yaml{diags.did_you_mean(ref, sources)}",
                    )
            if reuse is not None and len(claims) < len(reuse):
                claim = reuse[len(claims)]
            else:
                claim = Claim(f"claim-{doc.slug}-{len(claims) + 1}", text, found, page, doc.title)
            token.meta["claim"] = children[close].meta["claim"] = claim
            claims.append(claim)
    doc.claims = claims
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
