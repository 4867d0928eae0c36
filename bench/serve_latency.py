"""Save-to-served latency of `build.py serve` for a one-file edit.

Starts the preview on a copy of the project (content/, or tests/fixtures/minimal
when there is none yet) on a free 127.0.0.1 port, then repeatedly edits a file
and polls a page over HTTP until the edit is served. Prints each edit's latency
and the median, min and max.

    python bench/serve_latency.py [--edits 20] [--poll] [--content DIR] [--edit KIND]

--edit section (default): append a unique token to the first section; poll the home page.
--edit page: append a token to the first free-standing page; poll that page.
--edit source: change the label of the source cited on the number of pages nearest 100;
  poll one of them.

For a benchmark site: `--content /tmp/explainer-bench/sites/4000/explainer/content`.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
POLL_EVERY_S = 0.002
TIMEOUT_S = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--poll", action="store_true", help="use serve's polling watcher")
    parser.add_argument("--content", type=Path, help="content folder (default: content/)")
    parser.add_argument("--edit", choices=["section", "page", "source"], default="section")
    args = parser.parse_args()

    content = (args.content or REPO / "content").absolute()
    if not content.is_dir():
        content = REPO / "tests/fixtures/minimal/content"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(content, root / "content")
        edit, target, path = _edit(root, args.edit)
        print(f"content: {content}; editing {target.relative_to(root)}, reading {path}")
        command = [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root)]
        command += ["--port", "0"] + (["--poll"] if args.poll else [])
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
        started = time.perf_counter()
        try:
            port = _port(proc)
            print(f"first build and serving after {time.perf_counter() - started:.1f} s")
            latencies = []
            for i in range(args.edits):
                token = f"benchtoken{i}x{time.time_ns()}"
                start = time.perf_counter()
                edit(token)
                while token.encode() not in _get(port, path):
                    if time.perf_counter() - start > TIMEOUT_S:
                        raise SystemExit(f"edit {i}: token not served after {TIMEOUT_S} s")
                    time.sleep(POLL_EVERY_S)
                latencies.append((time.perf_counter() - start) * 1000)
                print(f"edit {i + 1:2}: {latencies[-1]:6.1f} ms")
                time.sleep(0.3)  # let the server settle between edits
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    print(
        f"save -> served over {len(latencies)} edits: median {statistics.median(latencies):.1f} ms,"
        f" min {min(latencies):.1f} ms, max {max(latencies):.1f} ms"
    )
    return 0


def _edit(root: Path, kind: str):
    """(a function making an edit that shows `token`, the file it edits, the page to read)."""
    if kind in ("section", "page"):
        folder = root / "content" / ("sections" if kind == "section" else "pages")
        target = sorted(folder.glob("*.md"))[0]
        path = "/" if kind == "section" else f"/{re.sub(r'^[0-9]+[-_]', '', target.stem)}/"

        def append(token: str) -> None:
            with target.open("a", encoding="utf-8") as f:
                f.write(f"\n{token}\n")

        return append, target, path
    pages = sorted((root / "content/pages").glob("*.md"))
    cited: dict[str, list[Path]] = {}
    for page in pages:
        for ids in re.findall(r"\]\{src=\"?([^}\"]+)", page.read_text(encoding="utf-8")):
            for source in ids.split():
                cited.setdefault(source, []).append(page)
    source = min(cited, key=lambda s: (abs(len(set(cited[s])) - 100), s))  # the case
    print(f"source {source} is cited on {len(set(cited[source]))} of {len(pages)} pages")
    target = root / "content/sources.yaml"
    original = target.read_text(encoding="utf-8")
    page = sorted(set(cited[source]))[0]
    path = f"/{re.sub(r'^[0-9]+[-_]', '', page.stem)}/"
    label = re.compile(rf"(- id: \"?{re.escape(source)}\"?\n(?:  .*\n)*?  label: )(.*)")

    def relabel(token: str) -> None:
        target.write_text(label.sub(rf'\g<1>"{token}"', original, count=1), encoding="utf-8")

    return relabel, target, path


def _port(proc: subprocess.Popen) -> int:
    deadline = time.monotonic() + 600  # the first build of a large site, in one process
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("serving http://"):
            return int(line.split()[1].split(":")[2].split("/")[0])
        if not line and proc.poll() is not None:
            break
    raise SystemExit("serve did not start")


def _get(port: int, path: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        conn.request("GET", path)
        return conn.getresponse().read()
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
