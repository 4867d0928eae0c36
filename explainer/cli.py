"""Command line: `build` (the default), `check`, `serve`, and `new`, `theme` and `schema`
to start a project; exit codes and the summary line.

Exit status: 0 success, 1 content or template errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

from .diagnostics import Diagnostics, Pos, counts, report
from .urls import is_safe_url

# A build makes millions of small, long-lived objects (tokens, the model): the default
# collector rescans them all again and again (40 % of a 4,000-page parse), so processes
# that build collect rarely.
BUILDING_GC = (100_000, 50, 1000)

COMMANDS = ("build", "check", "serve", "new", "theme", "schema", "translations")
# Commands run on a project's content/ (the others start one).
PROJECT_COMMANDS = ("build", "check", "serve", "schema", "translations")


def run(prog: str | None = None) -> None:
    """The program's entry point (build.py, `explainer`, `python -m explainer`): main(),
    then exit at once. Python would otherwise free a large site's millions of objects one
    by one on the way out, which took longer than building a small site."""
    code = main(prog=prog)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    try:
        return _main(argv, prog or program_name())
    except KeyboardInterrupt:
        # Ctrl-C may land anywhere, even after the swap while the old site is being
        # deleted: then the new site is in place. Either way the folder holds one build.
        print("explainer: interrupted; the site folder holds a whole build", file=sys.stderr)
        return 130


def program_name() -> str:
    """'build.py' when run as build.py, else 'explainer' (the console script, and
    `python -m explainer`, whose argv[0] is explainer/__main__.py)."""
    return "build.py" if Path(sys.argv[0]).name == "build.py" else "explainer"


def _main(argv: list[str] | None, prog: str) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if getattr(args, "base_url", None) is not None and not is_safe_url(args.base_url):
        hidden = [c for c in args.base_url if not c.isprintable() or c.isspace()]
        why = f" (it contains U+{ord(hidden[0]):04X})" if hidden else ""
        parser.error(f"--base-url {args.base_url!r} is not an http(s) URL or a path{why}")
    try:
        if args.command not in PROJECT_COMMANDS:
            return _start(args, prog)
        root = Path(args.root).absolute()
        if not (root / "content").is_dir():
            print(
                f"explainer: error: no content/ folder in {root} (use --root, or start a new "
                f"explainer with: {_command(prog)} new FOLDER)",
                file=sys.stderr,
            )
            return 2
        if getattr(args, "out", None) is not None:
            args.out = _out_dir(parser, args.out, root)
        if args.command == "schema":
            return _schema(root)
        if args.command == "translations":
            return _translations(root, args)
        if args.command == "serve":
            # Before the imports too: they make many long-lived objects. The preview
            # collects while idle (serve/preview.py).
            gc.set_threshold(*BUILDING_GC)
            from .serve.server import serve  # livereload and tornado load only for serve

            return serve(root, args)
        return _build_or_check(root, args, prog)
    except Exception as e:  # a bug in explainer, not a content mistake
        if os.environ.get("EXPLAINER_DEBUG"):
            import traceback  # only for a bug: it takes 2 ms to import

            traceback.print_exc()
        print(f"explainer: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        print(
            "  this is a bug in explainer; run with EXPLAINER_DEBUG=1 for details", file=sys.stderr
        )
        return 70


def _command(prog: str) -> str:
    """How to run this program again, for messages: `explainer` or `python build.py`."""
    return "python build.py" if prog == "build.py" else prog


def _start(args, prog: str) -> int:
    """`new` and `theme`: write files into a folder of the user's choosing."""
    from .start import UsageError, copy_theme, new_project

    target = Path(args.folder)
    try:
        if args.command == "theme":
            written = copy_theme(target, args.files)
            n = len(written)
            print(f"copied {n} theme file{'s' * (n != 1)} into {target}/")
            return 0
        new_project(target, with_theme=args.with_theme)
    except UsageError as e:
        print(f"explainer: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(
            f"explainer: error: cannot write {e.filename or target}: {e.strerror}", file=sys.stderr
        )
        return 2
    run = _command(prog)
    if prog == "build.py":
        steps = [f"{run} serve --root {target}", f"{run} check --strict --root {target}"]
    else:
        steps = [f"cd {target}", f"{run} serve", f"{run} check --strict"]
    print(f"created a new explainer in {target}/: an invented example of every kind of item")
    print("next: read its README.md, then preview it while you replace the example:")
    for step in steps:
        print(f"  {step}")
    return 0


def _schema(root: Path) -> int:
    from .content.schemas import FOLDER
    from .start import UsageError, write_schemas

    try:
        written = write_schemas(root)
    except UsageError as e:
        print(f"explainer: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"explainer: error: cannot write {e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} JSON Schemas into {FOLDER}/ (see the first line of each file)")
    return 0


def _translations(root: Path, args) -> int:
    """What each translation lacks: items with no translation, translations that say not
    which version of the original they translate, and stale ones, each with the digest
    of the original as it is now. `--stamp` writes those digests into the translations."""
    from .content.load import load
    from .content.schema import validate
    from .content.stamp import write_stamps
    from .content.translations import edition

    diags = Diagnostics()
    raw = load(root, diags)
    content = validate(raw, diags)
    if content is None or diags.errors:
        report(diags)
        print(f"{counts(diags)}: fix these first (`check` says more)", file=sys.stderr)
        return 1
    languages = content.site.languages[1:]
    if args.language is not None and args.language not in languages:
        known = ", ".join(languages) or "none: add languages: [en, uk] to content/site.yaml"
        print(
            f"explainer: error: '{args.language}' is not a translated language of this "
            f"explainer (translated languages: {known})",
            file=sys.stderr,
        )
        return 2
    found = Diagnostics()
    stamps: list = []
    for lang in [args.language] if args.language else languages:
        edition(raw, lang, found, stamps)
    if args.stamp:  # what is left to do after stamping: missing translations, errors
        done = {(s.file, (s.of or s.item).line) for s in stamps}
        found.items = [d for d in found.items if (d.pos.file, d.pos.line) not in done]
    report(found)
    if args.stamp:
        files = write_stamps(root, stamps)
        n = len(stamps)
        print(f"stamped {n} translated item{'s' * (n != 1)} in {len(files)} file(s)")
        for file in files:
            print(f"  {file}")
        return 0
    print(f"{counts(found)}; {len(stamps)} to stamp (after checking them) with --stamp")
    return 1 if found.errors else 0


def _build_or_check(root: Path, args, prog: str) -> int:
    # This process builds once and exits. Set before the engine's imports, which make
    # many long-lived objects too (4 ms of a small site's 175 ms went to collecting them).
    gc.set_threshold(*BUILDING_GC)
    from .build.pipeline import Project
    from .build.workers import cores

    start = time.perf_counter()
    checking = args.command == "check"
    out = getattr(args, "out", None) or root / "site"
    progress = Progress(start)
    try:
        result = Project(root, jobs=cores()).build(
            out=out,
            base_url=args.base_url,
            drafts=args.drafts,
            write_output=not checking,
            progress=progress,
        )
    finally:
        progress.clear()
    elapsed = time.perf_counter() - start
    if checking:
        from .start import stale_schemas

        for name in stale_schemas(root):
            result.diagnostics.warning(
                Pos(name), f"out of date for this version of explainer: run {_command(prog)} schema"
            )
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
    pages = sum(1 for name in result.names if name.endswith(".html"))
    if checking:
        print(f"checked {pages:,} pages: {counts(result.diagnostics)} ({elapsed:.2f} s)")
        return 0
    shown = next((out.relative_to(r) for r in (root, root.resolve()) if out.is_relative_to(r)), out)
    reused = result.total - result.rendered
    work = f"rendered {result.rendered:,}, reused {reused:,}" if reused else "all rendered"
    print(
        f"built {pages:,} pages ({work}), {len(result.names):,} files "
        f"into {shown}/ in {elapsed:.2f} s"
    )
    if result.address is None:
        print(NO_ADDRESS, file=sys.stderr)
    return 0


NO_ADDRESS = (
    "note: no absolute address known, so the site has no sitemap.xml, og:url, og:image or "
    "oEmbed, and its embed code works on this host only: "
    "set url: in content/site.yaml (or pass --base-url https://…)"
)


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


class Progress:
    """On a terminal, once a build has run for 2 s, one line saying which stage it is in,
    rewritten in place at each stage (`\\r`) and cleared at the end. Nothing when stderr
    or stdout is not a terminal (a log, CI, a pipe)."""

    DELAY = 2.0

    def __init__(self, start: float, stream=None) -> None:
        self.start, self.stream = start, stream or sys.stderr
        self.shown = False
        self.enabled = _is_tty(self.stream) and _is_tty(sys.stdout)
        self.pid = os.getpid()  # worker processes forked mid-build run the stages on too

    def __call__(self, stage: str) -> None:
        elapsed = time.perf_counter() - self.start
        if self.enabled and elapsed >= self.DELAY and os.getpid() == self.pid:
            self.stream.write(f"\r\x1b[K{stage}… ({elapsed:.0f} s)")
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build, check or preview an explainer site from content/ (and the theme "
        "overrides in templates/), or start a new one.",
        epilog=f"Start with: {_command(prog)} new FOLDER. With no command, builds the site.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root", metavar="DIR", default=".", help="project folder (default: current folder)"
    )
    common.add_argument(
        "--base-url",
        metavar="URL",
        help="address to build for, overriding url: in content/site.yaml: a full URL "
        "(https://news.example/explainers/x/) or a path (/preview/)",
    )
    common.add_argument(
        "--drafts", action="store_true", help="include documents marked draft: true"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = sub.add_parser(
        "build", parents=[common], help="build the site into site/ (the default)"
    )
    build.add_argument("--out", metavar="DIR", help="output folder (default: site/)")
    check = sub.add_parser(
        "check", parents=[common], help="check content and templates, write nothing"
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    serve = sub.add_parser("serve", parents=[common], help="preview with live reload")
    serve.add_argument(
        "--host", type=_host, default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=8000,
        help="port to listen on, 0 to 65535; 0 picks a free one (default: 8000)",
    )
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.add_argument(
        "--poll", action="store_true", help="poll for changes (Docker, WSL, network drives)"
    )
    new = sub.add_parser(
        "new",
        help="start a new explainer: a small, valid example to edit",
        description="Write a new explainer into FOLDER: content/ with an invented example of "
        "every kind of item, a README for its editors and JSON Schemas for their editor. "
        "It uses the built-in theme.",
    )
    new.add_argument("folder", metavar="FOLDER", help="a new or empty folder")
    new.add_argument(
        "--with-theme",
        action="store_true",
        help="also copy the built-in theme into FOLDER/templates/ to edit",
    )
    theme = sub.add_parser(
        "theme",
        help="copy the built-in theme (or some of its files) out to edit",
        description="Copy the built-in theme into FOLDER. Files in a project's templates/ "
        "override the built-in ones one by one, so copy only what you change: "
        "'theme templates static/style.css'.",
    )
    theme.add_argument("folder", metavar="FOLDER", help="where to copy (e.g. templates)")
    theme.add_argument(
        "files", nargs="*", metavar="FILE", help="only these theme files (default: all)"
    )
    translations = sub.add_parser(
        "translations",
        help="list what the translations lack: missing, unstamped and stale items",
        description="List each item with no translation, and each translation whose of: "
        "digest is missing or older than its original, with the digest of the original as it "
        "is now. After bringing the translations up to date, --stamp writes those digests.",
    )
    translations.add_argument(
        "language", nargs="?", help="only this language (default: every translated one)"
    )
    translations.add_argument(
        "--stamp", action="store_true", help="write the current of: digests into the translations"
    )
    translations.add_argument(
        "--root", metavar="DIR", default=".", help="project folder (default: current folder)"
    )
    schema = sub.add_parser(
        "schema",
        help="write JSON Schemas of the content files into content/.schemas/",
        description="Write a JSON Schema for each content file into content/.schemas/, for "
        "editors that complete field names and flag mistakes while you type.",
    )
    schema.add_argument(
        "--root", metavar="DIR", default=".", help="project folder (default: current folder)"
    )
    return parser
