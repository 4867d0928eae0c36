"""The quick reading of plain `{src=…}` annotations must parse exactly as the attrs plugin.

`markdown.make_markdown` reads the common annotation itself and hands everything else
to mdit-py-plugins' span rule; here the same texts go through a parser with only the
plugin's rule, and the token streams must be identical.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.content import markdown


def plugin_only():
    md = markdown.make_markdown()
    rules = md.inline.ruler.__rules__
    general = rules[md.inline.ruler.__find__("span")].fn.__closure__[0].cell_contents
    md.inline.ruler.at("span", general)
    return md


FAST, PLUGIN = markdown.make_markdown(), plugin_only()


def tokens(md, text: str) -> list:
    def flat(items):
        return [
            (t.type, t.tag, t.nesting, dict(t.attrs), t.content, t.meta, flat(t.children or []))
            for t in items
        ]

    return flat(md.parse(text))


def assert_same(text: str) -> None:
    assert tokens(FAST, text) == tokens(PLUGIN, text), text
    assert FAST.render(text) == PLUGIN.render(text)


CASES = [
    "[Kyiv wants more]{src=senior-ua-official}.",
    '[Two say so]{src="three-familiar five-familiar"} and [one]{src=a}',
    "[nested [inner]{src=b} outer]{src=a}",
    "[x]{src=a title=b}",
    "[x]{src='a'}",
    '[x]{src="a,b"}',
    "[x]{src=a,b}",
    "[x]{src=javascript:alert(1)}",
    "[x]{ src=a }",
    "[x]{src=}",
    "[x]{src=a}{src=b}",
    "*[emph]{src=a}*",
    "[link](http://example.org){src=a}",
    "[x]\n{src=a}",
    "[x]{src=a\n}",
    "`[x]{src=a}`",
    "[x]{src=é}",
    "\\[x]{src=a}",
    "[x]{src=a} [y]{src=b}{.cls}",
]


@pytest.mark.parametrize("text", CASES)
def test_plain_annotations_parse_as_the_plugin_does(text: str):
    assert_same(text)


def test_the_quick_path_reads_plain_annotations_without_the_plugin():
    def plugin(state, silent):
        raise AssertionError("the plugin's rule was asked")

    md = markdown.make_markdown()
    md.inline.ruler.at("span", markdown._plain_span_first(plugin))
    assert tokens(md, CASES[1]) == tokens(PLUGIN, CASES[1])
    with pytest.raises(AssertionError, match="plugin's rule"):
        md.parse("[x]{src=a title=b}")


PIECES = [
    "[",
    "]",
    "{src=",
    "{",
    "}",
    '"',
    "'",
    " ",
    "a",
    "b-1",
    ".",
    ",",
    "=",
    "\\",
    "*",
    "`",
    "\n",
    "(",
    ")",
    "src",
    "é",
    ":",
    "[x]{src=a}",
    "{.c}",
    "#",
]


@settings(max_examples=1500, derandomize=True, database=None, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_random_text_parses_as_the_plugin_does(text: str):
    assert_same(text)
