"""A second language: translation files beside the originals, their checks, and the
translated pages under /uk/ (tests/fixtures/bilingual: the minimal explainer in English
with a Ukrainian translation of everything)."""

from __future__ import annotations

import json
import re

import pytest
from conftest import make_project
from helpers import run_cli, write

ADDRESS = "https://news.example/x/"


@pytest.fixture
def bilingual(tmp_path):
    return make_project(tmp_path, "bilingual")


@pytest.fixture
def built(bilingual, tmp_path):
    out = tmp_path / "out"
    result = run_cli(bilingual, "build", "--out", str(out), "--base-url", ADDRESS)
    assert result.code == 0, result.err
    return out


def edit(root, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def diagnostics(result) -> list[str]:
    return [
        line for line in result.err.splitlines() if ": error: " in line or ": warning: " in line
    ]


def test_both_languages_check_strict_clean(bilingual):
    result = run_cli(bilingual, "check", "--strict")
    assert result.code == 0, result.err
    assert diagnostics(result) == []


def test_every_page_exists_in_both_languages(built):
    english = sorted(
        p.relative_to(built).as_posix()
        for p in built.rglob("*.html")
        if not p.relative_to(built).as_posix().startswith("uk/")
    )
    ukrainian = sorted(
        p.relative_to(built / "uk").as_posix() for p in (built / "uk").rglob("*.html")
    )
    assert english == ukrainian
    assert len(english) >= 7
    assert (built / "uk/data/explainer.json").exists()
    assert not (built / "uk/static/style.css").exists()  # the original's static files serve both


def test_translated_pages_say_their_language_and_link_the_other(built):
    home = (built / "uk/index.html").read_text(encoding="utf-8")
    assert '<html lang="uk"' in home
    assert '<link rel="alternate" hreflang="en" href="https://news.example/x/">' in home
    assert '<link rel="alternate" hreflang="uk" href="https://news.example/x/uk/">' in home
    assert '<link rel="alternate" hreflang="x-default" href="https://news.example/x/">' in home
    assert '<link rel="canonical" href="https://news.example/x/uk/">' in home
    assert '<a href="/x/" hreflang="en" lang="en">English</a>' in home
    assert 'aria-current="page" lang="uk">Українська</span>' in home
    assert "/x/static/style." in home  # shared, not under /uk/
    english = (built / "quotes/index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in english
    assert '<a href="/x/uk/quotes/" hreflang="uk" lang="uk">Українська</a>' in english
    assert (
        '<link rel="alternate" hreflang="uk" href="https://news.example/x/uk/quotes/">' in english
    )


def test_ukrainian_dates_plurals_and_strings(built):
    home = (built / "uk/index.html").read_text(encoding="utf-8")
    assert ">16 лютого 2025</time>" in home  # Babel's month name, in the genitive
    assert "Маленьке тестове пояснення" in home
    assert "Пропозицію зробили в середу" in home
    sources = (built / "uk/sources/index.html").read_text(encoding="utf-8")
    assert "(2 особи)" in sources  # plural form "few"
    assert "На це джерело посилаються 2 твердження" in sources or "посилається 1" in sources
    assert ">16 February 2025</time>" in (built / "index.html").read_text(encoding="utf-8")


def test_a_translated_quote_is_labelled_and_keeps_the_original(built):
    quotes = (built / "uk/quotes/index.html").read_text(encoding="utf-8")
    assert "Ми все ще розмовляємо {{ not jinja }} &lt;b&gt;справді&lt;/b&gt;." in quotes
    assert "Переклад редакції з англійської." in quotes
    assert re.search(
        r'<p class="quote__original">Переклад редакції з англійської\. '
        r'<a href="/x/quotes/#quote-we-talk" hreflang="en">Оригінал англійською</a>: '
        r'<q lang="en">We are still talking \{\{ not jinja \}\} &lt;b&gt;really&lt;/b&gt;\.</q>',
        quotes,
    )
    # The place has no translation: shown as the original gives it, in its language.
    assert '<span lang="en">Capital</span>' in quotes


def test_structured_data_sitemap_and_open_data_per_language(built):
    def article(path):
        html = (built / path).read_text(encoding="utf-8")
        blocks = re.findall(r'<script type="application/ld\+json">\n(.*?)\n</script>', html, re.S)
        return json.loads(blocks[0])

    uk, en = article("uk/index.html"), article("index.html")
    assert uk["inLanguage"] == "uk" and en["inLanguage"] == "en"
    assert uk["translationOfWork"]["@id"] == ADDRESS
    assert en["workTranslation"] == [
        {"@type": "BackgroundNewsArticle", "@id": ADDRESS + "uk/", "url": ADDRESS + "uk/",
         "inLanguage": "uk"}
    ]  # fmt: skip
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{ADDRESS}uk/quotes/</loc>" in sitemap
    assert f'<xhtml:link rel="alternate" hreflang="uk" href="{ADDRESS}uk/quotes/"/>' in sitemap
    listed = [p for p in built.glob("**/index.html") if "embed" not in p.parts]
    pages = len(listed) // 2  # the 404 pages and the embeds (for other sites) are not listed
    assert sitemap.count("<url>") == sitemap.count('hreflang="x-default"') == 2 * pages
    data = json.loads((built / "uk/data/explainer.json").read_text(encoding="utf-8"))
    assert data["site"]["language"] == "uk"
    assert data["site"]["title"] == "Маленьке тестове пояснення"
    assert data["site"]["url"] == ADDRESS + "uk/"
    assert data["site"]["languages"]["en"] == ADDRESS + "data/explainer.json"
    cards = sorted(p.name for p in built.glob("**/static/share.*.png"))
    assert len(cards) == 2 and cards[0] != cards[1]  # a Ukrainian card of its own
    headers = (built / "_headers").read_text(encoding="utf-8")
    assert "/x/uk/static/*\n  Cache-Control: public, max-age=31536000, immutable" in headers
    assert "/x/uk/static/share" not in headers  # fingerprinted: not among the revalidated
    assert "/x/uk/quotes/\n  Cache-Control: public, max-age=0, must-revalidate" in headers


def test_stale_translation_names_the_new_digest(bilingual):
    """The original changed after it was translated: a warning at the `of:` line."""
    edit(bilingual, "content/sources.yaml", "the Daily's own report", "the Daily's report")
    edit(bilingual, "content/sections/01-offer.md", "What was offered.", "What was on offer.")
    result = run_cli(bilingual, "check", "--strict")
    assert result.code == 1
    assert diagnostics(result) == [
        "content/sections/01-offer.uk.md:2:1: warning: stale translation: "
        "content/sections/01-offer.md changed after it was translated (of: d795e7c6, now "
        "13fc2212); bring the translation up to date, then set of: 13fc2212",
        "content/sources.uk.yaml:1:3: warning: stale translation: source 'report' changed "
        "after it was translated (of: b4ffd9d1, now 384b7ade); bring the translation up to "
        "date, then set of: 384b7ade",
    ]
    assert run_cli(bilingual, "translations", "--stamp").code == 0
    assert run_cli(bilingual, "check", "--strict").code == 0


def test_orphan_translations_are_errors(bilingual):
    edit(bilingual, "content/sources.uk.yaml", "id: report", "id: reprot")
    write(bilingual, "content/sections/02-gone.uk.md", "---\ntitle: Зникле\n---\nТекст.\n")
    write(bilingual, "content/glossary.uk.yaml", "- id: x\n")
    write(bilingual, "content/quotes.de.yaml", "- id: we-talk\n  text: Wir reden\n")
    result = run_cli(bilingual, "check")
    assert result.code == 1
    assert diagnostics(result) == [
        "content/glossary.uk.yaml:1:1: error: content/glossary.uk.yaml is named like a "
        "translation, but of no content file",
        "content/quotes.de.yaml:1:1: error: translation into 'de', which is not among the "
        "translated languages of content/site.yaml (languages: [en, uk])",
        "content/sections/02-gone.uk.md:1:1: error: translation of "
        "content/sections/02-gone.md, which does not exist; rename or remove "
        "content/sections/02-gone.uk.md",
        "content/sources.uk.yaml:2:3: error: translation of source 'reprot', which is not in "
        "content/sources.yaml (did you mean 'report'?)",
        "content/sources.yaml:1:3: warning: no Ukrainian translation of source 'report' in "
        "content/sources.uk.yaml (of: b4ffd9d1)",
    ]


def test_missing_translation_falls_back_marked_in_the_original_language(bilingual, tmp_path):
    (bilingual / "content/pages/about.uk.md").unlink()
    edit(bilingual, "content/quotes.uk.yaml", "  context: У розмові з журналістами.\n", "")
    result = run_cli(bilingual, "build", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    assert diagnostics(result) == [
        "content/pages/about.md:1:1: warning: no Ukrainian translation of "
        "content/pages/about.md: create content/pages/about.uk.md (of: b48cf5f5)",
        "content/quotes.uk.yaml:1:3: warning: translation of quote 'we-talk' has no "
        "'context' (shown in the original language)",
    ]
    about = (tmp_path / "out/uk/about/index.html").read_text(encoding="utf-8")
    assert '<html lang="uk"' in about
    assert '<article class="page" lang="en">' in about
    assert "This is a test." in about
    quotes = (tmp_path / "out/uk/quotes/index.html").read_text(encoding="utf-8")
    assert '<span class="quote__context" lang="en">Speaking to reporters.</span>' in quotes


def test_a_translation_cannot_change_a_fact(bilingual):
    edit(bilingual, "content/quotes.uk.yaml", "  text:", "  sources: [report]\n  text:")
    edit(bilingual, "content/sections/01-offer.uk.md", "{src=report}, і", "{src=minister}, і")
    edit(bilingual, "content/actors.uk.yaml", "]{src=minister}", "]")
    edit(bilingual, "content/factbox.uk.yaml", "rows:\n", "as_of: 2025-01-01\nrows:\n")
    result = run_cli(bilingual, "check")
    assert result.code == 1
    assert diagnostics(result) == [
        "content/actors.uk.yaml:5:3: error: the translation of actor 'minister' must keep the "
        "original's source annotations {src=…} in the same order: the original has "
        "[minister], the translation []",
        "content/factbox.uk.yaml:3:1: error: 'as_of' cannot be translated: a translation "
        "holds only text (title); ids, sources, dates and structure come from the original",
        "content/quotes.uk.yaml:3:3: error: 'sources' cannot be translated: a translation "
        "holds only text (text, context, place); ids, sources, dates and structure come from the "
        "original",
        "content/sections/01-offer.uk.md:6:1: error: the translation of "
        "content/sections/01-offer.md must keep the original's source annotations {src=…} in "
        "the same order: the original has [report, two-people report, report], the "
        "translation [minister, two-people report, report]",
    ]


def test_languages_must_agree_with_language(bilingual):
    edit(bilingual, "content/site.yaml", "languages: [en, uk]", "language: fr\nlanguages: [en, uk]")
    result = run_cli(bilingual, "check")
    assert result.code == 1
    assert diagnostics(result) == [
        "content/site.yaml:5:1: error: language 'fr' is not the first of languages: en, uk "
        "(the first is the original's); remove language:"
    ]


def test_a_translations_listing_and_stamp(bilingual):
    edit(bilingual, "content/timeline.uk.yaml", "- of: b17e5bf5\n  title", "- title")
    listing = run_cli(bilingual, "translations")
    assert listing.code == 0
    assert diagnostics(listing) == [
        "content/timeline.uk.yaml:1:3: warning: translation of timeline entry 1 says not which "
        "version it translates: add of: b17e5bf5"
    ]
    assert "1 to stamp" in listing.out
    stamped = run_cli(bilingual, "translations", "uk", "--stamp")
    assert stamped.code == 0
    assert stamped.out.splitlines() == [
        "stamped 1 translated item in 1 file(s)",
        "  content/timeline.uk.yaml",
    ]
    text = (bilingual / "content/timeline.uk.yaml").read_text(encoding="utf-8")
    assert text.startswith("- of: b17e5bf5\n  title: Початок перемовин\n")
    assert run_cli(bilingual, "check", "--strict").code == 0
    assert run_cli(bilingual, "translations", "fr").code == 2


def test_the_theme_speaks_both_languages():
    """strings/uk.yaml has every key of en.yaml, with the same shape (a plural mapping may
    stand for a text with {n})."""
    import yaml
    from conftest import THEME

    en = yaml.safe_load((THEME / "strings/en.yaml").read_text(encoding="utf-8"))
    uk = yaml.safe_load((THEME / "strings/uk.yaml").read_text(encoding="utf-8"))
    assert set(uk) == set(en)
    for key, value in en.items():
        if isinstance(value, dict):
            assert isinstance(uk[key], dict), key
            if "other" not in uk[key]:
                assert set(uk[key]) == set(value), key
