"""The Spanish catalogue without GNU gettext: extract, check and compile in pure Python.

    python scripts/i18n.py extract   # add new source strings to locale/es/.../django.po
    python scripts/i18n.py fill F    # merge translations from a TSV file (msgid<TAB>msgstr)
    python scripts/i18n.py compile   # write django.mo
    python scripts/i18n.py check     # fail if a string is missing, untranslated or not compiled

Python files are read with Babel's extractor; Django templates are first turned into Python
by Django's own `templatize` (what `makemessages` does before calling xgettext).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import django
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "comuna"
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
Message = tuple[str | tuple[str, ...], str | None, str]  # id (or id+plural), context, location


def source_files() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*")):
        if "migrations" in path.parts or "__pycache__" in path.parts:
            continue
        if path.suffix == ".py" or (
            "templates" in path.parts and path.suffix in {".html", ".txt", ".xml", ".svg"}
        ):
            yield path


def extract_messages() -> list[Message]:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=True)
        django.setup()
    from django.utils.translation.template import templatize

    found: list[Message] = []
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        code = text if path.suffix == ".py" else templatize(text, origin=str(path))
        rel = path.relative_to(ROOT).as_posix()
        for lineno, message, _comments, context in extract(
            "python", io.BytesIO(code.encode("utf-8")), keywords=KEYWORDS
        ):
            if not message or (isinstance(message, tuple) and not message[0]):
                continue
            found.append((message, context, f"{rel}:{lineno}"))
    return found


def build_template() -> Catalog:
    template = Catalog(project="comuna", charset="utf-8")
    for message, context, location in extract_messages():
        file, line = location.rsplit(":", 1)
        existing = template.get(message[0] if isinstance(message, tuple) else message, context)
        if existing is not None:
            existing.locations.append((file, int(line)))
            continue
        template.add(message, locations=[(file, int(line))], context=context)
    return template


def load_po() -> Catalog:
    if PO.exists():
        with PO.open("rb") as handle:
            catalog = read_po(handle, locale="es")
    else:
        catalog = Catalog(locale="es", project="comuna", charset="utf-8")
    # Spanish as gettext and Django's own catalogue count it: one and other (CLDR's third
    # form, for millions, is left out so that our plurals merge with Django's).
    catalog._num_plurals = 2
    catalog._plural_expr = "(n != 1)"
    for message in catalog:
        if isinstance(message.string, tuple) and len(message.string) != 2:
            message.string = (*tuple(message.string), "", "")[:2]
    return catalog


def save_po(catalog: Catalog) -> None:
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)


def compiled_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def cmd_extract() -> int:
    catalog = load_po()
    catalog.update(build_template(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    save_po(catalog)
    missing = [m.id for m in catalog if m.id and not translated(m.string)]
    print(f"{PO.relative_to(ROOT)}: {len(catalog)} strings, {len(missing)} untranslated")
    for msgid in missing:
        print(f"  untranslated: {msgid!r}")
    return 0


def translated(string: str | tuple[str, ...] | None) -> bool:
    if isinstance(string, tuple):
        return all(string)
    return bool(string)


def cmd_fill(tsv: Path) -> int:
    catalog = load_po()
    pairs = {}
    for raw in tsv.read_text(encoding="utf-8").splitlines():
        if "\t" not in raw:
            continue
        msgid, msgstr = raw.split("\t", 1)
        pairs[msgid.replace("\\n", "\n")] = msgstr.replace("\\n", "\n")
    filled = 0
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in pairs and not translated(message.string):
            if isinstance(message.id, tuple):
                parts = pairs[key].split(" ||| ")
                message.string = tuple(parts) if len(parts) == 2 else (parts[0], parts[0])
            else:
                message.string = pairs[key]
            message.flags.discard("fuzzy")
            filled += 1
    save_po(catalog)
    print(f"filled {filled} strings")
    return 0


def cmd_compile() -> int:
    MO.write_bytes(compiled_bytes(load_po()))
    print(f"wrote {MO.relative_to(ROOT)}")
    return 0


def cmd_check() -> int:
    catalog = load_po()
    problems = []
    for message in build_template():
        if not message.id:
            continue
        found = catalog.get(message.id, message.context)
        if found is None:
            problems.append(f"missing from the catalogue: {message.id!r} ({message.locations[0]})")
        elif not translated(found.string) or found.fuzzy:
            problems.append(f"not translated: {message.id!r}")
    if not MO.exists() or MO.read_bytes() != compiled_bytes(catalog):
        problems.append("django.mo is not compiled from django.po: run `scripts/i18n.py compile`")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problems; run `make messages`, translate, then compile.")
        return 1
    print(f"{PO.relative_to(ROOT)}: complete ({len(catalog)} strings) and compiled")
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command = argv[0]
    if command == "extract":
        return cmd_extract()
    if command == "fill" and len(argv) == 2:
        return cmd_fill(Path(argv[1]))
    if command == "compile":
        return cmd_compile()
    if command == "check":
        return cmd_check()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
