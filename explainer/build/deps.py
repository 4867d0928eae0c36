"""Dependency records: what each page read while it rendered, so it is rendered again only
when something it read changed.

Rendering runs every template in the sandbox (`site/theme.py`), which notes each read:
an attribute of a model object, an interface string, a model method called, a template
loaded. Here those reads become *probes*, a stable name for what was read plus a digest
of what it was, e.g. `("a", "source:ft-report", "label")`. The next build asks every
probe again of its own model; a page whose probes all give the same digests would render
the same bytes and is reused. This is Lektor's `record_dependency`, for values instead of
files: nobody keeps a list of what a page depends on by hand, and a theme may read
anything public.

Objects are named by what identifies them in the content (`source:<id>`, `doc:<file>`,
`claim:<page>#<anchor>`) or by their place (`site.publisher`, `factbox.rows.2`). What an
object was written with (its YAML or front matter: the dataclass's init fields) is probed
as one (`*`): a page reads most of it anyway, and one probe costs less than ten. What
`resolve` derives (`source.cited_by`, `doc.body`, properties such as `claim.status`) is
probed field by field, so that citing a source on one more page does not re-render every
page that shows the source. A claim is always probed whole, properties included.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import marshal
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..content import model
from ..content.files import digest, read_bytes  # digest: every key of the memo is one
from ..content.model import Claim, Content, Document
from ..diagnostics import Diagnostics

TEMPLATE = "template"  # the first item of a template-load read, in the sandbox's reads
WHOLE = "*"  # a probe of everything an object was written with (a claim: everything)
MISSING = object()

Probe = tuple  # ("a", key, attribute) | ("m", key, method, args) | ("t", template name)


class Unnamed(Exception):
    """A page read an object this module cannot name: it is not recorded, so never reused."""


class Model:
    """Names for one build's objects, both ways: object -> key and key -> object."""

    def __init__(self, content: Content, extras: Mapping[str, object]) -> None:
        self.content = content
        self._keys: dict[int, str] = {id(content): "content"}
        self._objects: dict[str, object] = {"content": content}
        for name, obj in extras.items():
            self._keys[id(obj)] = name
            self._objects[name] = obj
        self._place(content, "", skip={"claims", "sections", "pages"})
        self._claims: dict[str, Claim] | None = None
        self._docs: dict[str, Document] | None = None
        self._by_id: dict[str, dict[str, object]] | None = None

    def key(self, obj) -> str:
        key = self._keys.get(id(obj))
        if key is None:
            key = self._keys[id(obj)] = _identity(obj)
        return key

    def find(self, key: str):
        """The object of this build with that name, or MISSING."""
        found = self._objects.get(key, MISSING)
        if found is not MISSING:
            return found
        kind, _, name = key.partition(":")
        if kind == "claim":
            if self._claims is None:
                self._claims = {f"{c.page}#{c.anchor}": c for c in self.content.claims}
            return self._claims.get(name, MISSING)
        if kind == "doc":
            if self._docs is None:
                docs = [*self.content.sections, *self.content.pages]
                self._docs = {d.pos.file: d for d in docs}
            return self._docs.get(name, MISSING)
        if self._by_id is None:
            self._by_id = {}
            for items in _lists(self.content):
                for item in items:
                    if isinstance(getattr(item, "id", None), str):
                        self._by_id.setdefault(type(item).__name__.lower(), {})[item.id] = item
        return self._by_id.get(kind, {}).get(name, MISSING)

    def _place(self, obj, path: str, skip=frozenset()) -> None:
        """Name the objects without an identity of their own by where they are."""
        for f in dataclasses.fields(obj):
            if not f.init or f.name in skip or f.name in _POSITIONS:
                continue
            value = getattr(obj, f.name)
            items = enumerate(value) if isinstance(value, list) else [(None, value)]
            for i, item in items:
                if not _is_model(item) or isinstance(getattr(item, "id", None), str):
                    continue
                where = f"{path}{f.name}" if i is None else f"{path}{f.name}.{i}"
                self._keys[id(item)] = where
                self._objects[where] = item
                self._place(item, where + ".")


def _identity(obj) -> str:
    if isinstance(obj, Claim):
        return f"claim:{obj.page}#{obj.anchor}"
    if isinstance(obj, Document):
        return f"doc:{obj.pos.file}"
    if _is_model(obj) and isinstance(getattr(obj, "id", None), str):
        return f"{type(obj).__name__.lower()}:{obj.id}"
    raise Unnamed(type(obj).__name__)


def _lists(content: Content) -> Iterable[list]:
    for f in dataclasses.fields(content):
        value = getattr(content, f.name)
        if isinstance(value, list):
            yield value


_MODEL_TYPES = frozenset(
    c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c)
)
_POSITIONS = {"pos", "field_pos"}


def _is_model(value) -> bool:
    return type(value) in _MODEL_TYPES


class Probes:
    """Probes from reads, and their digests in this build (each probe asked once)."""

    def __init__(self, model: Model, templates: Mapping[str, str]) -> None:
        self.model = model
        self.templates = templates  # template name -> digest of its source, this build
        self._digests: dict[Probe, str | None] = {}
        self._probe_of: dict[tuple, Probe] = {}
        self._whole_of: dict[int, Probe] = {}  # id of an object of this build -> its probe
        self._wholly: dict[type, frozenset[str]] = {}  # a type -> `_wholly(type)`

    def record(self, reads: Iterable[tuple]) -> list[tuple[Probe, str | None]]:
        """A page's reads as probes with their digests (pages share most reads: each read
        is turned into a probe once per build). A claim is read field by field but probed
        whole: its one probe is found by the object, not made again for each field (a
        large site's records took a quarter of a worker's memory that way)."""
        found: set[Probe] = set()
        probe_of, whole_of, wholly = self._probe_of, self._whole_of, self._wholly
        for read in reads:
            first = read[0]
            names = wholly.get(type(first))
            if names is None:
                names = wholly[type(first)] = _wholly(type(first))
            if read[1] in names:
                probe = whole_of.get(id(first))
                if probe is None:
                    probe = whole_of[id(first)] = ("a", self.model.key(first), WHOLE)
                    if type(first) is Claim:  # at hand: not looked up by its name
                        self.digest(probe, first)
            else:
                probe = probe_of.get(read)
                if probe is None:
                    probe = probe_of[read] = self._probe(read)
            found.add(probe)
        digests = self._digests
        return [(p, digests[p]) if p in digests else (p, self.digest(p)) for p in found]

    def _probe(self, read: tuple) -> Probe:
        if read[0] is TEMPLATE:
            return ("t", read[1])
        if len(read) == 2:
            return ("a", self.model.key(read[0]), read[1])
        return ("m", self.model.key(read[0]), read[1], read[2])

    def digest(self, probe: Probe, found=MISSING) -> str | None:
        """What the probe finds in this build; None if it finds nothing at all. `found`:
        the object a whole claim's probe names, when it is at hand (not looked up)."""
        if probe in self._digests:
            return self._digests[probe]
        try:
            result = self._answer(probe, found)
        except Unnamed:
            result = None
        except Exception:  # noqa: BLE001 - a probe that fails now finds nothing: render again
            result = None
        self._digests[probe] = result
        return result

    def _answer(self, probe: Probe, found) -> str | None:
        if probe[0] == "a" and probe[2] == WHOLE and probe[1].startswith("claim:"):
            claim = self.model.find(probe[1]) if found is MISSING else found  # the most asked
            return None if claim is MISSING else _digest(self.whole_claim(claim))
        value = self._ask(probe)
        if value is MISSING:
            return None
        if isinstance(value, str):  # a page's body: no need to copy and quote it
            return _digest_text(value)
        return _digest(self.plain(value))

    def _ask(self, probe: Probe):
        kind = probe[0]
        if kind == "t":
            return self.templates.get(probe[1], MISSING)
        obj = self.model.find(probe[1])
        if obj is MISSING:
            return MISSING
        if kind == "m":
            return getattr(obj, probe[2])(*probe[3])
        if probe[2] == WHOLE:
            return [getattr(obj, name) for name in _whole(type(obj))]
        if isinstance(obj, Mapping):
            return obj.get(probe[2], MISSING)
        return getattr(obj, probe[2], MISSING)

    def whole_claim(self, claim: Claim) -> list:
        """`plain` of a whole claim's probe, made directly: a page reads dozens of claims,
        and a one-page edit asks every claim of the site again (tests/test_incremental.py
        checks that this is exactly what the general way makes). Its tiers are worked
        out once, not once for each property made from them."""
        key = self.model.key
        tiers = claim.tiers
        disputed = claim.disputed
        return [
            claim.anchor,
            claim.text,
            [("@", key(s)) for s in claim.sources],
            claim.page,
            claim.where,
            disputed,
            claim.quoted,
            [("@", key(d)) for d in claim.dates],
            claim.anonymous_only,
            model.status_of(disputed, tiers),
            list(tiers),
            model.tone_of(disputed, tiers),
        ]

    def fingerprint(self, value) -> bytes:
        """Bytes that are equal for equal values; model objects stand for their names."""
        return _packed(self.plain(value))

    def plain(self, value):
        """The value as plain data (model objects as `("@", name)`), to be packed."""
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind in _MODEL_TYPES:
            return ("@", self.model.key(value))
        if kind is list or isinstance(value, tuple):  # named tuples too: When, Prose
            plain = self.plain
            return [v if type(v) in _PLAIN else plain(v) for v in value]
        if isinstance(value, str):  # Markup and other text
            return str(value)
        if isinstance(value, set | frozenset):
            return sorted(map(repr, map(self.plain, value)))
        if isinstance(value, Mapping):
            return [(self.plain(k), self.plain(v)) for k, v in value.items()]
        if isinstance(value, dt.date):
            return value.isoformat()
        return ("@", self.model.key(value))


_PLAIN = frozenset({type(None), bool, int, float, str})


def _wholly(cls) -> frozenset[str]:
    """The names whose reads are probed as the whole object: everything public of a claim,
    the written fields of other model objects, nothing of anything else (a template name,
    the interface strings, the content's lists)."""
    names = set(_written(cls))
    if cls is Claim:  # all of it (a field with no default is not in `dir`)
        names.update(n for n in dir(cls) if not n.startswith("_"))
    return frozenset(names)


@functools.cache
def _whole(cls) -> tuple[str, ...]:
    """What a whole-object probe reads: a claim's fields and properties, others' written
    fields."""
    if cls is not Claim:
        return _written(cls)
    props = [n for n in dir(cls) if not n.startswith("_") and isinstance(getattr(cls, n), property)]
    return _written(cls) + tuple(sorted(props))


@functools.cache
def _written(cls) -> tuple[str, ...]:
    """The fields an object of a data class is written with (its init fields), or none
    (the content itself: each of its lists is a read of its own)."""
    if not dataclasses.is_dataclass(cls) or cls is Content:
        return ()
    return tuple(f.name for f in dataclasses.fields(cls) if f.init and f.name not in _POSITIONS)


def _digest(plain) -> str:
    """The digest of plain data (what `Probes.plain` makes)."""
    return hashlib.blake2b(_packed(plain), digest_size=12).hexdigest()


def _packed(plain) -> bytes:
    """Plain data as bytes, the same for equal data: marshal's format version 2 keeps types
    apart (True is not 1) and, unlike later versions, never refers back to an object met
    before, so how the data shares objects does not show. It takes half the time of
    `repr`, and a one-page edit packs every claim of the site. The first byte keeps these
    digests apart from a text's (`_digest_text`)."""
    return b"\1" + marshal.dumps(plain, 2)


def _digest_text(text: str) -> str:
    """The digest of a text value as it is, not packed (its first byte, NUL, keeps the two
    kinds of digest apart)."""
    data = text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(b"\0" + data, digest_size=12).hexdigest()


# -- the inputs of a whole build ---------------------------------------------------------

INPUT_FOLDERS = ("content", "templates")  # what a build reads of the project (and `serve` watches)
MAX_INPUT_BYTES = 64 * 1024 * 1024  # larger than any content file may be


def inputs(root, theme_folder) -> str | None:
    """A digest of every file a build can read: the project's content/ and templates/ and
    the built-in theme, each file by its path and bytes, read as the build reads it
    (`files.read_bytes`: a link within the project by its target). None if anything there
    cannot be read so (a link out of the project or to a folder, a FIFO, a file too big to
    be content): a full build then says what is wrong with it."""
    parts: list[str | bytes] = []
    tops = [(root, f) for f in INPUT_FOLDERS] + [(theme_folder.parent, theme_folder.name)]
    quiet = Diagnostics()  # a file that cannot be read means a full build, which says why
    try:
        for top, name in tops:
            folder = os.path.join(top, name)
            if not os.path.lexists(folder):
                parts.append(f"no {name}")
                continue
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                return None
            start = len(os.path.join(top, ""))  # of each path: what follows is relative
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames.sort()
                for entry in dirnames:
                    if not stat.S_ISDIR(os.lstat(os.path.join(dirpath, entry)).st_mode):
                        return None  # a link to a folder: os.walk would not follow it
                for entry in sorted(filenames):
                    path = os.path.join(dirpath, entry)
                    data = read_bytes(Path(path), Path(top), quiet, MAX_INPUT_BYTES, True)
                    if data is None:
                        return None
                    parts += [path[start:], data]
                parts.append("\0")  # the end of a folder: no file moves between folders unseen
    except OSError:
        return None
    return digest(*parts)
