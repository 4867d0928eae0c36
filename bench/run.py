"""Time explainer and its peers building the same synthetic site, as whole processes.

    bash bench/peers.sh                      # once: Hugo, Eleventy, Pelican, MkDocs
    python bench/run.py                      # everything: N = 10, 1000, 4000, all tools
    python bench/run.py --n 10,1000 --tools explainer,hugo --scenarios cold,warm
    python bench/run.py --n 4000 --tools pelican,mkdocs --runs 3

For each N the site is generated afresh by `bench/generate.py` into
SCRATCH/sites/<N>/<tool>/ (SCRATCH is --scratch, $EXPLAINER_BENCH_DIR or
/tmp/explainer-bench, where `bench/peers.sh` installed the peers). Each measurement runs
the generator as a new process --warmup times untimed, then --runs times timed, and reports
the median, min and max wall-clock seconds and the largest peak resident memory of a run
(ru_maxrss of that child, from os.wait4, as `resource.getrusage(RUSAGE_CHILDREN)` would
give). It also reports the median CPU seconds (user + system) of a run, which other work on a
shared machine disturbs much less than wall time, and the 1-minute load average when the
measurement started (above the number of cores, the wall times are suspect). A run that
exceeds --timeout is killed and reported; the rest of that measurement is skipped.

Scenarios (--scenarios; by default all for explainer and `cold` for the peers):

    cold           output folder and caches removed before every run
    warm           rebuild with nothing changed since the previous build
    edit-page      one article changed before every run (a sentence appended)
    edit-source    explainer only: the label of the source cited on every page changed
    edit-template  the base template changed before every run (an HTML comment added)

Edited files are restored afterwards. Results are merged into bench/results.json (keyed by
N, tool and scenario; --fresh starts over) and the whole table is written to
bench/results.md (--results changes the folder) and printed, after every measurement, so an
interrupted run keeps what it measured. --reuse keeps the sites (and builds) an earlier run
left, so slow scenarios can be run one invocation at a time: `--scenarios warm` right after a
`--scenarios cold` run then times a real rebuild.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generate import TOOLS, generate

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SCENARIOS = ("cold", "warm", "edit-page", "edit-source", "edit-template")


@dataclass
class Tool:
    """How to build, clean and edit one generator's copy of the site."""

    name: str
    command: list[str]
    outputs: list[str]  # folders (relative to the site) that a cold build starts without
    site: str  # the built site, relative to the site folder
    page_dir: str  # where the articles are
    base_template: str
    scenarios: tuple[str, ...] = ("cold", "warm", "edit-page", "edit-template")


def install_explainer(scratch: Path) -> None:
    """This checkout of explainer, installed as users get it (`pip install`, bytecode
    compiled) into a venv of its own, as the peers are: timing it from this Python would
    count the editable install's import hook and whatever else this interpreter loads at
    start-up (150 ms on a machine with a site-wide .pth of its own)."""
    venv = scratch / "explainer-venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(  # every time: a dependency added since the venv was made comes in too
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(REPO)], check=True
    )
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
         "--force-reinstall", str(REPO)],
        check=True,
    )  # fmt: skip


def tools(scratch: Path) -> dict[str, Tool]:
    venv, node = scratch / "venv" / "bin", scratch / "node" / "node_modules" / ".bin"
    return {
        "explainer": Tool(
            "explainer",
            [str(scratch / "explainer-venv" / "bin" / "explainer"), "build"],
            ["site", ".explainer-cache"],
            "site",
            "content/pages",
            "templates/base.html",
            SCENARIOS,
        ),
        "hugo": Tool(
            "hugo",
            [shutil.which("hugo") or "hugo", "--quiet"],
            ["public", "resources"],
            "public",
            "content/posts",
            "layouts/_default/baseof.html",
        ),
        "eleventy": Tool(
            "eleventy",
            [str(node / "eleventy"), "--quiet"],
            ["_site", ".cache"],
            "_site",
            "src/pages",
            "src/_includes/base.njk",
        ),
        "pelican": Tool(
            "pelican",
            [str(venv / "pelican"), "content", "-s", "pelicanconf.py", "-o", "output", "-q"],
            ["output", "cache", "__pycache__"],
            "output",
            "content",
            "theme/templates/base.html",
        ),
        "mkdocs": Tool(
            "mkdocs",
            [str(venv / "mkdocs"), "build", "-q"],
            ["site"],
            "site",
            "docs",
            "theme/main.html",
        ),
    }


@dataclass
class Result:
    n: int
    tool: str
    scenario: str
    runs: int
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds of each timed run
    load: float = 0.0  # the machine's 1-minute load average when the measurement started
    peak_kb: int = 0
    pages: int = 0  # HTML files in the output
    output_bytes: int = 0
    error: str = ""

    @property
    def key(self) -> str:
        return f"{self.n}/{self.tool}/{self.scenario}"


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    maxrss_kb: int
    code: int
    timed_out: bool
    stderr: str


def run_once(command: list[str], cwd: Path, timeout: float) -> Run:
    """One whole-process build: wall time from spawn to exit, and the child's peak memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # so a timeout can kill the whole process group
    )
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.start()
    # Drain stderr in a thread so a chatty tool cannot block on a full pipe.
    err: list[bytes] = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    timer.cancel()
    reader.join()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        seconds,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss,
        proc.returncode,
        timed_out.is_set(),
        b"".join(err).decode("utf-8", "replace"),
    )


class Edits:
    """Changes a file before each run (a different change each time), restoring it at the end."""

    def __init__(self, path: Path, change) -> None:
        self.path, self.change = path, change
        self.original = path.read_text(encoding="utf-8")
        self.count = 0

    def next(self) -> None:
        self.count += 1
        self.path.write_text(self.change(self.original, self.count), encoding="utf-8")

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")


def editor(tool: Tool, scenario: str, site: Path) -> Edits | None:
    if scenario == "edit-page":
        page = min(p for p in (site / tool.page_dir).glob("*.md"))
        return Edits(page, lambda text, k: text + f"\nEdited for the benchmark, change {k}.\n")
    if scenario == "edit-source":
        label = 'label: "Source 1 · report"'
        return Edits(
            site / "content" / "sources.yaml",
            lambda text, k: text.replace(label, label[:-1] + f' (edit {k})"', 1),
        )
    if scenario == "edit-template":
        return Edits(
            site / tool.base_template,
            lambda text, k: text.replace("</body>", f"<!-- edit {k} --></body>", 1),
        )
    return None


def clean(tool: Tool, site: Path) -> None:
    for name in tool.outputs:
        path = site / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def measure(
    tool: Tool, scenario: str, site: Path, n: int, runs: int, warmup: int, timeout: float
) -> Result:
    result = Result(n, tool.name, scenario, runs, load=os.getloadavg()[0])
    edits = editor(tool, scenario, site)
    try:
        for i in range(warmup + runs):
            if scenario == "cold":
                clean(tool, site)
            elif edits:
                edits.next()
            run = run_once(tool.command, site, timeout)
            if run.timed_out or run.code != 0:
                why = f"timed out after {timeout:.0f} s" if run.timed_out else f"exit {run.code}"
                result.error = f"{why}: {run.stderr.strip()[-500:]}"
                break
            if i >= warmup:
                result.times.append(run.seconds)
                result.cpu.append(run.cpu_seconds)
                result.peak_kb = max(result.peak_kb, run.maxrss_kb)
    finally:
        if edits:
            edits.restore()
    out = site / tool.site
    if out.is_dir():
        files = [p for p in out.rglob("*") if p.is_file()]
        result.pages = sum(1 for p in files if p.suffix == ".html")
        result.output_bytes = sum(p.stat().st_size for p in files)
    return result


def table(results: list[Result]) -> str:
    order = {t: i for i, t in enumerate(TOOLS)}
    rows = sorted(results, key=lambda r: (r.n, order[r.tool], SCENARIOS.index(r.scenario)))
    lines = [
        "| N | tool | scenario | runs | median s | min s | max s | CPU s | peak MB | pages "
        "| output MB | load |",
        "|--:|:-----|:---------|-----:|---------:|------:|------:|------:|--------:|------:"
        "|----------:|-----:|",
    ]
    for r in rows:
        if r.times:
            t = f"{statistics.median(r.times):.2f} | {min(r.times):.2f} | {max(r.times):.2f}"
            t += f" | {statistics.median(r.cpu):.2f}"
        else:
            t = f"{r.error[:60] or 'no runs'} | | | "
        lines.append(
            f"| {r.n:,} | {r.tool} | {r.scenario} | {len(r.times)} | {t} "
            f"| {r.peak_kb / 1024:.0f} | {r.pages:,} | {r.output_bytes / 1e6:.1f} | {r.load:.1f} |"
        )
    return "\n".join(lines) + "\n"


def versions(scratch: Path) -> dict[str, str]:
    t = tools(scratch)
    asks = {
        "hugo": [t["hugo"].command[0], "version"],
        "eleventy": [t["eleventy"].command[0], "--version"],
        "pelican": [t["pelican"].command[0], "--version"],
        "mkdocs": [t["mkdocs"].command[0], "--version"],
    }
    found = {"python": platform.python_version()}
    for name, cmd in asks.items():
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
            found[name] = out.strip().splitlines()[0] if out.strip() else "?"
        except (OSError, subprocess.TimeoutExpired):
            found[name] = "not installed"
    return found


SETUP_NOTES = """\
How to read it:

- Every tool builds the same N articles (`bench/generate.py`). explainer also writes its home
  page, one page per actor and the quotes, sources and actors pages, hence its larger page
  count; its templates are the built-in theme (every claim with its source
  chips, a source list per page, margin notes), so its pages are about 4 times larger.
- The peers are configured minimally and comparably: one base template, an article page and
  an index listing every article. Hugo has taxonomy, RSS, sitemap and section pages switched
  off, Pelican its tag, category, author, archive and feed pages, MkDocs its search plugin
  (so no search index); Eleventy renders Markdown without a template language. Annotations
  are plain text for them and quote embeds are block quotes.
- Scenarios other than `cold` are explainer's (`warm`, `edit-*`), each a new process using
  the build cache the previous build left in `.explainer-cache/`: `edit-page` appends a
  sentence outside any claim (one page re-rendered), `edit-source` and `edit-template`
  change what every page shows (every page re-rendered). The runs column says how many
  runs were timed.
- explainer uses both cores (forked workers); so do Hugo and Eleventy in part. CPU s above
  the wall time shows it.
- The machine is shared by other sessions: a load above 2 (the core count) means the wall
  times of that row include waiting for a core; CPU s is the steadier figure.
"""


def write_results(results: dict[str, Result], folder: Path, meta: dict) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"meta": meta, "results": [asdict(r) for r in results.values()]}
    (folder / "results.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    text = table(list(results.values()))
    notes = "\n".join(f"- {k}: {v}" for k, v in meta.items())
    (folder / "results.md").write_text(
        "# Benchmark results\n\n"
        "Written by `python bench/run.py` (see the README's Benchmark section). Wall-clock\n"
        "seconds of the whole process (median of `runs` timed runs after warm-up runs), the\n"
        "largest peak resident memory of a run, and the HTML pages and bytes it wrote. CPU s is\n"
        "the median user + system time of a run (above wall time for multi-threaded tools);\n"
        "load is the machine's 1-minute load average when the measurement started.\n\n"
        f"{text}\n{notes}\n\n{SETUP_NOTES}",
        encoding="utf-8",
    )
    return text


def load_results(folder: Path) -> dict[str, Result]:
    path = folder / "results.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {r.key: r for r in (Result(**item) for item in data["results"])}


def csv(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", default="10,1000,4000", help="page counts (default 10,1000,4000)")
    parser.add_argument("--tools", default=",".join(TOOLS), help="default: all five")
    parser.add_argument(
        "--scenarios", help=f"of {','.join(SCENARIOS)} (default: all for explainer, cold for peers)"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per run (default 300)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument(
        "--scratch",
        type=Path,
        default=Path(os.environ.get("EXPLAINER_BENCH_DIR", "/tmp/explainer-bench")),
        help="peers and generated sites (default $EXPLAINER_BENCH_DIR or /tmp/explainer-bench)",
    )
    parser.add_argument("--results", type=Path, default=BENCH, help="folder for results.md/json")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep sites generated (and built) by an earlier run instead of generating anew",
    )
    args = parser.parse_args(argv)

    ns = [int(x.replace("_", "")) for x in csv(args.n)]
    chosen = csv(args.tools)
    if unknown := set(chosen) - set(TOOLS):
        parser.error(f"unknown tools {sorted(unknown)}; choose from {', '.join(TOOLS)}")
    wanted = csv(args.scenarios) if args.scenarios else None
    if wanted and (unknown := set(wanted) - set(SCENARIOS)):
        parser.error(f"unknown scenarios {sorted(unknown)}; choose from {', '.join(SCENARIOS)}")
    if "explainer" in chosen:
        install_explainer(args.scratch)
    all_tools = tools(args.scratch)
    for name in chosen:
        exe = all_tools[name].command[0]
        if not (Path(exe).exists() or shutil.which(exe)):
            parser.error(f"{name} not found at {exe}: run bash bench/peers.sh {args.scratch}")

    meta = {
        "date": dt.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()}",
        "seed": args.seed,
        **versions(args.scratch),
    }
    results = {} if args.fresh else load_results(args.results)
    for n in ns:
        site_root = args.scratch / "sites" / str(n)
        missing = [t for t in chosen if not (site_root / t).is_dir()]
        started = time.perf_counter()
        generate(n, site_root, args.seed, missing if args.reuse else chosen)
        print(f"N={n}: generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        for name in chosen:
            tool = all_tools[name]
            scenarios = wanted or (SCENARIOS if name == "explainer" else ("cold",))
            for scenario in scenarios:
                if scenario not in tool.scenarios:
                    continue
                r = measure(
                    tool,
                    scenario,
                    site_root / name,
                    n,
                    args.runs,
                    args.warmup,
                    args.timeout,
                )
                results[r.key] = r
                write_results(results, args.results, meta)  # an interrupted run keeps its part
                shown = f"{statistics.median(r.times):.2f} s" if r.times else r.error
                print(f"  {name:9} {scenario:13} {shown}", file=sys.stderr, flush=True)

    print(write_results(results, args.results, meta), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
