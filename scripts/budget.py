"""Page-weight budgets for the explainer home page, measured on a built site.

    python scripts/budget.py [SITE_DIR]      (default: site/)

Prints, gzip-compressed (level 9, as hosts serve it):
- the home page's HTML plus all its stylesheets and scripts (budget 30 KB);
- the first screen: the HTML up to the end of the fact box plus every render-blocking
  stylesheet (budget 14 KB, about what TCP delivers in the first round trip).
Exits 1 when a budget is exceeded.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

TOTAL_BUDGET = 30_000
FIRST_SCREEN_BUDGET = 14_000
FIRST_SCREEN_END = re.compile(r'<section class="factbox".*?</section>', re.S)


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def measure(site: Path) -> dict[str, int]:
    html = (site / "index.html").read_bytes()
    text = html.decode("utf-8")
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
    scripts = re.findall(r'<script src="([^"]+)"', text)

    def local(url: str) -> bytes:
        # Asset URLs carry the base path; the file is found by its name under static/.
        return (site / "static" / url.rsplit("/static/", 1)[1]).read_bytes()

    css = b"".join(local(u) for u in stylesheets)
    js = b"".join(local(u) for u in scripts)
    match = FIRST_SCREEN_END.search(text)
    first_html = text[: match.end()] if match else text
    return {
        "html": gz(html),
        "css": gz(css),
        "js": gz(js),
        "total": gz(html) + gz(css) + gz(js),
        "first_screen": gz(first_html.encode("utf-8")) + gz(css),
    }


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else "site")
    if not (site / "index.html").exists():
        print(f"budget: no {site}/index.html; build the site first", file=sys.stderr)
        return 2
    m = measure(site)
    print(f"home HTML        {m['html']:>7,} B gzip")
    print(f"CSS              {m['css']:>7,} B gzip")
    print(f"JS               {m['js']:>7,} B gzip")
    print(f"total            {m['total']:>7,} B gzip   (budget {TOTAL_BUDGET:,})")
    print(f"first screen     {m['first_screen']:>7,} B gzip   (budget {FIRST_SCREEN_BUDGET:,})")
    over = m["total"] > TOTAL_BUDGET or m["first_screen"] > FIRST_SCREEN_BUDGET
    if over:
        print("budget: over budget", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
