"""Fill a language's catalogue from a JSON file of translations, and list what is missing.

    python -m tools.translate_po nn --missing [--out missing.json]
    python -m tools.translate_po nn --apply translations.json

`--missing` writes the untranslated (or fuzzy) entries as a JSON object: message id → "" (or,
for plural messages, message id → ["", ""] with the plural id under "plural"). Fill in the
strings and `--apply` the file: each translation must keep the message id's placeholders
(%(name)s and {name}); entries that do not are reported and left as they were. The
catalogue is written back in the layout `make messages` uses, so diffs stay small.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "app" / "locale"
PLACEHOLDERS = re.compile(r"%\(\w+\)s|\{\w+\}")


def catalogue_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "messages.po"


def load(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as source:
        return read_po(source, locale=language)


def save(language: str, catalogue: Catalog) -> None:
    with catalogue_path(language).open("wb") as target:
        write_po(target, catalogue, width=100, omit_header=False, no_location=True)


def missing(catalogue: Catalog) -> dict[str, object]:
    found: dict[str, object] = {}
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and not message.fuzzy:
            continue
        if isinstance(message.id, (tuple, list)):
            found[str(message.id[0])] = {"plural": message.id[1], "strings": ["", ""]}
        else:
            found[str(message.id)] = ""
    return found


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDERS.findall(text))


def apply(catalogue: Catalog, translations: dict[str, object]) -> list[str]:
    """Writes the translations into the catalogue; returns the problems found."""
    problems: list[str] = []
    for msgid, value in translations.items():
        message = catalogue.get(msgid)
        if message is None:
            problems.append(f"not in the catalogue: {msgid!r}")
            continue
        if isinstance(message.id, tuple):
            strings = value["strings"] if isinstance(value, dict) else value
            if not isinstance(strings, list) or len(strings) != 2 or not all(strings):
                problems.append(f"a plural message needs two strings: {msgid!r}")
                continue
            wanted = [_placeholders(message.id[0]), _placeholders(message.id[1])]
            if any(_placeholders(s) != wanted[0] | wanted[1] for s in strings):
                problems.append(f"placeholders differ: {msgid!r}")
                continue
            message.string = tuple(strings)
        else:
            if not isinstance(value, str) or not value:
                continue
            if _placeholders(value) != _placeholders(msgid):
                problems.append(f"placeholders differ: {msgid!r} → {value!r}")
                continue
            message.string = value
        message.flags.discard("fuzzy")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("language")
    parser.add_argument("--missing", action="store_true")
    parser.add_argument("--out")
    parser.add_argument("--apply")
    args = parser.parse_args(argv)
    catalogue = load(args.language)
    if args.missing:
        text = json.dumps(missing(catalogue), ensure_ascii=False, indent=1)
        if args.out:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
    if args.apply:
        translations = json.loads(Path(args.apply).read_text(encoding="utf-8"))
        problems = apply(catalogue, translations)
        save(args.language, catalogue)
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(translations) - len(problems)} applied, {len(missing(catalogue))} missing")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
