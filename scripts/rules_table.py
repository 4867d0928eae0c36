"""The README's table of sourcing rules, made from the rules themselves.

    python scripts/rules_table.py           # print the table
    python scripts/rules_table.py --write   # put it into README.md, between its markers

Each rule's id, default severity, summary and example come from explainer/content/rules.py, so the
README cannot drift from what `check` does (tests/test_rules.py compares them).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
sys.path.insert(0, str(ROOT))  # the checkout's engine, installed or not
START, END = "<!-- rules table: scripts/rules_table.py -->", "<!-- end of rules table -->"


def table() -> str:
    from explainer.content.rules import RULES

    rows = ["| rule | default | what it asks | example finding |", "| --- | --- | --- | --- |"]
    rows += [f"| `{r.id}` | {r.severity} | {r.summary} | `{r.example}` |" for r in RULES.values()]
    return "\n".join(rows)


def with_table(readme: str) -> str:
    before, start, rest = readme.partition(START)
    _, end, after = rest.partition(END)
    if not (start and end):
        raise SystemExit(f"README.md has no {START} … {END} markers")
    return f"{before}{START}\n{table()}\n{END}{after}"


def main(argv: list[str]) -> int:
    if "--write" in argv:
        README.write_text(with_table(README.read_text()))
    else:
        print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
