"""`data/explainer.json`: the explainer's facts as open data, for reuse and fact-checking.

Fact-box rows and timeline events carry their status (from all their sources, as the
page labels them), every date says whether a source states it or the desk derived it
(with the reasoning under `dates`), Markdown comes as plain text beside the text as
written, and the corrections log comes along, so reusers see what readers see.

The shape is documented in README.md ("Open data") and fixed: every key is always
present (null when empty), keys keep the order below, dates are ISO 8601, and
references between items are ids. `VERSION` changes when the shape does.
"""

from __future__ import annotations

import json

from .. import routes
from ..content.model import Content, Person, When
from ..urls import BaseUrl

VERSION = 2


def open_data(content: Content, base: BaseUrl, md) -> dict:
    site = content.site
    box = content.factbox
    return {
        "version": VERSION,
        "site": {
            "title": site.title,
            "kicker": site.kicker,
            "summary": site.prose["summary"].text,
            "summary_markdown": site.summary,
            "description": site.description,
            "language": site.language,
            "url": base.abs_url(routes.HOME),
            "published": _date(site.published),
            "updated": _date(content.updated),  # the latest of site.updated and corrections
            **_when("as_of", site.as_of),
            "publisher": _person(site.publisher, base),
            "authors": [_person(a, base) for a in site.authors],
            "scope_note": site.scope_note,
        },
        "factbox": None
        if box is None
        else {
            "title": box.title,
            **_when("as_of", box.as_of),
            "rows": [
                {
                    "label": row.label,
                    "value": row.prose.text if row.prose else row.value,
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
                "stance": _text(a.prose.get("stance"), a.stance),
                "stance_markdown": a.stance,
                "bio": _text(a.prose.get("bio"), a.bio),
                "bio_markdown": a.bio,
                "url": base.abs_url(routes.actor(a.id)),
            }
            for a in content.actors
        ],
        "quotes": [
            {
                "id": q.id,
                "speaker": q.speaker,
                "text": q.text,
                **_when("date", q.date),
                "place": q.place,
                "context": q.context,
                "key": q.key,
                "sources": q.sources,
            }
            for q in content.quotes
        ],
        "timeline": [
            {
                **_when("date", e.date),
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
                **_when("date", s.date),
                "url": base.abs_link(s.url) if s.url else None,
                "actor": s.actor,
                "via": s.via,
                "why_unnamed": s.why_unnamed,
                "note": s.note,
            }
            for s in content.sources
        ],
        "dates": [
            {
                "id": d.id,
                "date": _date(d.date),
                "until": _date(d.until),
                "basis": d.basis,
                "reasoning": d.reasoning,
                "sources": d.sources,
            }
            for d in content.dates
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


def _when(name: str, when: When | None) -> dict:
    """A date field as three keys: the date, its basis (stated or derived) and its entry
    in `dates` (null for a date the item's sources state)."""
    return {
        name: _date(when.date) if when else None,
        f"{name}_basis": when.basis if when else None,
        f"{name}_ref": when.ref if when else None,
    }


def _text(prose, markdown: str | None) -> str | None:
    """What a reader sees of an inline Markdown field."""
    return prose.text if prose is not None else markdown


def _person(who: Person, base: BaseUrl) -> dict:
    return {"name": who.name, "url": base.abs_link(who.url) if who.url else None}
