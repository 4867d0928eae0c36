"""The Markdown dialect: CommonMark, tables, typography, source annotations and quote embeds.

Annotation syntax (Pandoc-style bracketed spans, parsed by mdit-py-plugins' attrs plugin):

    [Kyiv is pursuing a better deal]{src=senior-ua-official}
    [Several sources say so]{src="three-familiar five-familiar"}

A calendar date says how it is known, by a dates.yaml id (or an ISO date its claim's
sources state); date spans may sit inside claims:

    [On [Friday, 14 February 2025]{date=munich-friday}, he met Vance]{src=ft-report}

Quote embed, and the generated glossary and dates list (mdit-py-plugins' container plugin):

    ::: quote zelenskyy-still-in-discussions
    :::

    ::: glossary
    :::

Headings get ids from their text (mdit-py-plugins' anchors plugin):
`## Our policy on unnamed sources` is `#our-policy-on-unnamed-sources`.

Raw HTML is escaped, and links keep only http(s), mailto and relative URLs.
Root-relative links (`[about](/about/)`) are written as if the site were served
at `/`; rendering moves them under the base path with the `link` function in env.
The renderer emits no markup of its own for annotations and quotes: it calls
the `annotate` and `quote` functions passed in its env, which render templates.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.renderer import RendererHTML
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin

from ..urls import is_safe_url


def make_markdown() -> MarkdownIt:
    """One configured parser; build it once per process and reuse it."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "replacements", "smartquotes"])
    # Attributes only on bracketed spans, and only `src` and `date`: `{onclick=…}` must not pass.
    md.use(attrs_plugin, spans=True, after=("span_close",), allowed=("src", "date"))
    md.inline.ruler.at("span", _plain_span_first(md.inline.ruler.__rules__[_rule_index(md)].fn))
    md.use(
        container_plugin,
        name="quote",
        validate=lambda params, *a: params.strip().startswith("quote"),
    )
    for name in GENERATED:
        md.use(container_plugin, name=name, validate=lambda p, *a, n=name: p.strip() == n)
        md.add_render_rule(f"container_{name}_open", _render_generated(name))
        md.add_render_rule(f"container_{name}_close", lambda *a: "")
    md.use(anchors_plugin, min_level=2, max_level=6)
    md.validateLink = lambda url: is_safe_url(unescapeAll(url).strip())
    _report_deep_nesting(md)
    md.add_render_rule("span_open", _render_span_open)
    md.add_render_rule("span_close", _render_span_close)
    md.add_render_rule("heading_open", _render_heading_open)
    md.add_render_rule("container_quote_open", _render_quote_open)
    md.add_render_rule("container_quote_close", lambda *a: "")
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    return md


def _rule_index(md: MarkdownIt) -> int:
    return md.inline.ruler.__find__("span")


# `{src=id}` or `{src="id id"}` with plain ids: the attrs plugin's general attribute parser
# reads these to exactly this, and on a large site it was a third of all Markdown parsing.
_PLAIN_SRC = re.compile(r'\{src=(?:"([\w.\-]+(?: [\w.\-]+)*)"|([\w.\-]+))\}', re.A)


def _plain_span_first(general):
    """The attrs plugin's span rule, with the common annotation read directly.

    Anything but a plain `{src=…}` goes to the plugin's own rule, so every other
    input parses exactly as before (tests/test_markdown_spans.py compares the two).
    """

    def span(state, silent: bool) -> bool:
        if state.src[state.pos] != "[":
            return False
        label_end = state.md.helpers.parseLinkLabel(state, state.pos, False)
        if label_end < 0:
            return False
        match = _PLAIN_SRC.match(state.src, label_end + 1)
        if match is None or match.end() > state.posMax:
            return general(state, silent)
        if not silent:
            maximum = state.posMax
            state.pos, state.posMax = state.pos + 1, label_end
            token = state.push("span_open", "span", 1)
            token.attrs["src"] = match.group(1) or match.group(2)
            state.md.inline.tokenize(state)
            state.push("span_close", "span", -1)
            state.posMax = maximum
        state.pos = match.end()
        return True

    return span


TOO_DEEP = "too_deep_line"  # env key: the body line where nesting passed maxNesting


def _report_deep_nesting(md: MarkdownIt) -> None:
    """Record where block nesting passes `maxNesting` (20) in `env[TOO_DEEP]`.

    markdown-it stops there to bound its recursion, and silently drops the rest of
    the block (20 nested `>`, 10 nested lists): an error is better than lost text.
    """
    tokenize = md.block.tokenize

    def guarded(state, start: int, end: int) -> None:
        if state.level >= md.options.maxNesting and TOO_DEEP not in state.env:
            line = state.skipEmptyLines(start)
            if line < end and state.sCount[line] >= state.blkIndent:
                state.env[TOO_DEEP] = line
        tokenize(state, start, end)

    md.block.tokenize = guarded


# Blocks the site writes itself from its one definition: `::: glossary` (the labels for
# kinds of source and claim statuses) and `::: dates` (every dates.yaml entry).
GENERATED = ("glossary", "dates")


def source_ids(token) -> list[str]:
    """The ids in a span's src attribute: space- or comma-separated."""
    return str(token.attrs.get("src", "")).replace(",", " ").split()


def quote_id(token) -> str:
    """The id after `::: quote`."""
    parts = token.info.split()
    return parts[1] if len(parts) > 1 else ""


def _render_span_open(self, tokens, idx, options, env):
    meta = tokens[idx].meta
    if "claim" in meta:
        return env["annotate"](meta["claim"], "open")
    if "date" in meta:
        return env["date"](meta["date"], "open")
    return "<span>"


def _render_span_close(self, tokens, idx, options, env):
    meta = tokens[idx].meta
    if "claim" in meta:
        return env["annotate"](meta["claim"], "close")
    if "date" in meta:
        return env["date"](meta["date"], "close")
    return "</span>"


def _render_generated(name: str):
    def render(self, tokens, idx, options, env):
        return env[name]() if name in env else ""

    return render


def _render_heading_open(self, tokens, idx, options, env):
    """The heading with its id made unique on the page (`env['heading_id']`)."""
    token = tokens[idx]
    given = token.attrGet("id")
    if given and env and "heading_id" in env:
        unique = token.copy(attrs={**token.attrs, "id": env["heading_id"](str(given))})
        tokens = [*tokens[:idx], unique, *tokens[idx + 1 :]]  # a copy: tokens are reused
    return self.renderToken(tokens, idx, options, env)


def _render_quote_open(self, tokens, idx, options, env):
    quote = tokens[idx].meta.get("quote")
    if quote is None:  # resolve reported it; render nothing rather than guess
        return ""
    return env["quote"](quote)


def _render_link_open(self, tokens, idx, options, env):
    return self.renderToken([_with_base(tokens[idx], "href", env)], 0, options, env)


def _render_image(self, tokens, idx, options, env):
    return RendererHTML.image(self, [_with_base(tokens[idx], "src", env)], 0, options, env)


def _with_base(token, attr: str, env):
    """The token with its root-relative URL under the base path (a copy: tokens are reused)."""
    link = env.get("link") if env else None
    url = token.attrGet(attr)
    if link is None or not isinstance(url, str) or link(url) == url:
        return token
    return token.copy(attrs={**token.attrs, attr: link(url)})


def inline_text(md: MarkdownIt, text: str) -> str:
    """What a reader sees of inline Markdown: 'Not *signed*' -> 'Not signed'."""
    tokens = md.parseInline(text)
    return plain_text(tokens[0].children or []) if tokens else text


def plain_text(tokens) -> str:
    """The visible text of inline tokens, for claim summaries and back-links."""
    out = []
    for t in tokens:
        if t.type in ("text", "code_inline"):
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif t.children:
            out.append(plain_text(t.children))
    return "".join(out)
