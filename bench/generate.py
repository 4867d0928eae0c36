"""Generate a deterministic synthetic site of N pages for explainer and four peer generators.

    python bench/generate.py --n 1000 --out /tmp/explainer-bench/sites/1000 [--seed 8]

writes one folder per tool under --out, all holding the same N articles:

    explainer/  content/ (site, sources, actors, quotes, factbox, timeline, 3 sections,
                N pages) and templates/base.html, a copy of the built-in theme's base template
    hugo/       hugo.toml, content/posts/*.md, layouts/ (base, single, home)
    eleventy/   eleventy.config.cjs, src/pages/*.md, src/_includes/ (base, page), src/index.njk
    pelican/    pelicanconf.py, content/*.md, theme/templates/ (base, article, index)
    mkdocs/     mkdocs.yml, docs/*.md, theme/main.html

Each article has 600–900 words: front matter (title, date, summary, tags), headings,
paragraphs, bullet and numbered lists, block quotes, external links and links to other
articles, source annotations `[claim]{src=id}` and a quote embed `::: quote id`. Explainer
also gets N/10 sources, N/20 actors and N/5 quotes, cross-referenced (quotes name actors and
sources, on-record sources name actors, reported sources go `via` a report). The peers have no
equivalent of annotations: they get the claim as plain text and the quote as a block quote with
its attribution. Every site writes each article to /<slug>/index.html and has one index page
listing all articles.

One source, `wire-report` (the first), is cited on every page: `bench/run.py` edits it to
measure "rebuild after editing one source used on many pages".

The same --seed and --n give byte-identical files; article i is the same text for every N
except for the ids it cites.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLS = ("explainer", "hugo", "eleventy", "pelican", "mkdocs")
HOT_SOURCE = "wire-report"


def words(text: str) -> list[str]:
    return text.split()


WORDS = words(
    """
agreement ministry officials talks deal minerals border ceasefire budget parliament
coalition election vote report analysts sanctions exports imports energy pipeline grid
reserves treaty delegation envoy summit capital region province council court ruling
appeal evidence documents letter memo draft proposal clause guarantee security funding
investors market prices inflation rates bank currency debt loan payments schedule deadline
weeks months officials familiar people statement spokesperson interview briefing record
terms share rights revenue fund reconstruction infrastructure ports railways mines licences
companies contractors workers unions protest strike police inquiry audit figures data survey
households families cities villages farmers harvest drought floods supply shortage demand
negotiators diplomats governors mayors judges lawyers reporters editors agency commission
committee hearing testimony witnesses timeline sequence decision outcome risk concern
"""
)
CONNECTORS = words(
    "the a of in on for with to from by at over under after before about and but while as"
)
VERBS = words(
    "said confirmed denied expects warned argued proposed rejected signed delayed "
    "reviewed questioned approved published described estimated reported noted"
)
TAGS = [f"topic-{w}" for w in WORDS[:30]]
FIRST = words("Ann Ben Carla David Elena Farid Grace Hana Ivan Julia Karim Lena Marta Nikolai")
LAST = words("Okafor Petrov Quinn Rossi Sato Tanaka Ueda Varga Weber Xu Young Zhou Adler Brandt")
ROLES = ["Minister", "Envoy", "Spokesperson", "Analyst", "Negotiator", "Governor", "Official"]
PLACES = ["the capital", "Geneva", "Munich", "Brussels", "Warsaw", "Istanbul", "Riyadh"]
KINDS = ("report", "document", "anonymous", "on-record")


# ── the article model, written out per tool ────────────────────────────────────────────────


@dataclass
class Claim:
    text: str
    sources: list[str]


@dataclass
class Link:
    text: str
    url: str  # absolute URL, or "page:<slug>" for another article


@dataclass
class Article:
    slug: str
    title: str
    date: dt.date
    summary: str
    tags: list[str]
    blocks: list[tuple]  # ("h", level, text) ("p", parts) ("ul"|"ol", [parts]) ("bq", parts)
    # ("quote", quote_id); parts are lists of str | Claim | Link


@dataclass
class Site:
    n: int
    articles: list[Article]
    sources: list[dict]
    actors: list[dict]
    quotes: list[dict]


def sentence(rng: random.Random, lo: int = 9, hi: int = 20) -> str:
    words = []
    for i in range(rng.randint(lo, hi)):
        pool = VERBS if i == 2 else CONNECTORS if i % 3 == 1 else WORDS
        words.append(rng.choice(pool))
    return " ".join(words).capitalize() + "."


def phrase(rng: random.Random, lo: int = 3, hi: int = 7) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def count_words(parts) -> int:
    total = 0
    for p in parts:
        total += len((p if isinstance(p, str) else p.text).split())
    return total


def make_site(n: int, seed: int) -> Site:
    """The whole synthetic site as data; every random choice comes from `seed`."""
    rng = random.Random(f"{seed}:data")
    n_sources, n_actors, n_quotes = max(4, n // 10), max(2, n // 20), max(2, n // 5)

    actors = []
    for i in range(n_actors):
        named = i % 5 != 4
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        role = ROLES[i % len(ROLES)]
        actors.append(
            {
                "id": f"actor-{i + 1}-{last.lower()}",
                "name": f"{first} {last}" if named else f"An unnamed {role.lower()}",
                "role": role,
                "affiliation": f"{phrase(rng, 1, 2).title()} Office",
                "country": rng.choice(["Ukraine", "United States", "Poland", "Germany"]),
                "named": named,
                "stance": sentence(rng, 8, 14),
            }
        )

    sources = []
    for i in range(n_sources):
        kind = "report" if i == 0 else KINDS[i % len(KINDS)]
        sid = HOT_SOURCE if i == 0 else f"src-{i + 1}-{rng.choice(WORDS)}"
        src = {"id": sid, "kind": kind, "label": f"Source {i + 1} · {kind}"}
        src["description"] = sentence(rng, 6, 12).rstrip(".").lower()
        if kind == "report":
            src["outlet"] = f"The {phrase(rng, 1, 1).title()} Times"
        if kind == "document":
            src["title"] = phrase(rng, 3, 6).capitalize()
            src["date"] = dt.date(2024, 1, 1) + dt.timedelta(days=i % 365)
            src["url"] = f"https://example.org/documents/{i + 1}"
        if kind == "anonymous":
            src["count"] = 1 + i % 4
            # The sourcing rules want wording that says how they know, in the right number.
            who = "an official" if src["count"] == 1 else f"{src['count']} people"
            src["description"] = f"{who} familiar with {src['description']}"
        if kind == "on-record":
            src["actor"] = actors[i % n_actors]["id"]
        if kind in ("anonymous", "on-record"):
            src["via"] = HOT_SOURCE
        sources.append(src)
    on_record = {s["actor"]: s["id"] for s in sources if s["kind"] == "on-record"}

    quotes = []
    for i in range(n_quotes):
        actor = actors[i % n_actors]
        quotes.append(
            {
                "id": f"quote-{i + 1}",
                "speaker": actor["id"],
                "text": sentence(rng, 8, 18).rstrip("."),
                "date": dt.date(2024, 1, 1) + dt.timedelta(days=(i * 7) % 365),
                "place": rng.choice(PLACES),
                "context": sentence(rng, 5, 10),
                "sources": [on_record.get(actor["id"], HOT_SOURCE)],
                "key": i < 3,
            }
        )

    # Citations follow a long tail: source k is cited with weight 1/k.
    source_ids = [s["id"] for s in sources]
    weights = [1 / (k + 1) for k in range(n_sources)]
    slugs = [
        f"{'-'.join(random.Random(f'{seed}:slug:{i}').sample(WORDS, 2))}-{i + 1}" for i in range(n)
    ]

    def cite(prng: random.Random) -> list[str]:
        k = 1 if prng.random() < 0.8 else 2
        return list(dict.fromkeys(prng.choices(source_ids, weights, k=k)))

    articles = [make_article(i, slugs, quotes[i % n_quotes]["id"], cite, seed) for i in range(n)]
    return Site(n, articles, sources, actors, quotes)


def make_article(i: int, slugs: list[str], quote_id: str, cite, seed: int) -> Article:
    rng = random.Random(f"{seed}:page:{i}")
    target = rng.randint(600, 900)
    claim_rng = random.Random(f"{seed}:cite:{i}")

    def para(claims: int = 1, link: bool = False) -> list:
        parts: list = [sentence(rng) + " " for _ in range(rng.randint(3, 5))]
        for _ in range(claims):  # a claim is a sentence of its own: "[Claim text]{src=x}. "
            at = rng.randrange(len(parts) + 1)
            parts[at:at] = [Claim(phrase(rng, 5, 10).capitalize(), cite(claim_rng)), ". "]
        if link:
            parts += ["See ", Link(phrase(rng, 2, 4), "page:" + slugs[(i + 1) % len(slugs)])]
            parts += [" and ", Link("the background", f"https://example.org/background/{i}"), "."]
        return parts

    first = [Claim(phrase(rng, 5, 9).capitalize(), [HOT_SOURCE]), ", officials said. ", *para(1)]
    blocks: list[tuple] = [("p", first), ("h", 2, phrase(rng, 2, 5).capitalize())]
    blocks += [("p", para(1)), ("p", para(1, link=True))]
    blocks.append(("ul", [[phrase(rng, 4, 8)] for _ in range(rng.randint(3, 5))]))
    blocks[-1][1][0].append(" ")
    blocks[-1][1][0].append(Claim(phrase(rng, 3, 6), cite(claim_rng)))
    blocks += [("h", 2, phrase(rng, 2, 5).capitalize()), ("p", para(1))]
    blocks += [("bq", [sentence(rng), " ", sentence(rng)]), ("quote", quote_id)]
    blocks += [("h", 3, phrase(rng, 2, 4).capitalize())]
    blocks.append(("ol", [[sentence(rng, 5, 10)] for _ in range(rng.randint(3, 4))]))
    words = words_of(blocks)
    while words < target:
        extra = para(rng.randint(0, 2))
        if words + count_words(extra) > 900:  # stay within 600–900 words
            break
        blocks.append(("p", extra))
        words += count_words(extra)
    title = phrase(rng, 4, 8).capitalize()
    return Article(
        slug=slugs[i],
        title=title,
        date=dt.date(2024, 1, 1) + dt.timedelta(days=i % 700),
        summary=sentence(rng, 10, 18),
        tags=sorted(rng.sample(TAGS, rng.randint(2, 4))),
        blocks=blocks,
    )


def words_of(blocks) -> int:
    total = 0
    for b in blocks:
        if b[0] == "h":
            total += len(b[2].split())
        elif b[0] in ("p", "bq"):
            total += count_words(b[1])
        elif b[0] in ("ul", "ol"):
            total += sum(count_words(item) for item in b[1])
    return total


# ── Markdown bodies ───────────────────────────────────────────────────────────────────────


def inline(parts, annotate: bool) -> str:
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, Claim):
            if not annotate:
                out.append(p.text)
            elif len(p.sources) == 1:
                out.append(f"[{p.text}]{{src={p.sources[0]}}}")
            else:
                out.append(f'[{p.text}]{{src="{" ".join(p.sources)}"}}')
        else:
            url = f"../{p.url[5:]}/" if p.url.startswith("page:") else p.url
            out.append(f"[{p.text}]({url})")
    return "".join(out).strip()


def body(article: Article, site: Site, annotate: bool) -> str:
    """The article's Markdown: explainer syntax when `annotate`, plain CommonMark otherwise."""
    quotes = {q["id"]: q for q in site.quotes}
    actors = {a["id"]: a for a in site.actors}
    out = []
    for b in article.blocks:
        kind = b[0]
        if kind == "h":
            out.append("#" * b[1] + " " + b[2])
        elif kind == "p":
            out.append(inline(b[1], annotate))
        elif kind == "bq":
            out.append("> " + inline(b[1], annotate))
        elif kind in ("ul", "ol"):
            marks = ["-"] * len(b[1]) if kind == "ul" else [f"{k}." for k in range(1, 99)]
            out.append(
                "\n".join(
                    f"{m} {inline(item, annotate)}" for m, item in zip(marks, b[1], strict=False)
                )
            )
        elif kind == "quote":
            if annotate:
                out.append(f"::: quote {b[1]}\n:::")
            else:
                q = quotes[b[1]]
                who = actors[q["speaker"]]
                out.append(f"> {q['text']}\n>\n> — {who['name']}, {who['role']}")
    return "\n\n".join(out) + "\n"


def yaml_value(value) -> str:
    """A scalar or list of scalars as YAML flow text (JSON strings are valid YAML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | dt.date):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def yaml_list(items: list[dict]) -> str:
    lines = []
    for item in items:
        for k, (key, value) in enumerate(item.items()):
            lines.append(f"{'- ' if k == 0 else '  '}{key}: {yaml_value(value)}")
    return "\n".join(lines) + "\n"


def front_matter(fields: dict) -> str:
    return "---\n" + "".join(f"{k}: {yaml_value(v)}\n" for k, v in fields.items()) + "---\n"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# ── one writer per tool ───────────────────────────────────────────────────────────────────


def write_explainer(site: Site, out: Path) -> None:
    c = out / "content"
    write(
        c / "site.yaml",
        "\n".join(
            [
                'title: "A synthetic explainer for benchmarking"',
                'summary: "Generated text to measure build times, not to be read."',
                'description: "Benchmark site."',
                "language: en",
                "publisher: {name: Benchmark Desk, url: https://bench.example/}",
                "authors:",
                "  - name: bench/generate.py",
                "published: 2025-01-01",
                "",
            ]
        ),
    )
    write(c / "sources.yaml", yaml_list(site.sources))
    write(c / "actors.yaml", yaml_list(site.actors))
    write(c / "quotes.yaml", yaml_list(site.quotes))
    some = [s["id"] for s in site.sources[:3]]
    write(
        c / "factbox.yaml",
        "title: At a glance\nas_of: 2025-01-01\nrows:\n"
        + "".join(
            f"  - label: Row {k + 1}\n    value: Value *{k + 1}*\n    sources: [{sid}]\n"
            for k, sid in enumerate(some)
        ),
    )
    write(
        c / "timeline.yaml",
        yaml_list(
            [
                {"date": dt.date(2025, 1, k + 1), "title": f"Event {k + 1}", "sources": [sid]}
                for k, sid in enumerate(some)
            ]
        ),
    )
    for k in range(3):
        text = (
            f"[The section {k + 1} claim is sourced]{{src={site.sources[k]['id']}}} and "
            f'[so is this one]{{src="{HOT_SOURCE} {site.sources[k + 1]["id"]}"}}.\n\n'
            f"::: quote {site.quotes[k % len(site.quotes)]['id']}\n:::\n"
        )
        write(
            c / "sections" / f"{k + 1:02d}-section-{k + 1}.md",
            front_matter({"title": f"Section {k + 1}", "order": k + 1}) + text,
        )
    for a in site.articles:
        fm = {"title": a.title, "date": a.date, "summary": a.summary}
        write(c / "pages" / f"{a.slug}.md", front_matter(fm) + body(a, site, annotate=True))
    # The built-in theme, with base.html copied out as a project override: the
    # edit-template scenario edits it.
    (out / "templates").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "explainer" / "theme" / "base.html", out / "templates" / "base.html")


HUGO_BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ block "title" . }}{{ .Site.Title }}{{ end }}</title>
<meta name="description"
  content="{{ with .Params.summary }}{{ . }}{{ else }}{{ .Site.Title }}{{ end }}"></head>
<body><header><a href="/">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>Benchmark Desk</footer></body></html>
"""
HUGO_SINGLE = """{{ define "title" }}{{ .Title }} · {{ .Site.Title }}{{ end }}
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">
{{- .Date.Format "2 January 2006" }}</time>
{{ range .Params.tags }} <span class="tag">{{ . }}</span>{{ end }}</p>
<p class="standfirst">{{ .Params.summary }}</p>
{{ .Content }}</article>{{ end }}
"""
HUGO_HOME = """{{ define "main" }}<h1>{{ .Site.Title }}</h1><ul>
{{ range (where .Site.RegularPages "Section" "posts") }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}</ul>{{ end }}
"""


def write_hugo(site: Site, out: Path) -> None:
    write(
        out / "hugo.toml",
        'baseURL = "/"\ntitle = "Benchmark"\nlanguageCode = "en"\n'
        'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404", "section"]\n',
    )
    write(out / "layouts" / "_default" / "baseof.html", HUGO_BASE)
    write(out / "layouts" / "_default" / "single.html", HUGO_SINGLE)
    write(out / "layouts" / "index.html", HUGO_HOME)
    for a in site.articles:
        fm = {"title": a.title, "date": a.date, "summary": a.summary, "tags": a.tags}
        fm["url"] = f"/{a.slug}/"
        write(
            out / "content" / "posts" / f"{a.slug}.md",
            front_matter(fm) + body(a, site, annotate=False),
        )


ELEVENTY_CONFIG = """// Minimal Eleventy set-up for the benchmark: Markdown pages, Nunjucks layouts.
module.exports = function (config) {
  config.addCollection("articles", (api) => api.getFilteredByGlob("src/pages/*.md"));
  config.addFilter("iso", (d) => d.toISOString().slice(0, 10));
  return {
    dir: { input: "src", output: "_site" },
    markdownTemplateEngine: false,
    htmlTemplateEngine: "njk",
  };
};
"""
ELEVENTY_BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{% if title %}{{ title }} · {% endif %}Benchmark</title>
<meta name="description" content="{{ summary or 'Benchmark' }}"></head>
<body><header><a href="/">Benchmark</a></header>
<main>{% block main %}{{ content | safe }}{% endblock %}</main>
<footer>Benchmark Desk</footer></body></html>
"""
ELEVENTY_PAGE = """{% extends "base.njk" %}
{% block main %}<article><h1>{{ title }}</h1>
<p class="meta"><time datetime="{{ page.date | iso }}">{{ page.date | iso }}</time>
{% for t in tags %} <span class="tag">{{ t }}</span>{% endfor %}</p>
<p class="standfirst">{{ summary }}</p>
{{ content | safe }}</article>{% endblock %}
"""
ELEVENTY_INDEX = """---
layout: base.njk
---
<h1>Benchmark</h1><ul>
{% for a in collections.articles %}
<li><a href="{{ a.url }}">{{ a.data.title }}</a>
<time>{{ a.date | iso }}</time></li>
{% endfor %}</ul>
"""


def write_eleventy(site: Site, out: Path) -> None:
    write(out / "eleventy.config.cjs", ELEVENTY_CONFIG)
    write(out / "src" / "_includes" / "base.njk", ELEVENTY_BASE)
    write(out / "src" / "_includes" / "page.njk", ELEVENTY_PAGE)
    write(out / "src" / "index.njk", ELEVENTY_INDEX)
    write(out / "src" / "pages" / "pages.11tydata.json", json.dumps({"layout": "page.njk"}) + "\n")
    for a in site.articles:
        fm = {"title": a.title, "date": a.date, "summary": a.summary, "tags": a.tags}
        fm["permalink"] = f"/{a.slug}/"
        write(
            out / "src" / "pages" / f"{a.slug}.md",
            front_matter(fm) + body(a, site, annotate=False),
        )


PELICAN_CONF = """# Minimal Pelican set-up for the benchmark: articles and an index, nothing else.
AUTHOR = "Benchmark Desk"
SITENAME = "Benchmark"
SITEURL = ""
PATH = "content"
THEME = "theme"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = False
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
TAG_SAVE_AS = TAGS_SAVE_AS = CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
DIRECT_TEMPLATES = ["index"]
THEME_STATIC_DIRECTORY = "static"
CACHE_CONTENT = False
"""
PELICAN_BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{% block title %}{{ SITENAME }}{% endblock %}</title></head>
<body><header><a href="/">{{ SITENAME }}</a></header>
<main>{% block main %}{% endblock %}</main>
<footer>Benchmark Desk</footer></body></html>
"""
PELICAN_ARTICLE = """{% extends "base.html" %}
{% block title %}{{ article.title }} · {{ SITENAME }}{% endblock %}
{% block main %}<article><h1>{{ article.title }}</h1>
<p class="meta"><time datetime="{{ article.date.isoformat() }}">{{ article.locale_date }}</time>
{% for t in article.tags %} <span class="tag">{{ t }}</span>{% endfor %}</p>
<p class="standfirst">{{ article.summary }}</p>
{{ article.content }}</article>{% endblock %}
"""
PELICAN_INDEX = """{% extends "base.html" %}
{% block main %}<h1>{{ SITENAME }}</h1><ul>
{% for a in articles %}
<li><a href="/{{ a.url }}">{{ a.title }}</a>
<time>{{ a.date.date().isoformat() }}</time></li>
{% endfor %}</ul>{% endblock %}
"""


def write_pelican(site: Site, out: Path) -> None:
    write(out / "pelicanconf.py", PELICAN_CONF)
    write(out / "theme" / "templates" / "base.html", PELICAN_BASE)
    write(out / "theme" / "templates" / "article.html", PELICAN_ARTICLE)
    write(out / "theme" / "templates" / "index.html", PELICAN_INDEX)
    (out / "theme" / "static").mkdir(parents=True, exist_ok=True)
    for a in site.articles:
        # Python-Markdown's meta extension: "Key: value" lines, not YAML.
        meta = (
            f"Title: {a.title}\nDate: {a.date}\nSlug: {a.slug}\n"
            f"Summary: {a.summary}\nTags: {', '.join(a.tags)}\n\n"
        )
        write(out / "content" / f"{a.slug}.md", meta + body(a, site, annotate=False))


MKDOCS_YML = """site_name: Benchmark
use_directory_urls: true
theme:
  name: null
  custom_dir: theme
plugins: []  # no search index: the others build none either
markdown_extensions: [meta]
"""
MKDOCS_MAIN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{% if page.title %}{{ page.title }} · {% endif %}{{ config.site_name }}</title>
<meta name="description" content="{{ page.meta.summary or config.site_name }}"></head>
<body><header><a href="{{ base_url }}/">{{ config.site_name }}</a></header>
<main>{% if page.is_homepage %}<h1>{{ config.site_name }}</h1><ul>
{% for p in pages %}{% if not p.is_homepage %}
<li><a href="{{ p.url | url }}">{{ p.title }}</a></li>
{% endif %}{% endfor %}</ul>{% else %}<article><h1>{{ page.title }}</h1>
<p class="meta"><time>{{ page.meta.date }}</time>
{% for t in page.meta.tags %} <span class="tag">{{ t }}</span>{% endfor %}</p>
<p class="standfirst">{{ page.meta.summary }}</p>
{{ page.content }}</article>{% endif %}</main>
<footer>Benchmark Desk</footer></body></html>
"""


def write_mkdocs(site: Site, out: Path) -> None:
    write(out / "mkdocs.yml", MKDOCS_YML)
    write(out / "theme" / "main.html", MKDOCS_MAIN)
    write(out / "docs" / "index.md", "# Benchmark\n")
    for a in site.articles:
        fm = {"title": a.title, "date": a.date, "summary": a.summary, "tags": a.tags}
        write(out / "docs" / f"{a.slug}.md", front_matter(fm) + body(a, site, annotate=False))


WRITERS = {
    "explainer": write_explainer,
    "hugo": write_hugo,
    "eleventy": write_eleventy,
    "pelican": write_pelican,
    "mkdocs": write_mkdocs,
}


def generate(n: int, out: Path, seed: int = 8, tools=TOOLS) -> Site:
    """Write the site for each of `tools` into out/<tool>/, replacing what was there."""
    site = make_site(n, seed)
    for tool in tools:
        target = out / tool
        if target.exists():
            shutil.rmtree(target)
        WRITERS[tool](site, target)
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of pages (articles)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the sites into")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset")
    args = parser.parse_args(argv)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))} (choose from {TOOLS})")
    site = generate(args.n, args.out, args.seed, tools)
    words = sum(words_of(a.blocks) for a in site.articles)
    print(
        f"{args.n} pages ({words / max(1, args.n):.0f} words on average), "
        f"{len(site.sources)} sources, {len(site.actors)} actors, {len(site.quotes)} quotes "
        f"-> {args.out}/{{{','.join(tools)}}}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
