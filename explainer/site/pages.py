"""The site's pages: which pages exist, with what template and context, and the per-page
bookkeeping templates use while rendering one (citations, derived dates and the "How we
know this" ledger).

Helpers that templates call read the model the way templates do, through the sandbox's
`getattr` (`read`), so what they read is part of the page's dependency record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import routes
from ..content.model import STATUSES, Claim, Content, DateEntry, Source


@dataclass
class Page:
    path: str  # route, relative to the base URL
    template: str
    context: dict = field(default_factory=dict)
    embed: bool = False  # for other sites to frame: not in the sitemap, has an oEmbed file


class Citations:
    """The sources cited on one page, in order of first use, with one back-link per use.

    Templates call `cite(claim)` where a claim's chips go, and `entries()` where the
    page's source list goes, so numbering follows the order the template shows things.
    """

    def __init__(self, read: Callable = getattr) -> None:
        self._read = read
        self._uses: dict[str, list[tuple[str, Claim]]] = {}
        self._sources: dict[str, Source] = {}
        self._anchors: dict[str, int] = {}

    def cite(self, claim: Claim) -> list[tuple[Source, str]]:
        chips = []
        for source in self._read(claim, "sources"):
            uses = self._uses.setdefault(source.id, [])
            self._sources[source.id] = source
            ref = f"ref-{source.id}-{len(uses) + 1}"
            uses.append((ref, claim))
            chips.append((source, ref))
        return chips

    def anchor(self, base: str) -> str:
        """A page-unique id: the first use of `quote-x` gets it, later ones `quote-x-2`…"""
        n = self._anchors[base] = self._anchors.get(base, 0) + 1
        return base if n == 1 else f"{base}-{n}"

    def entries(self) -> list[tuple[Source, list[tuple[str, Claim]]]]:
        return [(self._sources[sid], uses) for sid, uses in self._uses.items()]


class DateNotes:
    """The derived dates shown on one page, so the page can say how each was worked out.

    A derived date's mark links to `#date-<id>` (`use`); the entries listed on the page
    where the text asks for them (`::: dates`, `listed`) are not listed again at its end
    (`pending`).
    """

    def __init__(self) -> None:
        self._used: dict[str, DateEntry] = {}
        self._listed: set[str] = set()

    def use(self, entry: DateEntry) -> str:
        self._used.setdefault(entry.id, entry)
        return f"date-{entry.id}"

    def listed(self, entries: list[DateEntry]) -> str:
        self._listed.update(e.id for e in entries)
        return ""

    def pending(self) -> list[DateEntry]:
        return sorted(
            (e for i, e in self._used.items() if i not in self._listed), key=lambda e: e.date
        )


def plan(content: Content) -> list[Page]:
    """Every page of the site, each with the claims it shows (for its ledger)."""
    by_page: dict[str, list[Claim]] = {}
    for claim in content.claims:
        by_page.setdefault(claim.page, []).append(claim)
    result = [
        Page(
            routes.HOME,
            "home.html",
            {"page_claims": by_page.get(routes.HOME, []), "key_quotes": key_quotes(content)},
        ),
        Page(routes.ACTORS, "actors.html", {"page_claims": []}),
        Page(routes.QUOTES, "quotes.html", {"page_claims": by_page.get(routes.QUOTES, [])}),
        Page(routes.SOURCES, "sources.html", {"page_claims": []}),
        Page(routes.NOT_FOUND, "404.html", {"page_claims": []}),
    ]
    if content.factbox:
        embedded = {"page_claims": [], "embedded": True}  # its links open in the top window
        result.append(Page(routes.EMBED_FACTBOX, "embed_factbox.html", embedded, embed=True))
    for actor in content.actors:
        claims = by_page.get(routes.actor(actor.id), [])
        claims = claims + [q.claim for q in actor.quotes if q.claim]
        result.append(
            Page(routes.actor(actor.id), "actor.html", {"actor": actor, "page_claims": claims})
        )
    for doc in content.pages:
        path = routes.page(doc.slug)
        result.append(Page(path, "page.html", {"doc": doc, "page_claims": by_page.get(path, [])}))
    return result


def key_quotes(content: Content) -> list:
    """The home page's "In their own words": key quotes no section embeds already, so a
    quote appears once on the page."""
    embedded = {q for doc in content.sections for q in doc.quote_ids}
    return [q for q in content.quotes if q.key and q.id not in embedded]


def ledger(claims: list[Claim], read: Callable = getattr) -> dict:
    """How the claims on a page are known: counts by status (the label each claim wears,
    from all its sources), firmest first, so the ledger ranks claims as their labels do."""
    counts = dict.fromkeys(STATUSES, 0)
    for claim in claims:
        if read(claim, "sources"):
            counts[read(claim, "status")] += 1
    total = sum(counts.values())
    anonymous_only = sum(1 for c in claims if read(c, "anonymous_only"))
    return {"counts": counts, "total": total, "anonymous_only": anonymous_only}
