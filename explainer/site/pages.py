"""The site's pages: which pages exist, with what template and context, and the per-page
bookkeeping templates use while rendering one (citations and the "How we know this" ledger).

Helpers that templates call read the model the way templates do, through the sandbox's
`getattr` (`read`), so what they read is part of the page's dependency record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import routes
from ..content.model import SOURCE_KINDS, Claim, Content, Source


@dataclass
class Page:
    path: str  # route, relative to the base URL
    template: str
    context: dict = field(default_factory=dict)


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


def plan(content: Content) -> list[Page]:
    """Every page of the site, each with the claims it shows (for its ledger)."""
    by_page: dict[str, list[Claim]] = {}
    for claim in content.claims:
        by_page.setdefault(claim.page, []).append(claim)
    result = [
        Page(routes.HOME, "home.html", {"page_claims": by_page.get(routes.HOME, [])}),
        Page(routes.ACTORS, "actors.html", {"page_claims": []}),
        Page(routes.QUOTES, "quotes.html", {"page_claims": by_page.get(routes.QUOTES, [])}),
        Page(routes.SOURCES, "sources.html", {"page_claims": []}),
        Page(routes.NOT_FOUND, "404.html", {"page_claims": []}),
    ]
    for actor in content.actors:
        claims = [q.claim for q in actor.quotes if q.claim]
        result.append(
            Page(routes.actor(actor.id), "actor.html", {"actor": actor, "page_claims": claims})
        )
    for doc in content.pages:
        path = routes.page(doc.slug)
        result.append(Page(path, "page.html", {"doc": doc, "page_claims": by_page.get(path, [])}))
    return result


def ledger(claims: list[Claim], read: Callable = getattr) -> dict:
    """How the claims on a page are known: counts by the firmest kind of source behind each."""
    counts = dict.fromkeys(SOURCE_KINDS, 0)
    sources = {id(c): read(c, "sources") for c in claims}
    for claim in claims:
        kinds = {read(s, "kind") for s in sources[id(claim)]}
        firmest = next((k for k in SOURCE_KINDS if k in kinds), None)
        if firmest:
            counts[firmest] += 1
    total = sum(counts.values())
    anonymous_only = sum(1 for c in claims if read(c, "anonymous_only"))
    return {"counts": counts, "total": total, "anonymous_only": anonymous_only}
