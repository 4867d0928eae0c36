"""How long the own-words rules take on a site: copied-text and date-unmarked.

Loads, validates and resolves the project once (as `check` does), then times each rule's
whole pass over the site's prose against its reference texts, and prints the median,
min and max of `--runs` passes (wall clock; the median CPU time too, which a busy
machine does not inflate) and how much prose and reference text was compared.

    python bench/copy_check.py [--root .] [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explainer.content import wording  # noqa: E402
from explainer.content.load import load  # noqa: E402
from explainer.content.markdown import make_markdown  # noqa: E402
from explainer.content.resolve import resolve  # noqa: E402
from explainer.content.rules import RULES  # noqa: E402
from explainer.content.schema import validate  # noqa: E402
from explainer.diagnostics import Diagnostics  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="project folder (default: .)")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    diags = Diagnostics()
    content = validate(load(Path(args.root).absolute(), diags), diags)
    if content is None:
        print("the site settings cannot be read: run `python build.py check`", file=sys.stderr)
        return 1
    resolve(content, make_markdown(), diags)
    prose = sum(len(wording.words(f.text)) for f in wording.prose_fields(content))
    reference = sum(len(wording.words(text)) for _, text in content.references.values())
    print(f"{prose} words of prose, {reference} words of reference text")
    for rule in ("copied-text", "date-unmarked"):
        times, cpu = [], []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            found = list(RULES[rule].check(content))
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        print(
            f"{rule}: median {statistics.median(times):.1f} ms (CPU {statistics.median(cpu):.1f}"
            f" ms), min {min(times):.1f} ms, max {max(times):.1f} ms over {args.runs} passes;"
            f" {len(found)} findings"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
