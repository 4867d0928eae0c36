"""The trust layer never overstates: a claim's label comes from every source it cites, a
derived date is marked wherever it is shown with its reasoning one click away, the labels
come from one vocabulary, and plain-text places get plain text."""

from __future__ import annotations

import json
import re

import pytest
from helpers import run_cli, write
from sitecheck import parse_page
from test_errors import replace

from explainer.content.model import STATUSES, Claim, Source
from explainer.site.pages import ledger


def build(root, *args):
    result = run_cli(root, "build", *args)
    assert result.code == 0, result.err
    return root / "site"


def source(kind: str) -> Source:
    return Source(id=kind, kind=kind, label=kind, description=kind)


@pytest.mark.parametrize(
    "kinds, status",
    [
        (["document"], "on-record"),
        (["on-record", "document"], "on-record"),
        (["report"], "reported"),
        (["own"], "reported"),
        (["report", "own"], "reported"),
        (["anonymous", "anonymous"], "unnamed"),
        (["on-record", "report"], "on-record+reported"),
        (["document", "anonymous", "anonymous"], "on-record+unnamed"),
        (["anonymous", "report"], "reported+unnamed"),
        (["anonymous", "own", "on-record"], "on-record+reported+unnamed"),
    ],
)
def test_status_comes_from_every_source(kinds, status):
    """Before, one source on the record (or one document) made the whole claim "On the
    record": a document plus two unnamed staffers showed "On the record"."""
    claim = Claim("c", "text", [source(k) for k in kinds], "", "")
    assert claim.status == status
    claim.disputed = True
    assert claim.status == "disputed"


def test_ledger_never_ranks_unnamed_sources_above_reporting():
    """Before, the ledger counted each claim under its firmest source's kind, in an order
    that put unnamed people above the outlet's own reporting."""
    claims = [
        Claim("a", "t", [source("anonymous")], "", ""),
        Claim("b", "t", [source("report")], "", ""),
        Claim("c", "t", [source("document"), source("anonymous")], "", ""),
    ]
    counts = ledger(claims)["counts"]
    shown = [status for status, n in counts.items() if n]
    assert shown == ["reported", "on-record+unnamed", "unnamed"]
    assert list(counts) == list(STATUSES)
    assert ledger(claims)["anonymous_only"] == 1


def test_fact_box_row_wears_the_label_of_all_its_sources(project):
    replace(
        project,
        "content/sources.yaml",
        "- id: two-people",
        "- id: memo\n  kind: document\n  label: Memo\n  description: an internal memo\n"
        "- id: two-people",
    )
    replace(
        project,
        "content/factbox.yaml",
        "sources: [two-people, report]",
        "sources: [memo, two-people]",
    )
    html = (build(project) / "index.html").read_text()
    row = html[html.index("<dt>Wants</dt>") : html.index("</dd>", html.index("<dt>Wants</dt>"))]
    assert "On the record + unnamed sources</span>" in row
    assert '<span class="status status--unnamed status--mixed"' in row
    data = json.loads((project / "site/data/explainer.json").read_text())
    assert data["factbox"]["rows"][1]["status"] == "on-record+unnamed"


DATES = """\
- id: talks
  date: 2025-02-12
  basis: derived
  reasoning: "The Daily says the talks began on Wednesday, in the week of its report."
  sources: [report]
- id: summit
  date: 2025-02-14
  until: 2025-02-16
  basis: stated
  sources: [report]
"""


@pytest.fixture
def dated(project):
    """The minimal fixture with its dates taken from dates.yaml."""
    write(project, "content/dates.yaml", DATES)
    replace(project, "content/timeline.yaml", "date: 2025-02-12", "date: talks")
    replace(project, "content/quotes.yaml", "date: 2025-02-15", "date: talks")
    replace(project, "content/factbox.yaml", "as_of: 2025-02-15", "as_of: talks")
    replace(
        project,
        "content/sections/01-offer.md",
        "[The offer was made on Wednesday]{src=report}",
        "[The offer was made on [Wednesday, 12 February]{date=talks}]{src=report}",
    )
    write(
        project,
        "content/pages/about.md",
        "---\ntitle: About\n---\n## Dates\n\n[Talks began on 12 February]{src=minister}.\n\n"
        "::: dates\n:::\n",
    )
    replace(project, "content/pages/about.md", "12 February]", "[12 February]{date=talks}]")
    return project


def test_derived_dates_are_marked_and_link_to_their_reasoning(dated):
    """Before, dates the desk worked out showed as if reported: only the timeline said
    "Derived", and quotes' `date_note` was never shown."""
    site = build(dated)
    home = (site / "index.html").read_text()
    mark = '<a class="derived" href="#date-talks">derived<span class="visually-hidden">'
    # fact box "as of", section prose, quote caption and timeline: four marks, one reasoning
    assert home.count(mark) == 4
    assert home.count('<time datetime="2025-02-12">') == 5  # and in the dates list
    assert '<time datetime="2025-02-12">Wednesday, 12 February</time> ' + mark in home
    entry = home[home.index('<div class="dates__entry" id="date-talks">') :]
    assert "The Daily says the talks began on Wednesday" in entry[: entry.index("</div>")]
    assert '<h2 id="dates-title">Dates worked out by the desk</h2>' in home
    # the quotes page and the about page mark it too; the about page lists every entry
    # where its text asks (`::: dates`), so nothing is listed twice
    assert mark in (site / "quotes/index.html").read_text()
    # a claim listed as plain text keeps the mark of the derived date in it
    sources = (site / "sources/index.html").read_text()
    assert "on Wednesday, 12 February</a> " + mark in sources
    assert 'id="date-talks"' in sources
    about = (site / "about/index.html").read_text()
    assert about.count('id="date-talks"') == 1 and 'id="date-summit"' in about
    assert 'id="dates-title"' not in about
    assert "14 February 2025</time> to <time" in about


def test_derived_dates_say_so_in_open_data_and_json_ld(dated):
    replace(
        dated,
        "content/sources.yaml",
        "  outlet: The Daily\n",
        "  outlet: The Daily\n  date: talks\n",
    )
    site = build(dated, "--base-url", "https://example.org/")
    data = json.loads((site / "data/explainer.json").read_text())
    assert (data["timeline"][0]["date"], data["timeline"][0]["date_basis"]) == (
        "2025-02-12",
        "derived",
    )
    assert data["quotes"][0]["date_ref"] == "talks"
    assert data["dates"][0] == {
        "id": "talks",
        "date": "2025-02-12",
        "until": None,
        "basis": "derived",
        "reasoning": "The Daily says the talks began on Wednesday, in the week of its report.",
        "sources": ["report"],
    }
    [article] = parse_page((site / "index.html").read_text()).structured()
    [work] = [c for c in article["citation"] if isinstance(c, dict)]
    assert "datePublished" not in work
    assert work["description"].endswith(
        "(date 2025-02-12, worked out by the desk: https://example.org/sources/#date-talks)"
    )
    assert 'id="date-talks"' in (site / "sources/index.html").read_text()


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "[On [13 February]{date=talks}]{src=report}",
            "content/sections/01-offer.md:6:6: error: '13 February' is not the date of "
            "'talks' in dates.yaml (2025-02-12)",
        ),
        (
            "[On [12 February]{date=tlks}]{src=report}",
            "content/sections/01-offer.md:6:24: error: date 'tlks' is not in dates.yaml "
            "(did you mean 'talks'?)",
        ),
        (
            "[On [12 February]{date=talks src=report}]{src=report}",
            "content/sections/01-offer.md:6:17: error: [12 February] is a claim and a date at "
            "once: put the date span inside the claim, [… [date]{date=id} …]{src=id}",
        ),
    ],
)
def test_bad_date_spans_are_errors(dated, text, message):
    replace(
        dated,
        "content/sections/01-offer.md",
        "[The offer was made on [Wednesday, 12 February]{date=talks}]{src=report}",
        text,
    )
    result = run_cli(dated, "check")
    assert result.code == 1
    assert message in result.err.splitlines()


def test_date_entries_are_checked(dated):
    replace(dated, "content/dates.yaml", '  reasoning: "The Daily says', '  note: "The Daily says')
    replace(dated, "content/dates.yaml", "  until: 2025-02-16", "  until: 2025-02-13")
    replace(dated, "content/quotes.yaml", "date: talks", "date: summt")
    result = run_cli(dated, "check")
    assert result.code == 1
    err = result.err.splitlines()
    assert "content/dates.yaml:4:3: error: unknown field 'note' in date" in err
    assert "content/dates.yaml:8:3: error: date 'summit' ends (until:) before it starts" in err
    assert (
        "content/quotes.yaml:4:3: error: date 'summt' is neither a date (YYYY-MM-DD) nor an "
        "entry in dates.yaml" in err
    )


def test_derived_date_needs_its_reasoning(dated):
    replace(
        dated,
        "content/dates.yaml",
        '  reasoning: "The Daily says the talks began on Wednesday, in the week of its report."\n',
        "",
    )
    result = run_cli(dated, "check")
    assert (
        "content/dates.yaml:3:3: error: date 'talks' is derived: say how the desk worked it "
        "out (reasoning:)" in result.err.splitlines()
    )


def test_glossary_is_made_from_the_one_vocabulary(project):
    write(
        project,
        "content/pages/about.md",
        "---\ntitle: About\n---\n## Labels\n\n[Said so]{src=minister}.\n\n::: glossary\n:::\n",
    )
    strings = project / "templates/strings/en.yaml"
    strings.write_text(
        strings.read_text().replace("  report: News report\n", "  report: Wire story\n")
    )
    site = build(project)
    about = (site / "about/index.html").read_text()
    glossary = about[about.index('<div class="glossary">') :]
    for label in ["Document", "On the record", "Wire story", "Our reporting", "Unnamed sources"]:
        assert f">{label}</span></dt>" in glossary
    for label in [
        "Reported",
        "On the record + unnamed sources",
        "Unnamed sources only",
        "Disputed",
    ]:
        assert f">{label}</span></dt>" in glossary
    assert ">derived</span></dt>" in glossary
    # the same words everywhere else: the sources page's headings and kind labels
    sources = (site / "sources/index.html").read_text()
    assert "<h2>Wire story</h2>" in sources and "News report" not in sources


def test_vocabulary_must_be_complete(project):
    strings = project / "templates/strings/en.yaml"
    strings.write_text(strings.read_text().replace("  disputed: Disputed\n", ""))
    result = run_cli(project, "check")
    assert result.code == 1
    assert re.search(
        r"templates/strings/en.yaml:\d+:1: error: status needs a text for each of on-record, "
        r"on-record\+reported, .*, disputed; missing: disputed",
        result.err,
    )


def test_markup_never_reaches_plain_text(project):
    """Before, raw *asterisks* of fact-box values showed on the Sources page, in back-link
    labels that screen readers read, and in data/explainer.json."""
    site = build(project)
    for page in ["index.html", "sources/index.html"]:
        html = (site / page).read_text()
        assert "*signed*" not in html, page
    sources = (site / "sources/index.html").read_text()
    assert ">Status: Not signed</a>" in sources
    home = (site / "index.html").read_text()
    assert 'aria-label="Back to claim 2: Status: Not signed"' in home
    assert (
        "*"
        not in json.loads((site / "data/explainer.json").read_text())["factbox"]["rows"][0]["value"]
    )


def test_quotes_are_shown_in_quotation_marks(project):
    """Before, the Sources page listed the words of quotes as bare text, as if the desk's."""
    site = build(project)
    sources = (site / "sources/index.html").read_text()
    assert ">“We are still talking {{ not jinja }} &lt;b&gt;really&lt;/b&gt;.”</a>" in sources
    quotes = (site / "quotes/index.html").read_text()
    assert "<blockquote><p>“We are still talking" in quotes


def test_a_quote_appears_once_on_the_home_page(project):
    """A key quote that a section embeds is not repeated under "In their own words"."""
    html = (build(project) / "index.html").read_text()
    assert html.count("<blockquote><p>“We are still talking") == 1
    assert 'id="key-quotes"' not in html


def test_heading_ids_are_unique_on_the_page(project):
    for n in (2, 3):
        write(
            project,
            f"content/sections/0{n}-part-{n}.md",
            f"---\ntitle: Part {n}\norder: {n}\n---\n### Background\n\n[Text]{{src=report}}.\n",
        )
    write(project, "content/pages/about.md", "---\ntitle: About\n---\n## Main\n\n## Our policy\n")
    site = build(project)
    home = (site / "index.html").read_text()
    assert '<h3 id="part-2-background">' in home and '<h3 id="part-3-background">' in home
    about = (site / "about/index.html").read_text()
    assert '<main id="main"' in about and '<h2 id="main-2">Main</h2>' in about
    assert '<h2 id="our-policy">Our policy</h2>' in about


def test_as_of_line_by_the_headline(dated):
    site_yaml = dated / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "as_of: talks\n")
    home = (build(dated) / "index.html").read_text()
    header = home[home.index("<h1>") : home.index('<p class="standfirst">')]
    assert '<p class="asof">As of <span class="when"><time datetime="2025-02-12">' in header
    assert 'href="#date-talks"' in header


def test_a_cached_body_is_checked_again_when_its_dates_change(dated):
    """A body the build cache knew kept its old check: after dates.yaml moved an entry to
    another day, the words '12 February' on the about page (a body with no finding, so
    cached) no longer matched, and only a clean build said so."""
    assert run_cli(dated, "build").code == 0
    replace(dated, "content/dates.yaml", "date: 2025-02-12", "date: 2025-02-13")
    result = run_cli(dated, "build")
    assert result.code == 1
    assert (
        "content/pages/about.md:6:18: error: '12 February' is not the date of 'talks' "
        "in dates.yaml (2025-02-13)" in result.err.splitlines()
    )


def test_pages_showing_a_date_are_rendered_again_when_its_entry_changes(dated):
    from explainer.build.pipeline import Project

    project = Project(dated)
    assert project.build(out=dated / "site").ok
    assert project.build(out=dated / "site").rendered == 0
    replace(dated, "content/dates.yaml", "in the week of its report", "that week")
    result = project.build(out=dated / "site")
    assert result.ok and 0 < result.rendered < result.total
    for page in ["index.html", "quotes/index.html", "about/index.html"]:
        assert (
            "says the talks began on Wednesday, that week." in (dated / "site" / page).read_text()
        )
