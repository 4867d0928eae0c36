"""The theme: templates, static files, fonts and interface strings, and the Jinja sandbox.

A theme file is looked up by name in the project's `templates/` first and then in the
built-in theme that ships in the package (`explainer/theme/`), file by file, the way
MkDocs' `custom_dir` works: a project overrides exactly the files it changes. Project
files are read like content (inside the project, regular, bounded, UTF-8); every
template, in every mode, runs in the sandbox below.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import babel.dates
import jinja2
import jinja2.sandbox

from ..content import model
from ..content.files import digest, read_text
from ..content.yamlpos import YamlDoc, parse_yaml
from ..diagnostics import Diagnostics, Pos

BUILTIN = Path(__file__).resolve().parent.parent / "theme"
PROJECT_FOLDER = "templates"
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")
NOT_TEMPLATES = {"static", "fonts", "strings"}  # theme folders holding other files


class Theme:
    """Where each theme file comes from: `<project>/templates/`, else the built-in theme."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = root / PROJECT_FOLDER
        # (folder, the folder its files must stay inside)
        self.folders = [(self.project, root), (BUILTIN, BUILTIN)]

    def find(self, name: str) -> tuple[Path, Path] | None:
        """(path, containing root) of the first theme file called `name`, or None.

        `name` is a relative path such as 'fonts/x.ttf': an absolute path, `..` or a
        hidden name (`.git/config`) is no theme file. Whether the file found may be read
        (inside the project, regular) is for `read_text` and `read_bytes` to say.
        """
        if not is_theme_name(name):
            return None
        for folder, inside in self.folders:
            path = folder / name
            if os.path.lexists(path):
                return path, inside
        return None

    def read_text(self, name: str, diags: Diagnostics) -> str | None:
        found = self.find(name)
        if found is None:
            diags.error(Pos(f"{PROJECT_FOLDER}/{name}"), f"no theme file {name}: {self.order()}")
            return None
        return read_text(found[0], found[1], diags, display=self.display(found[0]))

    def names(self, folder: str) -> list[str]:
        """Every file under `folder` (e.g. 'static') in either place, by relative name.

        Hidden files and folders are left out (they are never published), and so is
        what lies behind a link to a folder outside the project: the link itself is
        listed, so reading it reports it.
        """
        found = set()
        for base, inside in self.folders:
            found.update(_walk(base / folder, inside.resolve()))
        return sorted(found)

    def display(self, path: Path | str) -> str:
        """How messages name a theme file: 'templates/x.html' or 'explainer/theme/x.html'."""
        path = Path(path)
        for base in (self.root, BUILTIN.parent.parent):
            if path.is_relative_to(base):
                return path.relative_to(base).as_posix()
        return str(path)

    def order(self) -> str:
        return f"looked in {PROJECT_FOLDER}/, then in the built-in theme {self.display(BUILTIN)}/"


def is_theme_name(name: str) -> bool:
    """A relative path of plain, visible names: no '', '.', '..', hidden or absolute parts."""
    return all(part and part[0] != "." and "\\" not in part for part in name.split("/"))


def _walk(top: Path, inside: Path, rel: str = "") -> Iterator[str]:
    """Relative names of the files under `top`, following links only to folders that are
    inside `inside` (each folder once); a link leading out is named, not entered."""
    seen = set()
    stack = [(top, rel)]
    while stack:
        folder, prefix = stack.pop()
        real = folder.resolve()
        if not real.is_relative_to(inside):
            if prefix:
                yield prefix.rstrip("/")
            elif os.path.lexists(folder):  # the folder itself leads out: name it
                yield ""
            continue
        if real in seen or not real.is_dir():
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            name = f"{prefix}{entry.name}"
            if entry.is_dir():  # follows a link: its target is checked when it is popped
                stack.append((Path(entry.path), f"{name}/"))
            else:
                yield name


def load_strings(theme: Theme, language: str, diags: Diagnostics) -> dict | None:
    """strings/<language>.yaml, read as carefully as content (no aliases…)."""
    name = f"strings/{language}.yaml"
    found = theme.find(name)
    if found is None:
        diags.error(
            Pos(f"{PROJECT_FOLDER}/{name}"),
            f"no interface strings for language '{language}': {theme.order()}; "
            f"create {PROJECT_FOLDER}/{name}",
        )
        return None
    rel = theme.display(found[0])
    text = read_text(found[0], found[1], diags, display=rel)
    doc = parse_yaml(text, rel, diags) if text is not None else None
    if doc is None or doc.broken:
        return None
    if not isinstance(doc.data, dict):
        diags.error(Pos(rel, 1, 1), "expected a mapping of interface strings")
        return None
    dates_ok = _dates_usable(doc, diags)
    return doc.data if _vocabulary_usable(doc, diags) and dates_ok else None


# The vocabulary: every label the site shows for how something is known, with its meaning,
# defined once in the strings and explained on the about page from the same entries
# (`::: glossary`). Each label's colour is the theme's CSS class of the same name
# (`source__kind--<kind>`, `status--<tier>`).
VOCABULARY = {
    "kind": model.SOURCE_KINDS,
    "status": model.STATUSES,
    "date_basis": model.DATE_BASES,
}


def _vocabulary_usable(strings: YamlDoc, diags: Diagnostics) -> bool:
    """A label and a meaning for every kind of source, claim status and date basis: a
    missing one would leave a badge without words."""
    ok = True
    for group, keys in VOCABULARY.items():
        for name in (group, f"{group}_meaning"):
            texts = strings.data.get(name)
            missing = [
                k for k in keys if not isinstance(texts, dict) or not isinstance(texts.get(k), str)
            ]
            if missing:
                diags.error(
                    strings.pos((name,)),
                    f"{name} needs a text for each of {', '.join(keys)}; "
                    f"missing: {', '.join(missing)}",
                )
                ok = False
    return ok


def _dates_usable(strings: YamlDoc, diags: Diagnostics) -> bool:
    """The `date` filter gives `date_format` to Babel: it must be a CLDR date pattern."""
    if not is_date_pattern(strings.data.get("date_format")):
        diags.error(strings.pos(("date_format",)), DATE_PATTERN_HELP)
        return False
    return True


def is_date_pattern(fmt) -> bool:
    """A CLDR date pattern of days, months, years and weekdays only ('d MMMM y'), other
    words in quotes: anything else (a time, '{day}') is a mistake Babel would not report."""
    try:
        parsed = babel.dates.parse_pattern(fmt) if isinstance(fmt, str) else None
    except (TypeError, ValueError):
        return False
    fields = set(re.findall(r"%\((\w+)\)s", parsed.format)) if parsed else set()
    return bool(fields) and all(f[0] in DATE_FIELDS for f in fields)


DATE_PATTERN_HELP = (
    "date_format must be a date pattern of d (day), M (month), y (year) and E (weekday), "
    "with other words in 'quotes', such as \"d MMMM y\""
)
DATE_FIELDS = {"d", "M", "L", "y", "E"}


def make_environment(theme: Theme) -> Sandbox:
    """One sandboxed Jinja environment for the theme, kept for the life of the process."""
    return Sandbox(
        loader=TemplateLoader(theme),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
        keep_trailing_newline=True,
    )


def template_names(env: jinja2.Environment) -> list[str]:
    """Every template of the theme (not the static files, fonts and strings beside them)."""
    return [
        n
        for n in env.list_templates()
        if n.endswith(TEMPLATE_SUFFIXES) and n.split("/")[0] not in NOT_TEMPLATES
    ]


def template_pos(error: Exception, theme: Theme) -> Pos:
    """The template file:line of an error raised while rendering.

    Jinja rewrites tracebacks so template frames carry the template's file name and
    line; `UndefinedError` itself has no line, so take the innermost such frame. For
    endless recursion the innermost frame is anywhere in the loop: take the outermost.
    """
    tb = error.__traceback__ or sys.exc_info()[2]
    folders = [str(folder) for folder, _ in theme.folders]
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        outermost = isinstance(error, RecursionError) and found is not None
        from_theme = filename.startswith(tuple(folders)) or filename.endswith(".html")
        if from_theme and not outermost:
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return Pos(PROJECT_FOLDER)
    return Pos(theme.display(found[0]), found[1])


class Strings(dict):
    """The interface strings of a build: a plain mapping, read like model data (recorded)."""

    __hash__ = object.__hash__  # one build's strings: an object its reads are noted against


TEMPLATE = "template"  # how a template load is noted in `Sandbox.reads`
UNNOTED = "unnoted"  # stands for method arguments that cannot be noted
MODEL_TYPES = frozenset(
    c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
)
MAX_SIZE = 10_000_000  # items a template may make with `*` (characters, list items)


class Sandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's sandbox, for every template in every mode: a theme may come from anyone.

    Templates see the model read-only (no `list.append`, no setting attributes) and only
    its public attributes: its fields and properties and the methods meant for templates,
    never positions or anything starting with `_`. While a page renders, `reads` notes
    what the templates read (see build/deps.py); None the rest of the time.

    The model's dataclasses hold plain data, so reading their public attributes needs no
    further check; it took a third of the render time of a large site when it had one.
    """

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.reads: set | None = None
        self._verdicts: dict[tuple[type, str], bool] = {}

    def getattr(self, obj, attribute: str):
        kind = type(obj)
        public = _PUBLIC.get(kind)
        if public is None:
            public = _PUBLIC[kind] = _public(kind)
        if public is False:  # not data: Jinja's own sandbox checks
            return super().getattr(obj, attribute)
        noted = public.get(attribute)
        if noted is None:
            return self.undefined(obj=obj, name=attribute)
        if noted and self.reads is not None:
            self.reads.add((obj, attribute))
        if kind is Strings:
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        return getattr(obj, attribute)

    def getitem(self, obj, argument):
        if isinstance(argument, str) and (type(obj) is Strings or dataclasses.is_dataclass(obj)):
            return self.getattr(obj, argument)  # `doc["title"]` is `doc.title`
        return super().getitem(obj, argument)

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        if type(__obj) is jinja2.runtime.Macro:  # the template's own: nothing to check or note
            return __context.call(__obj, *args, **kwargs)  # (half of all calls; the same)
        result = super().call(__context, __obj, *args, **kwargs)
        if __self.reads is not None and type(getattr(__obj, "__self__", None)) in MODEL_TYPES:
            named = [k for k in kwargs if not k.startswith("_")]  # not Jinja's `_block_vars`
            read = (__obj.__self__, __obj.__name__, (UNNOTED,) if named else args)
            try:
                __self.reads.add(read)
            except TypeError:  # arguments that cannot be noted: a read that never matches
                __self.reads.add((__obj.__self__, __obj.__name__, (UNNOTED,)))
        return result

    def call_binop(self, context, operator: str, left, right):
        """`*` and `**` with a bound: `{{ "x" * 10**9 }}` is a template error, not a crash."""
        if operator == "**" and isinstance(right, int) and abs(right) > 1000:
            raise jinja2.sandbox.SecurityError("the sandbox allows powers up to 1000")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(n, int)
                if sized and len(seq) * n > MAX_SIZE:
                    raise jinja2.sandbox.SecurityError(
                        f"'*' would make {len(seq) * n:,} items; the sandbox allows {MAX_SIZE:,}"
                    )
        return super().call_binop(context, operator, left, right)

    def _load_template(self, name, globals):
        if self.reads is not None:
            self.reads.add((TEMPLATE, name))
        return super()._load_template(name, globals)


class _AnyString(dict):
    """Strings' public names: any key of the mapping (looked up by `getattr`)."""

    def get(self, name, default=None):
        return True


_PUBLIC: dict[type, dict | bool] = {Strings: _AnyString()}


def _public(cls) -> dict[str, bool] | bool:
    """What templates may read of a data class: name -> whether reading it is recorded
    (attributes are; methods are recorded when called, with their arguments). False for
    other classes."""
    if not dataclasses.is_dataclass(cls):
        return False
    hidden = {"pos", "field_pos", "body_line", "at"}
    names = {f.name: True for f in dataclasses.fields(cls)}
    for name in dir(cls):
        value = getattr(cls, name, None)
        if isinstance(value, property | functools.cached_property):
            names[name] = True
        elif callable(value) and not isinstance(value, type) and name not in names:
            names[name] = False
    return {n: r for n, r in names.items() if not n.startswith("_") and n not in hidden}


class TemplateLoader(jinja2.BaseLoader):
    """Templates by name from the theme (project first), read like content files.

    Jinja already refuses `..` in names; `read_text` also refuses a project template
    that links outside the project, and reports a non-UTF-8 or oversized one.
    """

    def __init__(self, theme: Theme) -> None:
        self.theme = theme
        self.digests: dict[str, str] = {}

    def get_source(self, environment, template: str):
        pieces = jinja2.loaders.split_template_path(template)
        found = self.theme.find("/".join(pieces))
        if found is None:
            raise jinja2.TemplateNotFound(template)
        path, inside = found
        diags = Diagnostics()
        text = read_text(path, inside, diags, display=self.theme.display(path))
        if text is None:
            raise TemplateFileError(diags.items[0].pos, diags.items[0].message)
        mtime = _mtime(path)
        self.digests[template] = digest(text)  # of the version Jinja now compiles
        return text, str(path), lambda: mtime is not None and _mtime(path) == mtime

    def list_templates(self) -> list[str]:
        return self.theme.names("")


def _mtime(path: Path) -> float | None:
    """The file's modification time, or None if it is gone (deleted while building)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return None


class TemplateFileError(jinja2.TemplateError):
    """A template file that cannot be used at all; `pos` says which and where."""

    def __init__(self, pos: Pos, problem: str) -> None:
        super().__init__(f"{pos}: {problem}")
        self.pos, self.problem = pos, problem
