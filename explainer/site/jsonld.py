"""Structured data for search engines: schema.org JSON-LD, built as plain dicts.

The explainer's home page is a `BackgroundNewsArticle` (schema.org's explainer kind
of `NewsArticle`) citing its sources; a named actor's page describes a `Person`.
Unnamed people get no `Person`: they have no name to give. Markdown fields are given as
the text a reader sees. A date the desk derived is never given as a plain schema.org date:
the citation's description says it was derived and where the reasoning is. Templates
print the dicts with the `jsonld` filter, which keeps them inert inside `<script>`.
"""

from __future__ import annotations

import json

from markupsafe import Markup

from .. import routes
from ..content.model import Actor, Content, Person, Source
from ..urls import BaseUrl
from .share_image import ShareImage

CONTEXT = "https://schema.org"


def jsonld(data) -> Markup:
    """JSON safe inside <script>: '<', '>' and '&' as \\u escapes, so '</script>' and
    '<!--' in content cannot end or change the script element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # compact: it is in <head>
    for char in "<>&":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)


def structured_data(
    page_path: str, actor: Actor | None, content: Content, base: BaseUrl, image: ShareImage
) -> list[dict]:
    """The JSON-LD blocks for one page."""
    if page_path == routes.HOME:
        return [article(content, base, image)]
    if actor is not None and actor.named:
        return [person(actor, base)]
    return []


def article(content: Content, base: BaseUrl, image: ShareImage) -> dict:
    site = content.site
    home = base.abs_url(routes.HOME)
    data = {
        "@context": CONTEXT,
        "@type": "BackgroundNewsArticle",
        "headline": site.title,
        "description": site.description,
        "abstract": site.prose["summary"].text if "summary" in site.prose else site.summary,
        "url": home,
        "mainEntityOfPage": home,
        "inLanguage": site.language,
        "image": {
            "@type": "ImageObject",
            "url": base.abs_url(image.route),
            "width": image.width,
            "height": image.height,
            "caption": image.alt,
        },
        "datePublished": site.published.isoformat(),
        "dateModified": (content.updated or site.published).isoformat(),
        "author": [_agent("Person", a, base) for a in site.authors],
        "publisher": _agent("Organization", site.publisher, base),
        "isAccessibleForFree": True,
        "citation": [citation(s, base) for s in content.sources],
    }
    mentions = [_mention(a, base) for a in content.actors if a.named]
    if mentions:
        data["mentions"] = mentions
    return data


def link_translations(article: dict, alternates: list[dict]) -> dict:
    """The article linked to the same explainer in its other languages: a translation
    names the original (`translationOfWork`), the original its translations."""
    if len(alternates) < 2:
        return article
    original, *translations = alternates

    def work(alt: dict) -> dict:
        url = alt["abs_url"]
        return {"@type": "BackgroundNewsArticle", "@id": url, "url": url, "inLanguage": alt["lang"]}

    if any(alt["current"] for alt in translations):
        article["translationOfWork"] = work(original)
    else:
        article["workTranslation"] = [work(alt) for alt in translations]
    return article


def person(actor: Actor, base: BaseUrl) -> dict:
    data = {
        "@context": CONTEXT,
        "@type": "Person",
        "name": actor.name,
        "jobTitle": actor.role,
        "description": actor.prose["stance"].text if "stance" in actor.prose else actor.stance,
        "mainEntityOfPage": base.abs_url(routes.actor(actor.id)),
    }
    if actor.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": actor.affiliation}
    return data


def citation(source: Source, base: BaseUrl) -> dict | str:
    """A report or document is a CreativeWork; people, named or not, are cited as text."""
    if source.kind not in ("report", "document"):
        return f"{source.label}: {source.description}"
    work: dict = {"@type": "CreativeWork", "name": source.title or source.label}
    work["description"] = source.description
    if source.url:
        work["url"] = base.abs_link(source.url)
    if source.date and source.date.derived:
        reasoning = base.abs_url(routes.SOURCES) + f"#date-{source.date.ref}"
        work["description"] += (
            f" (date {source.date.date.isoformat()}, worked out by the desk: {reasoning})"
        )
    elif source.date:
        work["datePublished"] = source.date.date.isoformat()
    if source.outlet:
        work["publisher"] = {"@type": "Organization", "name": source.outlet}
    return work


def _agent(kind: str, who: Person, base: BaseUrl) -> dict:
    data = {"@type": kind, "name": who.name}
    if who.url:
        data["url"] = base.abs_link(who.url)
    return data


def _mention(actor: Actor, base: BaseUrl) -> dict:
    return {
        "@type": "Person",
        "name": actor.name,
        "jobTitle": actor.role,
        "mainEntityOfPage": base.abs_url(routes.actor(actor.id)),
    }
