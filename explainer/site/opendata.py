"""`data/explainer.json`: the explainer's facts as open data, for reuse and fact-checking.

Fact-box rows and timeline events carry their status (confirmed, reported, disputed),
and the corrections log comes along, so reusers see what readers see.

The shape is documented in README.md ("Open data") and fixed: every key is always
present (null when empty), keys keep the order below, dates are ISO 8601, and
references between items are ids. `VERSION` changes when the shape does.
"""

from __future__ import annotations

import json

from .. import routes
from ..content.markdown import inline_text
from ..content.model import Content, Person
from ..urls import BaseUrl

VERSION = 1


def open_data(content: Content, base: BaseUrl, md) -> dict:
    site = content.site
    box = content.factbox
    return {
        "version": VERSION,
        "site": {
            "title": site.title,
            "kicker": site.kicker,
            "summary": site.summary,
            "description": site.description,
            "language": site.language,
            "url": base.abs_url(routes.HOME),
            "published": _date(site.published),
            "updated": _date(content.updated),  # the latest of site.updated and corrections
            "publisher": _person(site.publisher, base),
            "authors": [_person(a, base) for a in site.authors],
            "scope_note": site.scope_note,
        },
        "factbox": None
        if box is None
        else {
            "title": box.title,
            "as_of": _date(box.as_of),
            "rows": [
                {
                    "label": row.label,
                    "value": inline_text(md, row.value),
                    "value_markdown": row.value,
                    "status": row.claim.status if row.claim else None,
                    "sources": row.sources,
                }
                for row in box.rows
            ],
        },
        "actors": [
            {
                "id": a.id,
                "name": a.name,
                "named": a.named,
                "role": a.role,
                "affiliation": a.affiliation,
                "country": a.country,
                "stance": a.stance,
                "bio": a.bio,
                "url": base.abs_url(routes.actor(a.id)),
            }
            for a in content.actors
        ],
        "quotes": [
            {
                "id": q.id,
                "speaker": q.speaker,
                "text": q.text,
                "date": _date(q.date),
                "date_note": q.date_note,
                "place": q.place,
                "context": q.context,
                "key": q.key,
                "sources": q.sources,
            }
            for q in content.quotes
        ],
        "timeline": [
            {
                "date": _date(e.date),
                "date_note": e.date_note,
                "title": e.title,
                "text": e.text,
                "status": e.claim.status if e.claim else None,
                "sources": e.sources,
            }
            for e in content.timeline
        ],
        "sources": [
            {
                "id": s.id,
                "kind": s.kind,
                "label": s.label,
                "description": s.description,
                "count": s.count,
                "outlet": s.outlet,
                "title": s.title,
                "date": _date(s.date),
                "url": base.abs_link(s.url) if s.url else None,
                "actor": s.actor,
                "via": s.via,
                "why_unnamed": s.why_unnamed,
                "note": s.note,
            }
            for s in content.sources
        ],
        "corrections": [
            {
                "date": _date(c.date),
                "kind": c.kind,
                "text": c.text,
                "why": c.why,
                "pages": c.pages or ["explainer"],
            }
            for c in content.corrections
        ],
    }


def to_bytes(data: dict) -> bytes:
    """Stable bytes: insertion order, two-space indent, UTF-8, final newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _person(who: Person, base: BaseUrl) -> dict:
    return {"name": who.name, "url": base.abs_link(who.url) if who.url else None}
