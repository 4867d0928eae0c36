"""Save-to-served latency of `build.py serve` for a one-file edit.

Starts the preview on a copy of the project (content/, or tests/fixtures/minimal
when there is none yet) on a free 127.0.0.1 port, then repeatedly appends a
unique token to a Markdown file and polls the page over HTTP until the token is
served. Prints each edit's latency and the median, min and max.

    python bench/serve_latency.py [--edits 20] [--poll] [--content DIR]
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
POLL_EVERY_S = 0.002
TIMEOUT_S = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--poll", action="store_true", help="use serve's polling watcher")
    parser.add_argument("--content", type=Path, help="content folder (default: content/)")
    args = parser.parse_args()

    content = (args.content or REPO / "content").absolute()
    if not content.is_dir():
        content = REPO / "tests/fixtures/minimal/content"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(content, root / "content")
        shutil.copytree(REPO / "templates", root / "templates")
        target = sorted((root / "content/sections").glob("*.md"))[0]
        print(f"content: {content}; editing {target.relative_to(root)}")
        command = [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root)]
        command += ["--port", "0"] + (["--poll"] if args.poll else [])
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO)
        try:
            port = _port(proc)
            latencies = []
            for i in range(args.edits):
                token = f"benchtoken{i}x{time.time_ns()}"
                start = time.perf_counter()
                with target.open("a", encoding="utf-8") as f:
                    f.write(f"\n{token}\n")
                while token.encode() not in _get(port, "/"):
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


def _port(proc: subprocess.Popen) -> int:
    deadline = time.monotonic() + 30
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
