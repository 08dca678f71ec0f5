"""The words of the bulletin and the HTML report, in the interface language (imtrack.i18n:
IMTRACK_LANG, else the locale) or the one asked for.

The English words are the catalog's message ids; each carries its key as its gettext context
(msgctxt), so a word the documents use in their own sense ("Total" as a column of counts or
as the last row) is translated apart from the same English elsewhere in the interface."""

from __future__ import annotations

from imtrack.i18n import NP_, catalog

LANGUAGES = ("zh", "en")

WORDS: dict[str, str] = dict((
    NP_("title", "Progress bulletin"),
    NP_("subtitle_sources", "Source documents: {sources}"),
    NP_("no_sources", "(no source document recorded)"),
    NP_("period", "Period: {since} to {until}"),
    NP_("filters", "Scope: {filters}"),
    NP_("filter_sector", "sector"),
    NP_("filter_lead", "lead agency"),
    NP_("filter_source", "source"),
    NP_("made_on", "Made on {today}"),
    NP_("summary_heading", "1. Overview"),
    NP_('summary', 'Of {total} measures, {done} are done ({percent}%), {in_progress} in progress, '
                   '{not_started} not started and {blocked} blocked; {overdue} are overdue.'),
    NP_('summary_period', 'In the period {completed} measures were completed, with {changes} status '
                          'changes and {notes} new notes; {newly_overdue} became overdue and '
                          '{no_update} had no update.'),
    NP_("progress_heading", "2. Progress by {by}"),
    NP_("by_sector", "sector"),
    NP_("by_status", "status"),
    NP_("by_lead", "lead agency"),
    NP_("by_region", "region"),
    NP_("by_source", "source document"),
    NP_("by_commitment", "commitment type"),
    NP_("col_total", "Total"),
    NP_("col_percent", "Done %"),
    NP_("col_overdue", "Overdue"),
    NP_("total_row", "Total"),
    NP_("attention_heading", "3. Attention list"),
    NP_("attention_none", "Nothing needs attention."),
    NP_("attention_more", "{n} more not listed."),
    NP_('earlier_more', 'The latest {shown} are listed; {n} earlier ones are not '
                        '(imtrack report --since lists all).'),
    NP_("red", "Red (overdue)"),
    NP_("yellow", "Yellow (due soon)"),
    NP_("blue", "Blue (no recent update)"),
    NP_("col_id", "ID"),
    NP_("col_measure", "Measure"),
    NP_("col_lead", "Lead"),
    NP_("col_due", "Due"),
    NP_("col_status", "Status"),
    NP_("col_colour", "Flag"),
    NP_("col_date", "Date"),
    NP_("col_change", "Change"),
    NP_("no_lead", "(none)"),
    NP_("period_heading", "4. In the period"),
    NP_("completed_heading", "Completed"),
    NP_("completed_none", "No measure was completed in the period."),
    NP_("late", " (late)"),
    NP_("changes_heading", "Status changes"),
    NP_("changes_none", "No status changed in the period."),
    NP_("chart_progress", "Progress by {by} (by status)"),
    NP_("chart_burnup", "Cumulative completions ({step})"),
    NP_("step_week", "weekly"),
    NP_("step_month", "monthly"),
    NP_("chart_overdue", "Overdue measures by lead agency"),
    NP_("overdue_none", "No measure is overdue."),
    NP_("axis_measures", "measures"),
    NP_("series_done", "done"),
    NP_("series_total", "total"),
    NP_("status_not-started", "not started"),
    NP_("status_in-progress", "in progress"),
    NP_("status_done", "done"),
    NP_("status_blocked", "blocked"),
))


def language() -> str:
    """zh or en: the interface language."""
    from imtrack.i18n import language as interface_language

    return interface_language()


class Words:
    """The words in one language: words("summary", total=3, ...)."""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = lang or language()
        if self.lang not in LANGUAGES:
            raise ValueError(f"no report words in {self.lang!r}")
        self._catalog = catalog(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self._catalog.pgettext(key, WORDS[key])
        return text.format(**values) if values else text

    def status(self, value: str) -> str:
        key = f"status_{value}"
        return self._catalog.pgettext(key, WORDS[key]) if key in WORDS else value
