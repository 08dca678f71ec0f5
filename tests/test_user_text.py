"""User text is shown, never executed: escape sequences, bare carriage returns, bells and bidi
overrides in notes, agency names, tags, measure texts and bad values reach the terminal as
visible characters through every printing command (tables, show, log, previews, edit lines,
undo, errors); the stored text and the exports keep them exactly."""

from __future__ import annotations

import csv
import io
import json

import pytest

from imtrack.output.display import visible

EVIL = "\x1b[41;97mRED\x1b[0m \x1b]0;TITLE\x07 back\rover \u202eevil\u202c \x9b31m end"
RAW = ("\x1b", "\x07", "\r", "\u202e", "\u202c", "\x9b")


def harmless(text: str) -> bool:
    return not any(ch in text for ch in RAW)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mx", "\\x1b[31mx"),
        ("a\rb", "a\\rb"),
        ("\x1b]0;T\x07", "\\x1b]0;T\\x07"),
        ("abc\u202edef", "abc\\u202edef"),
        ("tab\there", "tab\\there"),
        ("中文（银）", "中文（银）"),
        ("line\nnext", "line\nnext"),
    ],
)
def test_visible_shows_controls_as_escapes(text, shown):
    assert visible(text) == shown
    assert "\n" not in visible(text, keep_newlines=False)


def test_escape_codes_in_notes_and_fields_never_reach_the_terminal(run):
    outputs = [
        run.ok("note", "25", EVIL),
        run.ok("update", "25", "--lead", EVIL, "--tag", "重点" + EVIL, "--yes"),
        run.ok("set-status", "26", "done", "--note", EVIL),
        run.ok("update", "25", "26", "27", "28", "--partner", EVIL, "--dry-run"),
        run.ok("show", "25"),
        run.ok("log"),
        run.ok("report", "--since", "2000-01-01"),
        run.ok("list", "--lead", EVIL),
        run.ok("undo"),
    ]
    for result in outputs:
        assert harmless(result.stdout + result.stderr), result.stdout
    show = run.ok("show", "25").stdout
    assert "\\x1b[41;97mRED" in show and "\\u202eevil" in show
    stored = json.loads(run.ok("show", "25", "--format", "json").stdout)
    assert stored["notes"][0]["text"] == EVIL and stored["lead"] == EVIL  # kept exactly


def test_bad_values_in_errors_are_shown_visibly(run):
    for args in (["list", "--status", EVIL], ["list", "--sector", EVIL], ["update", "25", "--due", EVIL],
                 ["show", EVIL]):
        result = run.fail(*args, code=2)
        assert harmless(result.stderr) and "\\x1b[41;97m" in result.stderr, args


def test_imported_texts_are_shown_visibly_and_exported_exactly(run, tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("一、交通\n1. 加快建设铁路\x1b[41;97mRED\x1b[0m和\u202e公路。\n", encoding="utf-8")
    preview = run.ok("import", str(doc), "--dry-run")
    assert harmless(preview.stdout)
    run.ok("import", str(doc))
    listing = run.ok("list", "--grep", "加快建设铁路")
    assert harmless(listing.stdout) and "\\x1b" in listing.stdout
    (stored,) = [m["text"] for m in json.loads(run.ok("list", "--grep", "加快建设铁路", "-f", "json").stdout)]
    assert "\x1b[41;97mRED" in stored and "\u202e" in stored  # the ledger keeps the text as given
    out = tmp_path / "ledger.csv"
    run.ok("export", "--format", "csv", "--output", str(out))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert any(cell == stored for row in rows for cell in row)
    backup = json.loads(run.ok("export", "--format", "json").stdout)
    assert stored in [m["text"] for m in backup["measures"]]
