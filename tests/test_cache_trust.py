"""The build cache may make a build faster, never change its bytes, and never hurt the machine.

`.explainer-cache/memo` comes from disk, so it is untrusted: a cloned repository or
anyone with write access to the project can plant one. Whatever it holds, the output is
exactly what a clean build writes.
"""

from __future__ import annotations

import contextlib
import io
import json
import marshal
import os
import pickle
import shutil
from pathlib import Path

import jinja2.bccache
import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explainer.build import memo
from explainer.build.pipeline import Project

CACHE = Path(".explainer-cache/memo")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".explainer-site"
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """The real content, built once with no cache: what every build must give."""
    root = tmp_path_factory.mktemp("clean") / "project"
    shutil.copytree(REPO / "content", root / "content")
    result = Project(root).build(out=None)
    assert result.ok
    return root, dict(result.files)


def project_with_cache(tmp_path: Path, clean_root: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(clean_root / "content", root / "content")
    assert Project(root).build(out=root / "site").ok  # leaves a real, signed cache
    return root


def signed(payload: bytes) -> bytes:
    secret = memo._secret(create=True)
    assert secret is not None
    return memo._sign(secret, payload) + b"\n" + payload


def test_a_crafted_cache_cannot_change_the_published_sourcing(tmp_path, clean):
    """Editing the cache file (then build.json) so a claim's text read POISONED put that text on the Sources page,
    with `check` clean (failed on 77dc05f). The cache is signed with a key that never
    leaves the user's own cache folder: an edited file is not used at all."""
    root = project_with_cache(tmp_path, clean[0])
    raw = (root / CACHE).read_bytes()
    mac, _, payload = raw.partition(b"\n")
    data = marshal.loads(payload)
    assert data["bodies"], "the cache remembers the documents' claims"
    for body in data["bodies"].values():
        for claim in body["claims"]:
            claim[0] = "POISONED " + claim[0]
            claim[1] = [*claim[1], "ft-report"]
    shutil.rmtree(root / "site")
    (root / CACHE).write_bytes(mac + b"\n" + marshal.dumps(data))
    assert Project(root).build(out=root / "site").ok
    assert tree(root / "site") == clean[1]
    assert b"POISONED" not in (root / "site/sources/index.html").read_bytes()


_JUNK = st.one_of(
    st.binary(max_size=2000),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner),
        max_leaves=30,
    ).map(lambda value: json.dumps(value).encode()),
    st.integers(1, 200_000).map(lambda n: b"[" * n + b"]" * n),
)
# What this code could have signed itself: well-formed marshal data of any shape. Arbitrary
# bytes are never signed: a signature needs the key in the user's own cache folder, and
# whoever holds it can write anything there anyway. (Signed arbitrary bytes are outside the
# threat model and `marshal` may take minutes and gigabytes on them: b"[[[[" announces a
# list of 1.5 billion items.)
_SIGNABLE = st.recursive(
    st.none() | st.integers() | st.text(max_size=20) | st.binary(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=30,
).map(marshal.dumps)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cache=st.one_of(_JUNK, _SIGNABLE.map(signed), _SIGNABLE))
def test_whatever_the_cache_file_holds_the_output_is_a_clean_build(tmp_path, clean, cache):
    """Random bytes, JSON, 200,000-deep nesting and marshal data of the wrong shape, signed
    or not: 100k `[` gave RecursionError (exit 70) on every build until the file was deleted
    (77dc05f)."""
    root = tmp_path / f"p{os.urandom(4).hex()}"
    shutil.copytree(clean[0] / "content", root / "content")
    (root / CACHE).parent.mkdir()
    (root / CACHE).write_bytes(cache)
    result = Project(root).build(out=root / "site")
    assert result.ok, [str(d) for d in result.diagnostics.items]
    assert tree(root / "site") == clean[1]
    shutil.rmtree(root)


def test_a_cache_file_that_is_a_link_is_neither_read_nor_written_through(tmp_path, clean):
    """The cache file (then build.json) linked to /dev/zero grew the build to 13.8 GB resident (77dc05f); a link to
    a file elsewhere must not be followed when the cache is written either."""
    root = project_with_cache(tmp_path, clean[0])
    (root / CACHE).unlink()
    os.symlink("/dev/zero", root / CACHE)
    assert Project(root).build(out=root / "site").ok
    assert tree(root / "site") == clean[1]
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (root / CACHE).unlink()
    os.symlink(victim, root / CACHE)
    (root / "content/site.yaml").write_text((root / "content/site.yaml").read_text() + "\n")
    assert Project(root).build(out=root / "site").ok
    assert victim.read_text() == "keep me"


def test_a_cache_folder_that_is_a_link_is_not_written_through(tmp_path, clean):
    """`.explainer-cache` linked elsewhere was written through (77dc05f)."""
    root = tmp_path / "project"
    shutil.copytree(clean[0] / "content", root / "content")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, root / ".explainer-cache")
    assert Project(root).build(out=root / "site").ok
    assert list(elsewhere.iterdir()) == []
    assert tree(root / "site") == clean[1]


def test_a_fifo_as_the_cache_file_does_not_hang_the_build(tmp_path, clean):
    root = tmp_path / "project"
    shutil.copytree(clean[0] / "content", root / "content")
    (root / CACHE).parent.mkdir()
    os.mkfifo(root / CACHE)
    assert Project(root).build(out=root / "site").ok
    assert tree(root / "site") == clean[1]


def test_an_output_file_changed_behind_the_cache_is_not_reused(tmp_path, clean):
    """A page in site/ edited after the build (same size, same modification time) is
    rendered again, not taken as it is: its change time gives it away."""
    root = project_with_cache(tmp_path, clean[0])
    page = root / "site/quotes/index.html"
    st = page.stat()
    data = page.read_bytes()
    page.write_bytes(data.replace(b"Quotes", b"Qu0tes", 1))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert Project(root).build(out=root / "site").ok
    assert tree(root / "site") == clean[1]


def test_compiled_templates_are_taken_only_when_signed(tmp_path, clean, monkeypatch):
    """Compiled templates live in the user's cache folder; loading one runs its code, so a
    file planted there without this user's signature is ignored, never run. (The same file
    signed with the user's key does run: the forgery is a real one.)"""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "project"
    shutil.copytree(clean[0] / "content", root / "content")
    assert Project(root).build(out=root / "site").ok  # compiles and stores every template
    stored = sorted(Path(memo.TemplateCode().folder).iterdir())
    assert stored, "compiled templates are kept"
    marker = tmp_path / "planted"
    planted = compile(f"open({str(marker)!r}, 'w').write('ran')", "planted", "exec")

    def plant(sign) -> None:
        for path in stored:
            _, _, code = path.read_bytes().partition(b"\n")
            header = io.BytesIO(code[len(jinja2.bccache.bc_magic) :])
            pickle.load(header)  # the source's checksum: kept, so the code would be used
            forged = code[: len(jinja2.bccache.bc_magic) + header.tell()] + marshal.dumps(planted)
            path.write_bytes(sign(forged) + b"\n" + forged)

    plant(lambda code: b"0" * 64)
    shutil.rmtree(root / "site")
    assert Project(root).build(out=root / "site").ok
    assert not marker.exists()
    assert tree(root / "site") == clean[1]

    plant(lambda code: memo._sign(memo._secret(create=False), code))
    with contextlib.suppress(Exception):  # the planted code is no template
        Project(root).build(out=None)
    assert marker.read_text() == "ran"


def test_a_fifo_in_the_user_cache_folder_does_not_hang_the_build(tmp_path, clean, monkeypatch):
    """Compiled templates and share cards are read from the user's cache folder. A FIFO
    there in place of one of them used to be opened for reading and wait for a writer
    for ever (the memo file's FIFO was refused; these were not): it is now refused the
    same way, and the build compiles and draws what it needs."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "project"
    shutil.copytree(clean[0] / "content", root / "content")
    assert Project(root).build(out=None).files == clean[1]
    folders = [Path(memo.TemplateCode().folder), Path(memo.DrawnCards().files.folder)]
    for path in [p for folder in folders for p in sorted(folder.iterdir())]:
        path.unlink()
        os.mkfifo(path)
    assert Project(root).build(out=None).files == clean[1]


def test_a_share_card_is_drawn_once_per_machine_and_only_a_signed_one_is_taken(
    tmp_path, clean, monkeypatch
):
    """Drawing the share card took a fifth of a 10-page build; a new process now takes the
    card this user's cache folder holds for exactly those inputs. A card file there without
    this user's signature is ignored (the card is drawn again), so the site is byte for
    byte what a clean build makes either way."""
    from explainer.site import share_image

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "project"
    shutil.copytree(clean[0] / "content", root / "content")
    assert Project(root).build(out=None).files == clean[1]  # draws the card and keeps it
    stored = sorted(Path(memo.DrawnCards().files.folder).iterdir())
    assert len(stored) == 2  # the English card and the Ukrainian edition's

    drawn = []
    real_draw = share_image.draw_card
    monkeypatch.setattr(share_image, "draw_card", lambda *a: drawn.append(a) or real_draw(*a))
    assert Project(root).build(out=None).files == clean[1]
    assert drawn == [], "a new process takes the card it drew before"

    for path in stored:
        _, _, png = path.read_bytes().partition(b"\n")
        path.write_bytes(b"0" * 64 + b"\n" + png[:-1] + b"\0")  # unsigned, and not the card
    assert Project(root).build(out=None).files == clean[1]
    assert len(drawn) == 2, "an unsigned card is drawn again"


def test_a_changed_card_input_draws_a_new_card(tmp_path, clean, monkeypatch):
    """The card's key is everything its pixels depend on: a new title is a new card, never
    the one drawn for the old title."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "project"
    shutil.copytree(clean[0] / "content", root / "content")
    first = Project(root).build(out=None).files
    site_yaml = root / "content/site.yaml"
    folder = Path(memo.DrawnCards().files.folder)
    before = len(list(folder.iterdir()))
    text = site_yaml.read_text()
    assert text.startswith('title: "')
    site_yaml.write_text(text.replace('title: "', 'title: "New: ', 1))
    second = Project(root).build(out=None).files
    cards = [{p for p in files if p.startswith("static/share.")} for files in (first, second)]
    assert cards[0] and cards[1] and cards[0] != cards[1]
    assert len(list(folder.iterdir())) > before


def test_the_user_cache_folder_does_not_grow_for_ever(tmp_path, monkeypatch):
    """Each version of explainer has its own folders there, and a card is kept by its
    text: before, every version's compiled templates stayed (45 folders on one machine).
    A new folder removes those of its kind that nothing wrote for 30 days, and the cards'
    folder keeps its 32 newest files."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    user = tmp_path / "explainer"
    stale, fresh, other = (user / n for n in ("cards-old", "cards-recent", "templates-old"))
    for folder in (stale, fresh, other):
        folder.mkdir(parents=True)
        (folder / "f").write_bytes(b"x")
    long_ago = 40 * 24 * 3600
    for folder in (stale, other):
        os.utime(folder, (os.path.getmtime(folder) - long_ago,) * 2)

    files = memo.UserFiles("cards", keep=2)
    for n in range(3):
        files.write(f"card{n}", b"png")
        os.utime(Path(files.folder) / f"card{n}", (1000 + n, 1000 + n))
    assert sorted(p.name for p in Path(files.folder).iterdir()) == ["card1", "card2"]
    assert files.read("card2") == b"png"
    assert not stale.exists()
    assert fresh.exists() and other.exists()  # recently written; another kind
