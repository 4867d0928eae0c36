"""The share card: a 1200×630 PNG that link previews show, drawn at build time.

Fonts come from files of the theme (DejaVu Sans by default: Pillow's
built-in Aileron lacks dashes, accents and the euro sign that news text needs), so
no system font is used and every machine draws the same pixels. Without font
files it falls back to Pillow's built-in scalable font (Pillow 10.1+). The card's
look is presentation, so it is set in the theme's `share_card.yaml` (all fields
optional), checked like content.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from .. import routes
from ..content.files import digest, read_bytes, read_text
from ..content.markdown import inline_text
from ..content.model import Content, Located
from ..content.schema import build_item
from ..content.yamlpos import parse_yaml
from ..diagnostics import Diagnostics
from .assets import MAX_ASSET_BYTES
from .theme import Theme, is_theme_name

if TYPE_CHECKING:
    from PIL import ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
STYLE_FILE = "share_card.yaml"
FACT_CHOICES = ("factbox", "summary")
NOT_DRAWN = ("pos", "field_pos", "font_data")  # CardStyle fields that are no style
# More characters than a line of the card can show, at its smallest size, in any font
# that draws letters at least 3 pixels wide: text is cut to this before it is measured.
MAX_LINE_CHARS = 400


@dataclass(eq=False)
class CardStyle(Located):
    """How the card looks; the defaults are the shipped templates/share_card.yaml."""

    background: str = "#16213a"
    text: str = "#ffffff"
    accent: str = "#f2b233"
    muted: str = "#c5cbe0"
    headline_font: str | None = None  # a .ttf or .otf file of the theme; else Pillow's own font
    text_font: str | None = None  # the kicker, fact and footer
    fact: str = "factbox"  # under the headline: the first fact-box row, or the summary
    # The font files' bytes by name, read by `load_style` (not a field of the YAML file).
    font_data: dict[str, bytes] = field(default_factory=dict, init=False, repr=False)


@dataclass(frozen=True)
class ShareImage:
    file: str  # fingerprinted name in static/
    data: bytes
    alt: str
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def route(self) -> str:
        return routes.static(self.file)


def load_style(theme: Theme, diags: Diagnostics) -> CardStyle | None:
    """The card style from the theme's share_card.yaml, defaults if absent; None after errors."""
    found = theme.find(STYLE_FILE)
    if found is None:
        return CardStyle()
    rel = theme.display(found[0])
    text = read_text(found[0], found[1], diags, display=rel)
    if text is None:
        return None
    errors = len(diags.errors)
    doc = parse_yaml(text, rel, diags)
    if len(diags.errors) > errors:
        return None
    if doc.data is None:  # an empty file: all defaults
        return CardStyle()
    style = build_item(CardStyle, doc.data, doc, (), diags)
    if style is None:
        return None
    ok = True
    if style.fact not in FACT_CHOICES:
        choices = ", ".join(FACT_CHOICES)
        diags.error(style.at("fact"), f"fact '{style.fact}' is not one of {choices}")
        ok = False
    for name in ("headline_font", "text_font"):
        font = getattr(style, name)
        if font is None:
            continue
        if not is_theme_name(font):
            diags.error(
                style.at(name),
                f"{name} {font} must be a path inside the theme, such as fonts/DejaVuSans.ttf "
                "(not absolute, no '..' or hidden names)",
            )
            ok = False
            continue
        errors = len(diags.errors)
        data = read_font(theme, font, diags)
        if data is None:
            if len(diags.errors) == errors:  # else the file's own problem was reported
                _not_a_font(style, name, diags)
            ok = False
            continue
        style.font_data[font] = data
    return style if ok else None


def read_font(theme: Theme, name: str, diags: Diagnostics) -> bytes | None:
    """A font file of the theme, read like any other theme file (FreeType checks it when
    the card is drawn). None if there is none; one that cannot be read is reported here."""
    found = theme.find(name)
    if found is None:
        return None
    return read_bytes(found[0], found[1], diags, MAX_ASSET_BYTES, display=theme.display(found[0]))


def drawable(style: CardStyle, diags: Diagnostics) -> bool:
    """Whether Pillow can draw with the style: its colours and font files. Asked only
    before drawing: a card taken from those drawn before was drawn with exactly these
    (its key holds them), so Pillow is not even imported when a card is not drawn."""
    from PIL import ImageColor, ImageFont

    ok = True
    for name in ("background", "text", "accent", "muted"):
        try:
            ImageColor.getrgb(getattr(style, name))
        except ValueError:
            diags.error(style.at(name), f"{name} '{getattr(style, name)}' is not a colour")
            ok = False
    for name in ("headline_font", "text_font"):
        font = getattr(style, name)
        if font is None or font not in style.font_data:
            continue
        try:
            ImageFont.truetype(io.BytesIO(style.font_data[font]), 10)
        except OSError:
            _not_a_font(style, name, diags)
            ok = False
    return ok


def _not_a_font(style: CardStyle, name: str, diags: Diagnostics) -> None:
    font = getattr(style, name)
    diags.error(style.at(name), f"{name} {font} is not a readable font file of the theme")


def build(
    content: Content, md, style: CardStyle, diags: Diagnostics, drawn=None
) -> ShareImage | None:
    """The explainer's card: kicker, headline, one key fact and the publisher; None after
    reporting why the style cannot be drawn. `drawn` holds cards drawn before, by their
    key (a mapping; `build/memo.DrawnCards` keeps them between processes): drawing takes
    longer than building a small site."""
    site = content.site
    # The card is drawn before `resolve` has read the Markdown: plain text of it here.
    label, fact = "", inline_text(md, site.summary)
    if style.fact == "factbox" and content.factbox and content.factbox.rows:
        row = content.factbox.rows[0]
        label, fact = row.label, inline_text(md, row.value)
    args = (site.kicker, site.title, label, fact, site.publisher.name)
    # The key is everything the pixels depend on, the font files' bytes included.
    fonts = style.font_data
    key = digest(
        repr(args),
        repr(tuple(getattr(style, f.name) for f in fields(CardStyle) if f.name not in NOT_DRAWN)),
        *(part for name, data in sorted(fonts.items()) for part in (name, digest(data))),
    )
    data = drawn.get(key) if drawn is not None else None
    if data is None:
        if not drawable(style, diags):
            return None
        data = draw_card(*args, style, fonts)
        if drawn is not None:
            drawn[key] = data
    alt = f"{site.kicker}: {site.title}. " + (f"{label}: {fact}" if label else fact)
    return ShareImage(file=routes.fingerprint("share.png", data), data=data, alt=alt)


def draw_card(
    kicker: str,
    headline: str,
    label: str,
    fact: str,
    footer: str,
    style: CardStyle,
    fonts: dict[str, bytes] | None = None,
) -> bytes:
    """The PNG bytes; the same arguments give the same bytes. `fonts`: the bytes of each
    font file, by the name the style gives it."""
    from PIL import Image, ImageDraw, ImageFont

    def font(size: int, file: str | None = style.text_font) -> ImageFont.FreeTypeFont:
        if file and fonts and file in fonts:
            data = io.BytesIO(fonts[file])
            return ImageFont.truetype(data, size, layout_engine=ImageFont.Layout.BASIC)
        return ImageFont.load_default(size=size)

    image = Image.new("RGB", (WIDTH, HEIGHT), style.background)
    draw = ImageDraw.Draw(image)
    width = WIDTH - 2 * MARGIN
    draw.rectangle((0, 0, WIDTH, 12), fill=style.accent)

    y = MARGIN
    small = font(28)
    draw.text((MARGIN, y), one_line(kicker.upper(), small, width), font=small, fill=style.accent)
    y += 56

    footer_y = HEIGHT - MARGIN - 28
    fact_font, label_font = font(34), font(24)
    fact_lines = wrap(fact, fact_font, width, max_lines=2)
    fact_height = (34 if label else 0) + len(fact_lines) * 44
    room = footer_y - 40 - fact_height - 36 - y  # what the headline may fill

    for size in range(76, 39, -4):  # the largest headline that fits, at most 4 lines
        head_font, line_height = font(size, style.headline_font), round(size * 1.18)
        fits = min(4, room // line_height)
        lines, complete = fill(headline, head_font, width, fits)
        if complete:
            lines = lines or [""]
            break
    else:
        lines = wrap(headline, head_font, width, max_lines=max(1, fits))
    for line in lines:
        draw.text((MARGIN, y), line, font=head_font, fill=style.text)
        y += line_height

    y += 36
    if label:
        label = one_line(label.upper(), label_font, width)
        draw.text((MARGIN, y), label, font=label_font, fill=style.accent)
        y += 34
    for line in fact_lines:
        draw.text((MARGIN, y), line, font=fact_font, fill=style.muted)
        y += 44

    draw.line((MARGIN, footer_y - 20, WIDTH - MARGIN, footer_y - 20), fill=style.muted, width=1)
    draw.text((MARGIN, footer_y), one_line(footer, small, width), font=small, fill=style.text)

    out = io.BytesIO()
    image.save(out, "PNG")  # optimize=True saved 4 % of the bytes for 4 times the time
    return out.getvalue()


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to `width` pixels in at most `max_lines` lines; text that does not
    fit ends in an ellipsis."""
    lines, complete = fill(text, font, width, max_lines)
    if complete:
        return lines or [""]
    if not lines:  # nothing but spaces before the cut
        return ["…"]
    last = lines[-1]
    while " " in last and font.getlength(last + " …") > width:
        last = last.rsplit(" ", 1)[0]
    if font.getlength(last + " …") > width:  # one word, and too wide with the ellipsis
        last = last[: _longest_fit(last, " …", font, width)]
    return [*lines[:-1], last + " …"]


def fill(
    text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int
) -> tuple[list[str], bool]:
    """The greedy wrap of `text` to `width` pixels, up to `max_lines` lines, and whether all
    of it fits in them.

    It takes time linear in what the lines can show, however long the text: the text is
    first cut to `MAX_LINE_CHARS` per line, and a word wider than a line (which could not
    be shown whole) is broken where a binary search of its prefixes says, instead of
    being drawn past the card's edge.
    """
    if max_lines < 1:
        return [], not text.strip()
    budget = max_lines * MAX_LINE_CHARS
    complete = not text[budget:].strip()
    lines: list[str] = []
    for word in text[:budget].split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
            continue
        while len(lines) < max_lines and font.getlength(word) > width:
            cut = max(1, _longest_fit(word, "", font, width))
            lines.append(word[:cut])
            word = word[cut:]
        if len(lines) == max_lines:
            return lines, False
        lines.append(word)
    return lines, complete


def one_line(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """`text` as it is if it fits on one line, else cut to fit, with an ellipsis."""
    if len(text) <= MAX_LINE_CHARS and font.getlength(text) <= width:
        return text
    return wrap(text, font, width, 1)[0]


def _longest_fit(text: str, after: str, font: ImageFont.FreeTypeFont, width: int) -> int:
    """The largest n for which `text[:n] + after` fits in `width` pixels (0 if none): a
    doubling search, then a binary one, so only about twice what fits is ever measured."""
    low, high = 0, 1
    while high <= len(text) and font.getlength(text[:high] + after) <= width:
        low, high = high, high * 2
    high = min(high - 1, len(text))
    while low < high:
        mid = (low + high + 1) // 2
        if font.getlength(text[:mid] + after) <= width:
            low = mid
        else:
            high = mid - 1
    return low
