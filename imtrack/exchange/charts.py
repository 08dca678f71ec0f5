"""The report's three charts, drawn by matplotlib: completion by dimension (bars stacked by
status), the burn-up (done measures against the total over the period) and overdue measures by
lead agency. SVG keeps its text as text (`svg.fonttype: none`) so Chinese renders in the reader's
fonts; PNG (for Word) uses a CJK font installed here, if any.

Imported only by `report --format docx|html`: matplotlib costs a plain command's start-up."""

from __future__ import annotations

import io
from typing import Any

from imtrack.exchange.report_facts import STATUSES, ReportFacts, overdue_rows, progress_rows
from imtrack.exchange.report_words import Words

# Colours by status: grey not started, blue in progress, green done, red blocked.
STATUS_COLOURS = {
    "not-started": "#b0b7c3",
    "in-progress": "#3b7dd8",
    "done": "#2e9d5b",
    "blocked": "#d64545",
}
# The CJK fonts tried in order; the SVG names them all so a reader's browser picks its own.
CJK_FONTS = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
]


def _rc(svg: bool) -> dict[str, Any]:
    """rcParams for one drawing. For PNG only the fonts installed here are named: matplotlib
    logs a warning for every missing one. `text.parse_math` off: a $ in an agency's name is text."""
    if svg:
        families = [*CJK_FONTS, "sans-serif"]
    else:
        from matplotlib import font_manager

        installed = {f.name for f in font_manager.fontManager.ttflist}
        families = [f for f in CJK_FONTS if f in installed] + ["DejaVu Sans"]
    return {
        "font.family": "sans-serif",
        "font.sans-serif": families,
        "svg.fonttype": "none",
        "svg.hashsalt": "imtrack",  # the same facts give the same SVG
        "text.parse_math": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 10,
    }


def _visible(text: str) -> str:
    """User text as drawn: control characters shown as their code, not acted on."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def _short(text: str, limit: int = 14) -> str:
    text = _visible(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def progress_chart(fig: Any, facts: ReportFacts, words: Words) -> None:
    rows = [r for r in progress_rows(facts.progress) if r["key"] != "total"]
    ax = fig.add_subplot()
    labels = [_short(r["label"]) for r in rows]
    positions = list(range(len(rows)))
    left = [0] * len(rows)
    for status in STATUSES:
        values = [r["counts"][status] for r in rows]
        ax.barh(positions, values, left=left, color=STATUS_COLOURS.get(status, "#888888"),
                label=words.status(status), gid=f"status-{status}")
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_xlabel(words("axis_measures"))
    ax.set_title(words("chart_progress", by=words(f"by_{facts.by}")), pad=22)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=len(STATUSES), fontsize=8, frameon=False)
    ax.xaxis.get_major_locator().set_params(integer=True)


def burnup_chart(fig: Any, facts: ReportFacts, words: Words) -> None:
    ax = fig.add_subplot()
    days = [p.day for p in facts.burnup]
    ax.plot(days, [p.total for p in facts.burnup], color="#888888", linestyle="--", marker=".",
            label=words("series_total"))
    ax.plot(days, [p.done for p in facts.burnup], color=STATUS_COLOURS["done"], marker="o",
            label=words("series_done"))
    ax.fill_between(days, [p.done for p in facts.burnup], color=STATUS_COLOURS["done"], alpha=0.15)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(words("axis_measures"))
    ax.set_title(words("chart_burnup", step=words(f"step_{facts.step}")))
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.yaxis.get_major_locator().set_params(integer=True)
    from matplotlib.dates import DateFormatter

    # one tick per point (at most about a dozen: weeks up to 16, else months)
    ax.set_xticks(days if len(days) <= 18 else days[:: len(days) // 12 + 1])
    ax.xaxis.set_major_formatter(DateFormatter("%m-%d" if facts.step == "week" else "%Y-%m"))
    fig.autofmt_xdate()


def overdue_chart(fig: Any, facts: ReportFacts, words: Words) -> None:
    ax = fig.add_subplot()
    rows = overdue_rows(facts)
    ax.set_title(words("chart_overdue"))
    if not rows:
        ax.text(0.5, 0.5, words("overdue_none"), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    positions = list(range(len(rows)))
    ax.barh(positions, [n for _, n in rows], color=STATUS_COLOURS["blocked"])
    ax.set_yticks(positions, [_short(name) for name, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel(words("axis_measures"))
    ax.xaxis.get_major_locator().set_params(integer=True)


CHARTS = {"progress": progress_chart, "burnup": burnup_chart, "overdue": overdue_chart}


def _height(name: str, facts: ReportFacts) -> float:
    if name == "progress":
        return 1.2 + 0.32 * max(len(facts.progress.rows), 1)
    if name == "overdue":
        return 1.2 + 0.32 * max(len(overdue_rows(facts)), 2)
    return 3.2


def render(name: str, facts: ReportFacts, words: Words, fmt: str) -> bytes:
    """One chart as SVG or PNG bytes."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_rc(fmt == "svg")):
        fig = Figure(figsize=(7.0, _height(name, facts)), layout="constrained")
        CHARTS[name](fig, facts, words)
        out = io.BytesIO()
        fig.savefig(out, format=fmt, dpi=150, metadata={"Date": None} if fmt == "svg" else None)
    return out.getvalue()


def svg_inline(name: str, facts: ReportFacts, words: Words) -> str:
    """The chart's <svg> element, for inlining in HTML (no XML prolog or DOCTYPE)."""
    text = render(name, facts, words, "svg").decode("utf-8")
    text = text[text.index("<svg"):]
    # the RDF metadata block names outside vocabularies by URL: not needed inline
    start, end = text.find("<metadata>"), text.find("</metadata>")
    if start != -1 and end != -1:
        text = text[:start] + text[end + len("</metadata>"):]
    return text
