"""Compare each translation in content/ with its original, for translators.

    python scripts/translation_parity.py uk [content-folder]

A translation may change words, never facts (README: Languages and translations): this
lists every place where a `*.uk.*` file differs from its original in what it may not change —
annotation source ids and their order, date spans, quote embeds, generated blocks, links,
heading count, ids, row and event counts — and every field it holds that is not a text
field. It also lists original text fields with no translation. Exit status 1 if any.

The engine's `check` does the same for the build; this script needs no `languages:` in
site.yaml, so a translator can run it before the engine knows the language.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from explainer.content import translations
from explainer.content.markdown import make_markdown, quote_id, source_ids

# What a translation may hold, and how items pair up: the engine's own lists
# (explainer/content/translations.py), the fact box's handled on its own below.
TEXT_FIELDS = {name: set(f) for name, f in translations.TEXT_FIELDS.items() if name != "factbox"}
FACTBOX_FIELDS, ROW_FIELDS = set(translations.TEXT_FIELDS["factbox"]), set(translations.ROW_FIELDS)
OPTIONAL = translations.OPTIONAL_TEXT  # left out, the original's shows (marked lang="en")
BY_ID = translations.KEYED
FRONT_FIELDS = set(translations.DOCUMENT_FIELDS)

MD = make_markdown()


def skeleton(markdown: str, inline: bool = False) -> list[tuple[str, str]]:
    """What a translation must keep of a Markdown text, in order."""
    tokens = MD.parseInline(markdown) if inline else MD.parse(markdown)
    out: list[tuple[str, str]] = []

    def walk(tokens):
        for t in tokens:
            if t.type == "span_open" and "src" in t.attrs:
                out.append(("src", " ".join(source_ids(t))))
            elif t.type == "span_open" and "date" in t.attrs:
                out.append(("date", str(t.attrs["date"])))
            elif t.type == "container_quote_open":
                out.append(("quote", quote_id(t)))
            elif t.type.startswith("container_") and t.type.endswith("_open"):
                out.append(("block", t.type))
            elif t.type == "link_open":
                out.append(("link", str(t.attrs.get("href"))))
            elif t.type == "heading_open":
                out.append(("heading", t.tag))
            if t.children:
                walk(t.children)

    walk(tokens)
    return out


def compare_text(where: str, original, translated, problems: list[str]) -> None:
    """One text field: same skeleton if it is Markdown with annotations."""
    if not isinstance(original, str) or not isinstance(translated, str):
        if isinstance(original, dict) and isinstance(translated, dict):
            for key in translated:
                if key not in original:
                    problems.append(f"{where}.{key}: no such field in the original")
                else:
                    compare_text(f"{where}.{key}", original[key], translated[key], problems)
            for key in original:
                if key not in translated:
                    problems.append(f"{where}.{key}: not translated")
            return
        problems.append(f"{where}: expected text")
        return
    if not translated.strip():
        problems.append(f"{where}: empty")
    a, b = skeleton(original, inline=True), skeleton(translated, inline=True)
    if a != b:
        problems.append(f"{where}: annotations differ\n    original:    {a}\n    translation: {b}")


def compare_item(where: str, fields: set[str], original: dict, translated: dict, problems):
    for key, value in translated.items():
        if key in ("id", "of"):  # `of:` is the stamp `explainer translations --stamp` writes
            continue
        if key not in fields:
            problems.append(f"{where}: '{key}' is not a text field; it comes from the original")
        elif key not in original:
            problems.append(f"{where}: '{key}' is not in the original")
        else:
            compare_text(f"{where}.{key}", original[key], value, problems)
    for key in (fields - OPTIONAL) & original.keys():
        if key not in translated:
            problems.append(f"{where}: '{key}' not translated")


def compare_yaml(name: str, original, translated, problems: list[str]) -> None:
    where = f"{name}.{{lang}}.yaml"
    if name == "factbox":
        compare_item(
            where,
            FACTBOX_FIELDS,
            original,
            {k: v for k, v in translated.items() if k != "rows"},
            problems,
        )
        rows_o, rows_t = original.get("rows", []), translated.get("rows", [])
        if len(rows_o) != len(rows_t):
            problems.append(f"{where}: {len(rows_t)} rows, the original has {len(rows_o)}")
        for n, (o, t) in enumerate(zip(rows_o, rows_t, strict=False), 1):
            compare_item(f"{where} row {n}", ROW_FIELDS, o, t, problems)
        return
    if name == "site":
        compare_item(where, TEXT_FIELDS["site"], original, translated, problems)
        return
    fields = TEXT_FIELDS[name]
    if name in BY_ID:
        originals = {item["id"]: item for item in original}
        seen = [item.get("id") for item in translated]
        known = [i for i in seen if i in originals]
        if known != [i for i in originals if i in known]:
            problems.append(f"{where}: ids not in the original's order")
        for item in translated:
            if item.get("id") not in originals:
                problems.append(f"{where}: id '{item.get('id')}' is not in the original (orphan)")
            else:
                compare_item(
                    f"{where} id {item['id']}", fields, originals[item["id"]], item, problems
                )
        for i in originals:
            if i not in seen:
                problems.append(f"{where}: id '{i}' not translated")
    else:
        if len(original) != len(translated):
            problems.append(f"{where}: {len(translated)} items, the original has {len(original)}")
        for n, (o, t) in enumerate(zip(original, translated, strict=False), 1):
            compare_item(f"{where} item {n}", fields, o, t, problems)


def split(text: str) -> tuple[dict, str]:
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front) or {}, body


def compare_markdown(original: Path, translated: Path, problems: list[str]) -> None:
    front_o, body_o = split(original.read_text(encoding="utf-8"))
    front_t, body_t = split(translated.read_text(encoding="utf-8"))
    compare_item(translated.name, FRONT_FIELDS, front_o, front_t, problems)
    a, b = skeleton(body_o), skeleton(body_t)
    if a != b:
        for n, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                problems.append(
                    f"{translated.name}: item {n + 1} differs: original {x}, translation {y}"
                )
                break
        else:
            problems.append(f"{translated.name}: {len(b)} items, the original has {len(a)}")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    lang, content = argv[0], Path(argv[1] if len(argv) > 1 else "content")
    problems: list[str] = []
    checked = 0
    for name in [*TEXT_FIELDS, "factbox"]:
        original, translated = content / f"{name}.yaml", content / f"{name}.{lang}.yaml"
        if translated.exists() and not original.exists():
            problems.append(f"{translated}: orphan: no {original.name}")
        elif original.exists() and not translated.exists():
            problems.append(f"{original}: no {lang} translation")
        elif original.exists():
            before = len(problems)
            compare_yaml(
                name,
                yaml.safe_load(original.read_text(encoding="utf-8")),
                yaml.safe_load(translated.read_text(encoding="utf-8")),
                problems,
            )
            problems[before:] = [p.replace("{lang}", lang) for p in problems[before:]]
            checked += 1
    for folder in ("sections", "pages"):
        for original in sorted((content / folder).glob("*.md")):
            if original.stem.endswith(f".{lang}"):
                if not original.with_name(original.name.replace(f".{lang}.md", ".md")).exists():
                    problems.append(f"{original}: orphan: no original")
                continue
            translated = original.with_suffix(f".{lang}.md")
            if not translated.exists():
                problems.append(f"{original}: no {lang} translation")
            else:
                compare_markdown(original, translated, problems)
                checked += 1
    for problem in problems:
        print(problem)
    print(f"{checked} translations compared, {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
