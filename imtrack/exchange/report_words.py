"""The words of the bulletin and the HTML report, in Chinese and English.

One small table so that the gettext catalog can take them over in one move: each entry is
(zh, en). The language is the interface's (imtrack.i18n.language: IMTRACK_LANG, else the
locale)."""

from __future__ import annotations

LANGUAGES = ("zh", "en")

WORDS: dict[str, tuple[str, str]] = {
    "title": ("工作进展通报", "Progress bulletin"),
    "subtitle_sources": ("依据：{sources}", "Source documents: {sources}"),
    "no_sources": ("（未记录来源文件）", "(no source document recorded)"),
    "period": ("统计时段：{since} 至 {until}", "Period: {since} to {until}"),
    "filters": ("范围：{filters}", "Scope: {filters}"),
    "filter_sector": ("领域", "sector"),
    "filter_lead": ("牵头单位", "lead agency"),
    "filter_source": ("来源", "source"),
    "made_on": ("{today} 生成", "Made on {today}"),
    "summary_heading": ("一、总体情况", "1. Overview"),
    "summary": (
        ("共有任务 {total} 项，已完成 {done} 项（{percent}%），推进中 {in_progress} 项，"
        "未启动 {not_started} 项，受阻 {blocked} 项，逾期 {overdue} 项。"),
        ("Of {total} measures, {done} are done ({percent}%), {in_progress} in progress, "
        "{not_started} not started and {blocked} blocked; {overdue} are overdue."),
    ),
    "summary_period": (
        ("本时段内完成 {completed} 项，状态变更 {changes} 次，新增进展记录 {notes} 条，"
        "新增逾期 {newly_overdue} 项，{no_update} 项未更新。"),
        ("In the period {completed} measures were completed, with {changes} status changes and "
        "{notes} new notes; {newly_overdue} became overdue and {no_update} had no update."),
    ),
    "progress_heading": ("二、分{by}完成情况", "2. Progress by {by}"),
    "by_sector": ("领域", "sector"),
    "by_status": ("状态", "status"),
    "by_lead": ("牵头单位", "lead agency"),
    "by_region": ("盟市", "region"),
    "by_source": ("来源文件", "source document"),
    "by_commitment": ("任务类型", "commitment type"),
    "col_total": ("任务数", "Total"),
    "col_percent": ("完成率", "Done %"),
    "col_overdue": ("逾期", "Overdue"),
    "total_row": ("合计", "Total"),
    "attention_heading": ("三、督办事项", "3. Attention list"),
    "attention_none": ("无需督办的事项。", "Nothing needs attention."),
    "attention_more": ("另有 {n} 项未列出。", "{n} more not listed."),
    "earlier_more": (
        "仅列最近 {shown} 项，另有 {n} 项较早的未列出（imtrack report --since 可列出全部）。",
        "The latest {shown} are listed; {n} earlier ones are not (imtrack report --since lists all).",
    ),
    "red": ("红色（逾期）", "Red (overdue)"),
    "yellow": ("黄色（临近期限）", "Yellow (due soon)"),
    "blue": ("蓝色（久未更新）", "Blue (no recent update)"),
    "col_id": ("编号", "ID"),
    "col_measure": ("任务", "Measure"),
    "col_lead": ("牵头单位", "Lead"),
    "col_due": ("期限", "Due"),
    "col_status": ("状态", "Status"),
    "col_colour": ("督办", "Flag"),
    "col_date": ("日期", "Date"),
    "col_change": ("变更", "Change"),
    "no_lead": ("（未指定）", "(none)"),
    "period_heading": ("四、本时段进展", "4. In the period"),
    "completed_heading": ("完成的任务", "Completed"),
    "completed_none": ("本时段内没有完成的任务。", "No measure was completed in the period."),
    "late": ("（超期完成）", " (late)"),
    "changes_heading": ("状态变更", "Status changes"),
    "changes_none": ("本时段内没有状态变更。", "No status changed in the period."),
    "chart_progress": ("分{by}完成情况（按状态）", "Progress by {by} (by status)"),
    "chart_burnup": ("累计完成情况（{step}）", "Cumulative completions ({step})"),
    "step_week": ("按周", "weekly"),
    "step_month": ("按月", "monthly"),
    "chart_overdue": ("各牵头单位逾期任务", "Overdue measures by lead agency"),
    "overdue_none": ("没有逾期任务。", "No measure is overdue."),
    "axis_measures": ("任务数", "measures"),
    "series_done": ("已完成", "done"),
    "series_total": ("任务总数", "total"),
    "status_not-started": ("未启动", "not started"),
    "status_in-progress": ("推进中", "in progress"),
    "status_done": ("已完成", "done"),
    "status_blocked": ("受阻", "blocked"),
}


def language() -> str:
    """zh or en: the interface language."""
    from imtrack.i18n import language as interface_language

    return interface_language()


class Words:
    """The words in one language: words("summary", total=3, ...)."""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = lang or language()
        self._index = LANGUAGES.index(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        text = WORDS[key][self._index]
        return text.format(**values) if values else text

    def status(self, value: str) -> str:
        entry = WORDS.get(f"status_{value}")
        return entry[self._index] if entry else value
