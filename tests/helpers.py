"""Helpers for running the CLI in-process and capturing what it prints."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

from explainer.cli import main


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(root: Path, *args: str) -> Run:
    """`build.py ARGS --root ROOT` in this process; a usage error is exit status 2."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([*args, "--root", str(root)] if args else ["--root", str(root)])
        except SystemExit as e:  # argparse's usage errors
            code = e.code
    return Run(code, out.getvalue(), err.getvalue())


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
