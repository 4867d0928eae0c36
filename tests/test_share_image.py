"""The share card: a 1200×630 PNG per explainer, deterministic, styled by templates/."""

from __future__ import annotations

import io

import pytest
from helpers import run_cli, write
from PIL import Image
from sitecheck import build, parse_page, replace

from explainer.site.share_image import CardStyle, draw_card, wrap


def share_png(site):
    [path] = (site / "static").glob("share.*.png")
    return path


def test_card_is_a_1200x630_png_referenced_by_every_share_tag(project):
    site = build(project, "--base-url", "https://example.org/")
    path = share_png(site)
    image = Image.open(path)
    assert (image.format, image.size, image.mode) == ("PNG", (1200, 630), "RGB")
    page = parse_page((site / "index.html").read_text())
    url = f"https://example.org/static/{path.name}"
    assert page.meta("og:image") == page.meta("twitter:image") == url
    assert page.meta("og:image:type") == "image/png"
    assert page.meta("og:image:alt") == "Explainer: A small test explainer. Status: Not signed"


def test_card_and_its_name_change_with_the_fact_shown(project):
    first = share_png(build(project)).name
    replace(project, "content/factbox.yaml", "value: Not *signed*", "value: Signed")
    second = share_png(build(project)).name
    assert second != first
    write(project, "templates/share_card.yaml", "fact: summary\n")
    site = build(project, "--base-url", "https://example.org/")
    assert share_png(site).name not in (first, second)
    alt = parse_page((site / "index.html").read_text()).meta("og:image:alt")
    assert alt == "Explainer: A small test explainer. A tiny explainer used by the tests."


def test_card_without_font_files_uses_pillows_built_in_font(project):
    (project / "templates/share_card.yaml").unlink()
    image = Image.open(share_png(build(project)))
    assert image.size == (1200, 630)


def test_drawing_is_deterministic_and_text_is_really_drawn():
    style = CardStyle(background="#000000", text="#ffffff")
    args = ("Explainer", "Why – the “deal” · Łódź €", "Status", "Not signed", "Desk", style)
    first = draw_card(*args)
    assert draw_card(*args) == first
    image = Image.open(io.BytesIO(first))
    # the headline area has white pixels on the black background
    colours = image.crop((72, 130, 1128, 300)).getcolors(maxcolors=1 << 16)
    assert any(rgb == (255, 255, 255) for _, rgb in colours)


def test_long_headlines_wrap_and_are_cut_with_an_ellipsis():
    from PIL import ImageFont

    font = ImageFont.load_default(size=40)
    lines = wrap("word " * 200, font, 500, max_lines=3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert all(font.getlength(line) <= 500 for line in lines)
    assert wrap("two words", font, 1000, max_lines=2) == ["two words"]


AT = "templates/share_card.yaml:1:1: error: "


@pytest.mark.parametrize(
    "text, message",
    [
        ("background: '#12345'\n", AT + "background '#12345' is not a colour"),
        ("fact: headline\n", AT + "fact 'headline' is not one of factbox, summary"),
        (
            "backgrund: red\n",
            AT + "unknown field 'backgrund' in share card style (did you mean 'background'?)",
        ),
        (
            "text_font: fonts/missing.ttf\n",
            AT + "text_font fonts/missing.ttf is not a readable font file of the theme",
        ),
        ("background: [red\n", "templates/share_card.yaml:1:13: error: this '[' is never closed"),
    ],
)
def test_bad_card_style_is_reported_with_file_and_line(project, text, message):
    write(project, "templates/share_card.yaml", text)
    result = run_cli(project, "check")
    assert result.code == 1
    assert message in result.err, result.err
