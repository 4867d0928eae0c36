"""`explainer translations --stamp`: write the current `of:` digests into translation files.

A translator brings a translation up to date with its original, then stamps it: each
translated item that has no `of:`, or an old one, gets the digest of the original as it is
now. Only that line changes; comments and layout stay as the translator wrote them.
"""

from __future__ import annotations

import re
from pathlib import Path

from .translations import STAMP, Stamp

OLD_STAMP = re.compile(rf"^(\s*(?:-\s+)?{STAMP}:\s*)(\S+)")


def write_stamps(root: Path, stamps: list[Stamp]) -> list[str]:
    """Apply `stamps` to their files; the files changed, in order."""
    by_file: dict[str, list[Stamp]] = {}
    for stamp in stamps:
        by_file.setdefault(stamp.file, []).append(stamp)
    for file, found in sorted(by_file.items()):
        path = root / file
        lines = path.read_text(encoding="utf-8").split("\n")
        # From the end of the file, so the lines before each edit keep their numbers.
        for stamp in sorted(found, key=lambda s: (s.of or s.item).line, reverse=True):
            _apply(lines, stamp)
        path.write_text("\n".join(lines), encoding="utf-8")
    return sorted(by_file)


def _apply(lines: list[str], stamp: Stamp) -> None:
    if stamp.of is not None:
        i = stamp.of.line - 1
        lines[i] = OLD_STAMP.sub(lambda m: m.group(1) + stamp.digest, lines[i], count=1)
    elif stamp.front_matter:  # the line after the opening ---
        lines.insert(1, f"{STAMP}: {stamp.digest}")
    else:  # before the item's first field, at its column: `- id: x` -> `- of: …\n  id: x`
        i, col = stamp.item.line - 1, stamp.item.col - 1
        line = lines[i]
        lines[i : i + 1] = [f"{line[:col]}{STAMP}: {stamp.digest}", " " * col + line[col:]]
