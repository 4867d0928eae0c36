"""A story's own wording for interface strings: `strings:` in site.yaml over the theme's.

The theme's strings are story-neutral ("Not named in the sources"); a story that wants
its own wording ("Not named in the report") says so in its content, not in a copy of
the theme. An override must name a string the theme has and match its shape: text for
text (using only the placeholders the theme's text uses), a mapping of known keys for a
mapping, a list as long as the theme's list. Anything else is an error at its line.
"""

from __future__ import annotations

from string import Formatter

from ..content.model import Site
from ..content.schema import describe
from ..diagnostics import Diagnostics, Pos
from .theme import DATE_PATTERN_HELP, is_date_pattern


def with_overrides(strings: dict, site: Site, diags: Diagnostics) -> dict:
    """The theme's strings with the site's `strings:` applied (reports what does not fit)."""
    merged = dict(strings)
    for key, value in site.strings.items():
        pos = site.at(f"strings.{key}")
        if key not in strings:
            diags.error(
                pos,
                f"unknown interface string '{key}' in strings:{diags.did_you_mean(key, strings)}",
            )
            continue
        theme_value = strings[key]
        if isinstance(theme_value, dict):
            merged[key] = _mapping(key, theme_value, value, pos, diags)
        elif _fits(key, theme_value, value, pos, diags):
            merged[key] = value
    return merged


def _mapping(key: str, theme_value: dict, value, pos: Pos, diags: Diagnostics) -> dict:
    """A mapping string (`kind:`, `status:`…): override some of its keys, keep the rest."""
    merged = dict(theme_value)
    if not isinstance(value, dict):
        choices = ", ".join(map(str, theme_value))
        diags.error(
            pos, f"interface string '{key}' must be a mapping of {choices}, got {describe(value)}"
        )
        return merged
    for sub, text in value.items():
        name = f"{key}.{sub}"
        if sub not in theme_value:
            diags.error(
                pos,
                f"unknown interface string '{name}' in strings:"
                f"{diags.did_you_mean(name, [f'{key}.{k}' for k in theme_value])}",
            )
        elif _fits(name, theme_value[sub], text, pos, diags):
            merged[sub] = text
    return merged


def _fits(name: str, theme_value, value, pos: Pos, diags: Diagnostics) -> bool:
    if isinstance(theme_value, list):
        ok = isinstance(value, list) and len(value) == len(theme_value)
        ok = ok and all(isinstance(v, str) for v in value)
        if not ok:
            diags.error(
                pos, f"interface string '{name}' must be a list of {len(theme_value)} texts"
            )
        return ok
    if not isinstance(value, str):
        quote = " (put it in quotes to make it text)" if value is not None else ""
        diags.error(pos, f"interface string '{name}' must be text, got {describe(value)}{quote}")
        return False
    if name == "date_format":
        if not is_date_pattern(value):
            diags.error(pos, f"interface string {DATE_PATTERN_HELP}")
            return False
        return True
    allowed = _placeholders(theme_value) or set()
    used = _placeholders(value)
    if used is None or not used <= allowed:
        shown = ", ".join(f"{{{p}}}" for p in sorted(allowed)) or "none"
        diags.error(
            pos,
            f"interface string '{name}' may use only the placeholders of the theme's text "
            f"({shown})",
        )
        return False
    return True


def _placeholders(text) -> set[str] | None:
    """The `{name}` fields of a format text; None if it is not a plain one ('{n.x}', '{')."""
    if not isinstance(text, str):
        return set()
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in Formatter().parse(text) if f is not None]
    except ValueError:
        return None
    if any(spec or conv or not f.isidentifier() for f, spec, conv in fields):
        return None
    return {f for f, _, _ in fields}
