"""The benchmark's generator makes a valid explainer site, the same one every time."""

from __future__ import annotations

import hashlib
import sys

from conftest import REPO
from helpers import run_cli

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402


def digest(folder) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_generated_site_passes_check(tmp_path):
    site = generate(10, tmp_path / "a", seed=8)
    root = tmp_path / "a" / "explainer"
    assert len(list((root / "content" / "pages").glob("*.md"))) == 10
    result = run_cli(root, "check", "--strict")
    assert result.code == 0, result.err
    assert "checked 18 pages" in result.out  # 10 pages, 2 actors, home, 4 index pages, embed
    for tool in ("hugo", "eleventy", "pelican", "mkdocs"):
        assert (tmp_path / "a" / tool).is_dir()
    words = [len(a.title.split()) for a in site.articles]
    assert all(w > 0 for w in words)


def test_generator_is_deterministic(tmp_path):
    generate(10, tmp_path / "a", seed=8, tools=["explainer", "hugo"])
    generate(10, tmp_path / "b", seed=8, tools=["explainer", "hugo"])
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
