"""Command line: `build` (the default), `check` and `serve`; exit codes and the summary line.

Exit status: 0 success, 1 content or template errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import traceback
from pathlib import Path
from typing import NoReturn

from .diagnostics import Diagnostics, counts, report
from .urls import is_safe_url

COMMANDS = ("build", "check", "serve")


def run() -> None:
    """The program's entry point (build.py, `explainer`, `python -m explainer`): main(),
    then exit at once. Python would otherwise free a large site's millions of objects one
    by one on the way out, which took longer than building a small site."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C may land anywhere, even after the swap while the old site is being
        # deleted: then the new site is in place. Either way the folder holds one build.
        print("explainer: interrupted; the site folder holds a whole build", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "base_url", None) is not None and not is_safe_url(args.base_url):
        hidden = [c for c in args.base_url if not c.isprintable() or c.isspace()]
        why = f" (it contains U+{ord(hidden[0]):04X})" if hidden else ""
        parser.error(f"--base-url {args.base_url!r} is not an http(s) URL or a path{why}")
    root = Path(args.root).absolute()
    if not (root / "content").is_dir():
        print(f"explainer: error: no content/ folder in {root} (use --root)", file=sys.stderr)
        return 2
    if getattr(args, "out", None) is not None:
        args.out = _out_dir(parser, args.out, root)
    try:
        if args.command == "serve":
            from .serve.server import serve  # livereload and tornado load only for serve

            return serve(root, args)
        return _build_or_check(root, args)
    except Exception as e:  # a bug in explainer, not a content mistake
        if os.environ.get("EXPLAINER_DEBUG"):
            traceback.print_exc()
        print(f"explainer: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        print(
            "  this is a bug in explainer; run with EXPLAINER_DEBUG=1 for details", file=sys.stderr
        )
        return 70


def _build_or_check(root: Path, args) -> int:
    from .build.pipeline import Project
    from .build.workers import cores

    start = time.perf_counter()
    checking = args.command == "check"
    out = getattr(args, "out", None) or root / "site"
    # A build makes millions of small, long-lived objects (tokens, the model): the default
    # collector rescans them all again and again (40 % of a 4,000-page parse). This
    # process builds once and exits, so it may collect rarely.
    gc.set_threshold(100_000, 50, 1000)
    result = Project(root, jobs=cores()).build(
        out=out, base_url=args.base_url, drafts=args.drafts, write_output=not checking
    )
    elapsed = time.perf_counter() - start
    report(result.diagnostics)
    if checking:
        print_rule_summary(result.diagnostics, result.suppressed)
    failed = bool(result.diagnostics.errors) or (
        getattr(args, "strict", False) and bool(result.diagnostics.warnings)
    )
    if failed:
        kept = "" if checking else "; the previous site was left as it was"
        print(f"{counts(result.diagnostics)}{kept}", file=sys.stderr)
        return 1
    pages = sum(1 for name in result.files if name.endswith(".html"))
    if checking:
        print(f"checked {pages} pages: {counts(result.diagnostics)} ({elapsed:.2f} s)")
    else:
        shown = next(
            (out.relative_to(r) for r in (root, root.resolve()) if out.is_relative_to(r)), out
        )
        print(f"built {pages} pages, {len(result.files)} files into {shown}/ in {elapsed:.2f} s")
    return 0


def _out_dir(parser: argparse.ArgumentParser, value: str, root: Path) -> Path:
    """The folder `--out` names, as an absolute path without links or `..` (so the message
    and the lock name the folder really written); a value that cannot be one is a usage
    error. Relative values are taken from the current folder, as every command does."""
    from .build.write import out_dir_problem

    def refuse(why: str) -> NoReturn:
        parser.error(f"--out {value!r}: {why}")

    if not value.strip() or "\x00" in value:
        refuse("not a folder name")
    encoded = os.fsencode(value)
    if any(len(part) > NAME_MAX for part in encoded.split(b"/")):
        refuse(f"a name in it is longer than {NAME_MAX} bytes, the most a file system allows")
    if len(encoded) + len(os.fsencode(os.getcwd())) >= PATH_MAX:
        refuse(f"the path is longer than {PATH_MAX} bytes, the most a file system allows")
    try:
        out = Path(os.path.realpath(value))
        problem = out_dir_problem(out, root)
    except OSError as e:  # a folder on the way that cannot be read
        problem = f"cannot use it: {e.strerror or e}"
    if problem:
        refuse(problem)
    return out


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number from 0 to 65535")
    return port


def _host(value: str) -> str:
    """An address or name to listen on; whether this machine has it, binding tells."""
    if not value or value != value.strip() or any(c in value for c in "/\x00"):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an address: use 127.0.0.1, or 0.0.0.0 for every interface"
        )
    return value


NAME_MAX, PATH_MAX = 255, 4096  # Linux's limits (os.pathconf would ask the file system)


def print_rule_summary(diags: Diagnostics, suppressed: dict[str, int]) -> None:
    """One line per sourcing rule that found something, so policy drift shows at a glance."""
    from .content.rules import RULES

    found: dict[str, int] = {}
    for d in diags.items:
        if d.rule:
            found[d.rule] = found.get(d.rule, 0) + 1
    for rule_id in RULES:
        if rule_id in found or rule_id in suppressed:
            extra = f", {suppressed[rule_id]} suppressed" if rule_id in suppressed else ""
            print(f"  {rule_id}: {found.get(rule_id, 0)} found{extra}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build, check or preview an explainer site from content/ and templates/.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=".", help="project folder (default: current folder)")
    common.add_argument("--base-url", help="absolute URL or path prefix the site is served under")
    common.add_argument(
        "--drafts", action="store_true", help="include documents marked draft: true"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = sub.add_parser("build", parents=[common], help="build the site (default)")
    build.add_argument("--out", help="output folder (default: site/)")
    check = sub.add_parser(
        "check", parents=[common], help="validate content and templates, write nothing"
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    serve = sub.add_parser("serve", parents=[common], help="preview with live reload")
    serve.add_argument(
        "--host", type=_host, default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=_port, default=8000, help="0 to 65535; 0 picks a free one (default: 8000)"
    )
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.add_argument(
        "--poll", action="store_true", help="poll for changes (Docker, WSL, network drives)"
    )
    return parser
