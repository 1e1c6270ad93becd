#!/usr/bin/env python3
"""Refresh IPC Lab's catalogues from the source texts (Qt's lupdate), for translators:

    python packaging/update_translations.py

French (`ipclab_fr.ts`) gets every text marked with `tr()`/`translate()` in qtapp, without
locations (fewer merge conflicts) and without texts that are gone; new ones come out
"unfinished" for a translator (Qt Linguist). English (`ipclab_en.ts`) holds only the plural
forms of the `%n` texts, and those are written here: a source "%Ln request(s) served" gives
"%Ln request served" and "%Ln requests served". Compile afterwards with
packaging/compile_translations.py.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATIONS = os.path.join(ROOT, "resources", "translations")
UNFINISHED_PLURAL = re.compile(
    r"(<source>(?P<source>[^<]*)</source>\s*)<translation type=\"unfinished\">\s*"
    r"<numerusform></numerusform>\s*<numerusform></numerusform>\s*</translation>")


def find_lupdate() -> list[str]:
    beside_python = os.path.join(os.path.dirname(sys.executable), "pyside6-lupdate")
    return [beside_python] if os.access(beside_python, os.X_OK) else ["pyside6-lupdate"]


def english_forms(source: str) -> tuple[str, str]:
    """Singular and plural of an English "(s)" text."""
    return source.replace("(s)", ""), source.replace("(s)", "s")


def fill_english_plurals(text: str) -> str:
    def fill(match: re.Match) -> str:
        singular, plural = english_forms(match.group("source"))
        return (f"{match.group(1)}<translation>\n            <numerusform>{singular}</numerusform>\n"
                f"            <numerusform>{plural}</numerusform>\n        </translation>")

    return UNFINISHED_PLURAL.sub(fill, text)


def main() -> int:
    sources = sorted(glob.glob(os.path.join(ROOT, "qtapp", "**", "*.py"), recursive=True))
    lupdate = find_lupdate()
    french = os.path.join(TRANSLATIONS, "ipclab_fr.ts")
    english = os.path.join(TRANSLATIONS, "ipclab_en.ts")
    subprocess.run([*lupdate, *sources, "-ts", french, "-no-obsolete", "-locations", "none"], check=True)
    subprocess.run([*lupdate, *sources, "-ts", english, "-pluralonly", "-no-obsolete", "-locations", "none",
                    "-source-language", "en", "-target-language", "en"], check=True)
    with open(english, encoding="utf-8") as handle:
        text = handle.read()
    with open(english, "w", encoding="utf-8") as handle:
        handle.write(fill_english_plurals(text))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
