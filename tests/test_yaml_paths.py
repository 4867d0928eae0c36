"""libyaml and the pure-Python loader must agree: same data, same positions.

`load.parse_yaml` takes the libyaml path for clean input and falls back to the careful
Python loader for everything else; a fast path that read anything differently would
change what a build says about the same file.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.content import yamlpos as load
from explainer.diagnostics import Diagnostics

CASES = [
    "title: Hello\norder: 2\n",
    "a: [1, 2, {b: c}]\nd: 2025-02-12\ne: null\nf: true\n",
    "- id: x\n  sources: [a, b]\n- id: y\n  text: |\n    two\n    lines\n",
    "a: &x 1\nb: *x\n",  # alias: refused, at the alias
    "a: !!python/name:os.system x\n",
    "a:\n\tb: 1\n",  # a tab
    "a: 1\na: 2\n",  # duplicate key
    "<<: {a: 1}\n",
    "a: 2025-02-30\n",
    "a: '\x07'\n",
    "[" * 60 + "]" * 60,
    "key: [unclosed\n",
    "",
    "# only a comment\n",
    "a: b: c\n",
    "? complex\n: value\n",
    "a: 'It''s'\nb: \"\\u00e9\"\nc: >\n  folded\n  text\n",
]


def careful(text: str, offset: int = 0):
    diags = Diagnostics()
    saved, load._CLoader = load._CLoader, None
    try:
        doc = load.parse_yaml(text, "f.yaml", diags, offset)
    finally:
        load._CLoader = saved
    return doc, [str(d) for d in diags.items]


def assert_same(text: str, offset: int = 0) -> None:
    expected, expected_diags = careful(text, offset)
    fast = load._parse_yaml_fast(text, "f.yaml", offset)
    if fast is None:
        return  # the careful path answers
    assert not expected_diags, (text, expected_diags)
    assert fast.data == expected.data
    assert type(fast.data) is type(expected.data)
    assert fast.key_pos == expected.key_pos
    assert fast.value_pos == expected.value_pos


@pytest.mark.parametrize("text", CASES)
def test_libyaml_agrees_with_the_careful_loader(text: str):
    assert_same(text)
    assert_same(text, offset=3)


def test_clean_input_takes_the_fast_path():
    assert load._parse_yaml_fast(CASES[1], "f.yaml", 0) is not None


def test_deep_text_never_reaches_libyaml():
    """libyaml recurses in C per level and crashes the process ~100,000 levels deep."""
    assert load._parse_yaml_fast("[" * 200_000 + "]" * 200_000, "f.yaml", 0) is None
    assert load._parse_yaml_fast("- " * 100_000 + "x", "f.yaml", 0) is None


TOKENS = [
    *"ab1 -:[]{},'\"#&*!?|>%@`\n\t.\\",
    "2025-02-12",
    "null",
    "\n  ",
    "- ",
    ": ",
    "é",
    "\u2028",
    "~",
    "0x1f",
    "1e3",
]
YAMLISH = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(YAMLISH)
def test_random_yaml_reads_the_same_both_ways(text: str):
    assert_same(text)


SCALARS = st.one_of(
    st.text(max_size=20), st.integers(), st.booleans(), st.none(), st.dates(), st.floats()
)
DATA = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(DATA, st.booleans(), st.integers(min_value=0, max_value=3))
def test_dumped_data_reads_the_same_both_ways(data, flow: bool, offset: int):
    assert_same(yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True), offset)


def test_a_comment_line_does_not_send_a_file_down_the_slow_path():
    """The theme's strings/en.yaml took the careful loader (7 ms, a twentieth of a small
    build) only for the `>` of `<kind>` in a comment."""
    text = "# colours: `status--<tier>` | see style.css!\na: 1\n  # indented > too\nb: [2]\n"
    assert load._parse_yaml_fast(text, "f.yaml", 0) is not None
    assert_same(text)
    assert load._parse_yaml_fast("a: |\n  # a block's text\n", "f.yaml", 0) is None
    assert load._parse_yaml_fast('a: "x\n  # ! still text"\n', "f.yaml", 0) is not None
    assert_same('a: "x\n  # ! still text"\n')
    assert load._parse_yaml_fast("\n#\u2028|#!", "f.yaml", 0) is None  # \u2028 ends a line
