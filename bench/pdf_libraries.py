#!/usr/bin/env python3
"""pdfminer.six beside pdfplumber on the Chinese PDF fixtures: why imtrack reads PDFs with
pdfminer.six. Needs pdfplumber (`pip install pdfplumber`; imtrack itself does not depend on it).

    python bench/pdf_libraries.py

For each fixture both libraries give the text lines of every page with their positions; the
same furniture and wrap rules (imtrack/ingest/readers/pdf.py) turn them into paragraphs, which
are compared with the corpus .txt the PDF was set from. Characters lost or added show up as a
paragraph that differs. Time is the median of 7 in-process runs of extraction alone (the
library's work), after one warm-up. Like for like: the same files, the same process, the same
post-processing; only the line extraction differs."""

from __future__ import annotations

import statistics
import time
from io import BytesIO
from pathlib import Path

from imtrack.ingest.readers.pdf import _Line, _lines, drop_furniture, paragraphs

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "tests" / "fixtures" / "formats"
CORPUS = ROOT.parent / "shared" / "corpus" / "gov-cn"
FIXTURES = {"gf-2019-5.pdf": "gf-2019-5", "gf-2019-5-embedded.pdf": "gf-2019-5", "gbf-2018-129.pdf": "gbf-2018-129"}


def pdfminer_lines(data: bytes) -> list[_Line]:
    return _lines(data, "bench")


def pdfplumber_lines(data: bytes) -> list[_Line]:
    import pdfplumber

    out = []
    with pdfplumber.open(BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            for line in page.extract_text_lines():
                sizes = [ch["size"] for ch in line["chars"]]
                out.append(_Line(number, line["x0"], line["x1"], line["top"], statistics.median(sizes), line["text"]))
    out.sort(key=lambda line: (line.page, round(line.top, 1), line.x0))
    return out


def timed(fn, data: bytes) -> float:
    fn(data)
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        fn(data)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def main() -> None:
    print("| fixture | library | paragraphs exact | ms (median of 7) |")
    print("|---|---|---:|---:|")
    for name, stem in FIXTURES.items():
        data = (FORMATS / name).read_bytes()
        want = (CORPUS / f"{stem}.txt").read_text(encoding="utf-8").splitlines()
        for label, fn in (("pdfminer.six", pdfminer_lines), ("pdfplumber", pdfplumber_lines)):
            got = paragraphs(drop_furniture(fn(data)))
            exact = sum(a == b for a, b in zip(got, want, strict=False))
            print(f"| {name} | {label} | {exact}/{len(want)}{'' if len(got) == len(want) else f' ({len(got)} read)'} | {timed(fn, data):.0f} |")


if __name__ == "__main__":
    main()
