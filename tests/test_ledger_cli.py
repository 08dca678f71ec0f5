"""Working the ledger end to end through the CLI: update, due dates, derived flags at their
boundaries, bulk edits with confirmation, undo, log, report --by and the period report.
Every time-dependent step fixes the clock with IMTRACK_NOW."""

from __future__ import annotations

import json

import pytest

NOW = "2026-11-20T10:00:00+08:00"


def at(monkeypatch, stamp: str) -> None:
    monkeypatch.setenv("IMTRACK_NOW", stamp)


def show(run, measure_id: int, *extra: str) -> dict:
    return json.loads(run.ok("show", str(measure_id), "--format", "json", *extra).stdout)


def ids(run, *args: str) -> list[int]:
    return [m["id"] for m in json.loads(run.ok("list", "--format", "json", *args).stdout)]


@pytest.fixture
def now(monkeypatch):
    at(monkeypatch, NOW)
    return NOW


# -- update and due dates --------------------------------------------------------------------

DATE_FORMS = [
    ("2025-12-31", "2025-12-31"),
    ("2025/12/31", "2025-12-31"),
    ("2025.12.31", "2025-12-31"),
    ("31 Dec 2025", "2025-12-31"),
    ("December 31, 2025", "2025-12-31"),
    ("31/12/2025", "2025-12-31"),
    ("12/31/2025", "2025-12-31"),
    ("２０２５-１２-３１", "2025-12-31"),
    ("2026-03", "2026-03-31"),
    ("Mar 2026", "2026-03-31"),
    ("today", "2026-11-20"),
    ("tomorrow", "2026-11-21"),
    ("+3d", "2026-11-23"),
    ("+2w", "2026-12-04"),
    ("+3m", "2027-02-20"),
    ("+1y", "2027-11-20"),
    ("eom", "2026-11-30"),
    ("eoq", "2026-12-31"),
    ("eoy", "2026-12-31"),
    ("2025年底", "2025-12-31"),
    ("2025年底前", "2025-12-31"),
    ("2025年6月底", "2025-06-30"),
    ("年内", "2026-12-31"),
    ("年底前", "2026-12-31"),
    ("上半年", "2027-06-30"),  # no year: the next one
    ("下半年", "2026-12-31"),
    ("一季度末", "2027-03-31"),
    ("2026年一季度", "2026-03-31"),
    ("2026年3月", "2026-03-31"),
    ("2025年12月31日", "2025-12-31"),
    ("6月底前", "2027-06-30"),
    ("Dec 31", "2026-12-31"),
    ("明年3月", "2027-03-31"),
    ("3个月内", "2027-02-20"),
    ("持续推进", "ongoing"),
    ("ongoing", "ongoing"),
]


@pytest.mark.parametrize(("typed", "stored"), DATE_FORMS)
def test_update_due_accepts_every_ledger_date_form(run, now, typed, stored):
    run.ok("update", "25", "--due", typed)
    record = show(run, 25)
    assert record["due"] == stored
    assert record["history"][-1]["field"] == "due" and record["history"][-1]["to"] == stored


@pytest.mark.parametrize(
    "typed",
    ["03/04/2025", "12", "2025", "12/31", "31 Dec 25", "2025年2月30日", "next week", "2025-13-01", "", " ", "1900-01-01"],
)
def test_update_due_rejects_ambiguous_or_unreadable_dates(run, db_path, now, typed):
    run.ok("list")
    before = db_path.read_bytes()
    result = run.fail("update", "25", "--due", typed, code=2)
    assert any(w in result.stderr for w in ("due date", "not a calendar date", "month", "2000-2100")), result.stderr
    assert db_path.read_bytes() == before


def test_rejected_date_lists_the_accepted_forms(run, now):
    result = run.fail("update", "25", "--due", "03/04/2025", code=2)
    assert "without guessing; use one of: 2025-12-31" in result.stderr
    assert "持续推进" in result.stderr


@pytest.mark.engines
def test_update_sets_lead_partners_tags_progress_as_canonical_names(run, now):
    out = run.ok(
        "update", "25", "--lead", "发改委", "--partner", "交通厅", "--partner", "自治区发展改革委",
        "--tag", "重点", "--tag", "铁路", "--progress", "40",
    ).stdout
    assert out.startswith("25: lead: - -> 自治区发展改革委;")
    m = show(run, 25)
    assert m["lead"] == "自治区发展改革委"
    assert m["partners"] == ["自治区交通运输厅"]  # the lead is not also a partner
    assert m["tags"] == ["重点", "铁路"] and m["progress"] == 40
    assert {c["field"] for c in m["history"]} == {"lead", "partners", "tags", "progress"}
    assert len({c["txn"] for c in m["history"]}) == 1
    # --partner replaces the list; --untag removes (any width); '' clears the lead
    run.ok("update", "25", "--partner", "自治区财政厅", "--untag", "重点", "--lead", "")
    m = show(run, 25)
    assert m["partners"] == ["自治区财政厅"] and m["tags"] == ["铁路"] and m["lead"] is None
    run.ok("update", "25", "--partner", "", "--due", "2025-12-31")
    run.ok("update", "25", "--due", "none")
    m = show(run, 25)
    assert m["partners"] == [] and m["due"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--progress", "101"), "progress is a percentage from 0 to 100"),
        (("--progress", "-1"), "progress is a percentage from 0 to 100"),
        (("--sector", "nowhere"), "unknown sector"),
        ((), "nothing to change"),
        (("--tag", "a", "--untag", "A"), "both added and removed"),
        (("--tag", " "), "a tag cannot be empty"),
    ],
)
def test_update_rejects_bad_values_without_writing(run, db_path, now, args, message):
    run.ok("list")
    before = db_path.read_bytes()
    result = run.fail("update", "25", *args, code=2)
    assert message in result.stderr
    assert db_path.read_bytes() == before


def test_update_needs_ids_or_filters_not_both(run, now):
    assert "say which measures" in run.fail("update", "--lead", "发改委", code=2).stderr
    result = run.fail("update", "25", "--where-sector", "transport", "--lead", "x", code=2)
    assert "not both" in result.stderr
    assert "no measure with id 99" in run.fail("update", "99", "--lead", "x").stderr
    result = run.fail("update", "--where-tag", "nothing-has-it", "--lead", "x")
    assert "no measure matches" in result.stderr


@pytest.mark.engines
def test_update_sector_pins_it_and_undo_unpins(run, now):
    run.ok("update", "17", "--sector", "digital")
    m = show(run, 17)
    assert m["sector"] == "digital" and m["sector_pinned"] is True
    run.ok("undo")
    m = show(run, 17)
    assert m["sector"] == "transport" and m["sector_pinned"] is False


def test_set_sector_undo_restores_sector_pinned(run, now):
    run.ok("set-sector", "17", "19", "digital")
    run.ok("undo")
    assert [(show(run, i)["sector"], show(run, i)["sector_pinned"]) for i in (17, 19)] == [
        ("transport", False),
        (show(run, 19)["sector"], False),
    ]
    assert show(run, 17)["history"][-1]["txn"] is not None


# -- derived facts -----------------------------------------------------------------------------


def test_flags_at_their_boundaries(run, monkeypatch):
    at(monkeypatch, "2026-11-01T09:00:00+08:00")
    run.ok("update", "25", "--due", "2026-11-20")
    cases = {
        "2026-11-19T12:00:00+08:00": ["due_soon"],  # due tomorrow
        "2026-11-20T23:00:00+08:00": ["due_soon"],  # due today: not yet overdue
        "2026-11-21T00:01:00+08:00": ["overdue"],  # due yesterday
    }
    for stamp, expected in cases.items():
        at(monkeypatch, stamp)
        record = show(run, 25)
        assert record["flags"] == expected, stamp
        assert record["attention"] == ("red" if expected == ["overdue"] else "yellow")
        assert (25 in ids(run, "--overdue")) == (expected == ["overdue"])
    at(monkeypatch, "2026-11-21T08:00:00+08:00")
    assert "overdue by 1 day)" in run.ok("show", "25").stdout


def test_due_soon_window_and_option(run, monkeypatch):
    at(monkeypatch, "2026-11-01T09:00:00+08:00")
    run.ok("update", "25", "--due", "2026-12-01")  # 30 days ahead
    run.ok("update", "26", "--due", "2026-12-02")  # 31 days ahead
    assert ids(run, "--due-soon") == [25]
    assert ids(run, "--due-soon", "--due-soon-days", "31") == [25, 26]
    assert show(run, 26, "--due-soon-days", "31")["flags"] == ["due_soon"]
    assert run.fail("list", "--due-soon-days", "-1", code=2)


def test_stale_boundary_and_done_late(run, monkeypatch):
    at(monkeypatch, "2026-10-21T09:00:00+08:00")
    run.ok("list")  # the database is created (and every measure's last activity) on Oct 21
    run.ok("update", "25", "--due", "2026-11-19")
    at(monkeypatch, "2026-11-19T09:00:00+08:00")  # 29 days later: not stale
    assert ids(run, "--stale") == []
    at(monkeypatch, "2026-11-20T09:00:00+08:00")  # 30 days: stale
    assert len(ids(run, "--stale")) == 34
    assert ids(run, "--stale", "--stale-days", "31") == []
    run.ok("set-status", "25", "done")  # a day after its due date
    record = show(run, 25)
    assert record["flags"] == ["done_late"] and record["attention"] is None
    run.ok("update", "26", "--due", "2026-11-20")
    run.ok("set-status", "26", "done")  # on the due day: on time
    assert show(run, 26)["flags"] == []


def test_gazetteer_regions_and_commitment_on_the_seed(run, now):
    record = show(run, 25)
    assert record["regions"] == ["包头", "鄂尔多斯", "巴彦淖尔", "阿拉善盟", "呼伦贝尔", "兴安盟"]
    assert record["commitment"] == "study"
    assert 25 in ids(run, "--region", "兴安盟") and 25 in ids(run, "--region", "alxa")
    assert 25 in ids(run, "--commitment", "研究")
    listed = json.loads(run.ok("list", "--format", "json").stdout)
    assert all({"flags", "regions", "commitment", "attention", "days_left"} <= m.keys() for m in listed)
    assert "兴安盟" in run.ok("show", "25").stdout
    assert "unknown region" in run.fail("list", "--region", "北京", code=2).stderr


# -- list filters and sorting ------------------------------------------------------------------


def test_list_filters_sort_and_limit(run, now):
    run.ok("update", "25", "--lead", "发改委", "--due", "2026-12-31", "--tag", "重点")
    run.ok("update", "26", "--lead", "自治区发展改革委", "--due", "2026-06-30")
    run.ok("update", "27", "--lead", "交通厅", "--due", "持续推进", "--tag", "重点")
    assert ids(run, "--lead", "发展改革委") == [25, 26]
    assert ids(run, "--tag", "重点") == [25, 27]
    assert ids(run, "--overdue") == [26]
    assert ids(run, "--due-before", "2026-12-31", "--due-after", "2026-07-01") == [25]
    assert ids(run, "--due-before", "年底") == [25, 26]
    assert ids(run, "--sector", "transport", "--sort", "due")[:3] == [26, 25, 27]
    assert ids(run, "--sort", "due", "--limit", "2") == [26, 25]
    assert ids(run, "--sort", "status", "--status", "not-started", "--limit", "1") == [1]
    run.fail("list", "--sort", "colour", code=2)
    run.fail("list", "--limit", "0", code=2)
    assert "needs a date" in run.fail("list", "--due-before", "持续推进", code=2).stderr
    table = run.ok("list", "--overdue").stdout
    assert "Due" in table and "2026-06-30" in table and "1 of 34 measures" in table


def test_sort_updated_puts_the_latest_change_first(run, monkeypatch):
    at(monkeypatch, "2026-11-01T09:00:00+08:00")
    run.ok("list")
    at(monkeypatch, "2026-11-02T09:00:00+08:00")
    run.ok("note", "30", "x")
    at(monkeypatch, "2026-11-03T09:00:00+08:00")
    run.ok("note", "7", "y")
    assert ids(run, "--sort", "updated", "--limit", "3") == [7, 30, 1]


# -- bulk edits, confirmation, undo ------------------------------------------------------------


def test_small_bulk_edit_needs_no_confirmation(run, now):
    out = run.ok("set-status", "25", "26", "27", "in-progress").stdout
    assert out.splitlines() == [f"{i}: status set to 推进中 (in-progress)" for i in (25, 26, 27)]


def test_bulk_edit_over_three_asks_and_n_aborts_without_change(run, db_path, now):
    run.ok("list")
    before = db_path.read_bytes()
    result = run("set-status", "--where-sector", "transport", "done", input="n\n")
    assert result.exit_code == 1
    assert "will change 6 measures" in result.stdout and "Change these 6 measures? [y/N]" in result.stdout
    assert "not confirmed; nothing was changed" in result.stderr
    assert db_path.read_bytes() == before


@pytest.mark.engines
def test_bulk_edit_over_three_applies_on_y(run, now):
    result = run.ok("update", "--where-sector", "transport", "--lead", "交通厅", input="y\n")
    assert "17  " in result.stdout and "lead: - -> 自治区交通运输厅" in result.stdout
    assert ids(run, "--lead", "交通运输厅") == [17, 25, 26, 27, 28, 30]


def test_bulk_edit_without_an_answer_fails_naming_yes(run, db_path, now):
    run.ok("list")
    before = db_path.read_bytes()
    result = run.fail("set-status", "--where-sector", "transport", "done")
    assert "add --yes" in result.stderr and "nothing was changed" in result.stderr
    assert db_path.read_bytes() == before


def test_dry_run_shows_and_changes_nothing(run, db_path, now):
    run.ok("list")
    before = db_path.read_bytes()
    out = run.ok("update", "--where-sector", "transport", "--due", "2026年底", "--dry-run").stdout
    assert "would change 6 measures" in out and "due: - -> 2026-12-31" in out
    assert "dry run: nothing was changed" in out
    data = json.loads(run.ok("set-status", "25", "26", "done", "--dry-run", "-f", "json").stdout)
    assert data["applied"] is False and [m["id"] for m in data["measures"]] == [25, 26]
    assert db_path.read_bytes() == before


@pytest.mark.engines
def test_where_filters_select_measures(run, now):
    run.ok("update", "25", "26", "--tag", "铁路")
    run.ok("set-status", "--where-tag", "铁路", "in-progress")
    assert ids(run, "--status", "in-progress") == [25, 26]
    run.ok("update", "25", "--due", "2026-01-01", "--lead", "发改委")
    run.ok("set-status", "--where-overdue", "blocked")
    run.ok("update", "--where-lead", "自治区发展改革委", "--progress", "10")
    run.ok("update", "--where-region", "兴安盟", "--where-status", "blocked", "--tag", "东部")
    assert show(run, 25)["status"] == "blocked" and show(run, 25)["progress"] == 10
    assert ids(run, "--tag", "东部") == [25]
    run.ok("set-status", "--where-grep", "低空", "done")
    assert show(run, 30)["status"] == "done"


@pytest.mark.engines
def test_undo_reverts_a_bulk_edit_as_one_and_walks_back(run, monkeypatch):
    at(monkeypatch, "2026-11-20T09:00:00+08:00")
    run.ok("set-status", "25", "in-progress")
    at(monkeypatch, "2026-11-20T10:00:00+08:00")
    run.ok("set-status", "--where-sector", "transport", "done", "--yes", "--note", "年度验收")
    assert ids(run, "--status", "done") == [17, 25, 26, 27, 28, 30]
    out = run.ok("undo").stdout
    assert out.startswith(
        "undid `imtrack set-status --where-sector transport done --yes --note 年度验收` of "
        "2026-11-20T10:00:00+08:00 (6 measures: 17, 25, 26, 27, 28, 30)"
    )
    assert "25: status: 已完成 -> 推进中" in out and "25: note removed: 年度验收" in out
    assert ids(run, "--status", "done") == []
    assert ids(run, "--status", "in-progress") == [25]
    assert show(run, 25)["notes"] == []
    out = run.ok("undo").stdout
    assert "(1 measure: 25)" in out and "status: 推进中 -> 未启动" in out
    assert ids(run, "--status", "not-started") == list(range(1, 35))
    result = run.fail("undo")
    assert "nothing to undo" in result.stderr


@pytest.mark.engines
def test_undo_json_and_every_changing_command_is_undoable(run, now):
    run.ok("note", "25", "开工")
    data = json.loads(run.ok("undo", "-f", "json").stdout)
    assert data["notes_removed"][0]["text"] == "开工" and data["measures"] == [25]
    run.ok("update", "25", "26", "27", "28", "--progress", "50", "--yes")
    data = json.loads(run.ok("undo", "-f", "json").stdout)
    assert data["measures"] == [25, 26, 27, 28]
    assert {c["to"] for c in data["changes"]} == {None}


def test_set_status_keeps_its_messages(run, now):
    run.ok("set-status", "25", "in-progress")
    out = run.ok("set-status", "25", "26", "推进中", "--note", "周报").stdout
    assert out.splitlines() == ["25: already 推进中 (in-progress), note added", "26: status set to 推进中 (in-progress)"]
    assert "say which measures" in run.fail("set-status", "done", code=2).stderr


# -- log ---------------------------------------------------------------------------------------


@pytest.mark.engines
def test_log_is_newest_first_and_filters(run, monkeypatch):
    at(monkeypatch, "2026-11-10T09:00:00+08:00")
    run.ok("set-status", "25", "in-progress")
    at(monkeypatch, "2026-11-11T09:00:00+08:00")
    run.ok("note", "26", "已开工")
    at(monkeypatch, "2026-11-12T09:00:00+08:00")
    run.ok("update", "25", "--lead", "发改委", "--due", "2026-12-31")
    entries = json.loads(run.ok("log", "-f", "json").stdout)
    assert [(e["id"], e["field"]) for e in entries] == [(25, "due"), (25, "lead"), (26, "note"), (25, "status")]
    assert entries[2]["kind"] == "note" and entries[2]["text"] == "已开工"
    assert entries[3]["from"] == "not-started" and entries[3]["to"] == "in-progress"
    assert [e["field"] for e in json.loads(run.ok("log", "25", "-f", "json").stdout)] == ["due", "lead", "status"]
    assert [e["id"] for e in json.loads(run.ok("log", "--since", "2026-11-11", "-f", "json").stdout)] == [25, 25, 26]
    assert len(json.loads(run.ok("log", "--limit", "1", "-f", "json").stdout)) == 1
    table = run.ok("log").stdout
    assert table.index("2026-11-12 09:00") < table.index("已开工") < table.index("未启动 -> 推进中")
    assert "no measure with id 99" in run.fail("log", "99").stderr
    run.fail("log", "--since", "someday", code=2)


# -- reports -----------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["sector", "status", "lead", "region", "source", "commitment"])
@pytest.mark.engines
def test_report_by_each_dimension(run, now, by):
    run.ok("update", "25", "--lead", "发改委", "--due", "2026-01-31")
    run.ok("update", "26", "--lead", "自治区发展改革委", "--due", "2026-12-01")
    run.ok("set-status", "26", "done")
    data = json.loads(run.ok("report", "--by", by, "--format", "json").stdout)
    assert data["by"] == by and data["total"]["total"] == 34 and data["total"]["overdue"] == 1
    rows = {r["key"]: r for r in data["rows"]}
    assert all({"total", "counts", "percent_done", "overdue", "label"} <= r.keys() for r in rows.values())
    if by != "region":  # a measure may be in several regions
        assert sum(r["total"] for r in data["rows"]) == 34
    expected = {
        "sector": ("transport", 6, 1),
        "status": ("done", 1, 0),
        "lead": ("自治区发展改革委", 2, 1),
        "region": ("兴安盟", 2, 1),
        "source": (show(run, 1)["source"], 34, 1),
        "commitment": ("study", rows.get("study", {}).get("total"), 1),
    }[by]
    key, total, overdue = expected
    assert rows[key]["total"] == total and rows[key]["overdue"] == overdue
    if by == "lead":
        assert rows[key]["percent_done"] == 50.0 and rows[""]["label"] == "(未指定)"
    assert [a["id"] for a in data["attention"]] == [25]
    assert data["attention"][0]["colour"] == "red" and data["today"] == "2026-11-20"
    table = run.ok("report", "--by", by).stdout
    assert "Attention (督办)" in table and "红" in table


def test_report_attention_colours_and_days(run, now):
    run.ok("update", "25", "--due", "2026-11-19")  # overdue: red
    run.ok("update", "26", "--due", "2026-12-10")  # due in 20 days: yellow
    run.ok("update", "27", "--due", "2027-06-30")  # not soon: not listed
    data = json.loads(run.ok("report", "-f", "json").stdout)
    assert [(a["id"], a["colour"], a["days_left"]) for a in data["attention"]] == [(25, "red", -1), (26, "yellow", 20)]
    data = json.loads(run.ok("report", "-f", "json", "--due-soon-days", "10").stdout)
    assert [a["id"] for a in data["attention"]] == [25]
    run.fail("report", "--by", "colour", code=2)
    assert "--until needs --since" in run.fail("report", "--until", "2026-11-01", code=2).stderr


def test_report_stale_measures_are_blue(run, monkeypatch):
    at(monkeypatch, "2026-10-01T09:00:00+08:00")
    run.ok("list")
    at(monkeypatch, "2026-11-20T09:00:00+08:00")
    run.ok("note", "25", "仍在推进")
    data = json.loads(run.ok("report", "-f", "json").stdout)
    assert len(data["attention"]) == 33 and {a["colour"] for a in data["attention"]} == {"blue"}
    assert 25 not in [a["id"] for a in data["attention"]]


@pytest.mark.engines
def test_period_report_on_a_scripted_history(run, monkeypatch):
    at(monkeypatch, "2026-11-02T09:00:00+08:00")
    run.ok("update", "25", "--due", "2026-11-10", "--lead", "发改委")
    run.ok("update", "26", "--due", "2026-11-30")
    run.ok("update", "28", "--due", "2026-11-07")  # overdue since Nov 8, before the period
    run.ok("update", "31", "--due", "2026-11-08")  # overdue from Nov 9, the period's first day
    run.ok("set-status", "27", "in-progress")  # before the period
    at(monkeypatch, "2026-11-10T15:00:00+08:00")
    run.ok("set-status", "26", "done")
    at(monkeypatch, "2026-11-11T09:00:00+08:00")
    run.ok("note", "25", "可研报告已报送")
    at(monkeypatch, "2026-11-12T09:00:00+08:00")
    run.ok("set-status", "27", "blocked", "--note", "用地指标未落实")
    at(monkeypatch, "2026-11-13T09:00:00+08:00")
    run.ok("set-status", "29", "done")
    run.ok("undo")  # completed and undone inside the period: not a completion
    at(monkeypatch, "2026-11-16T09:00:00+08:00")  # the report is run the Monday after
    data = json.loads(run.ok("report", "--since", "2026-11-09", "--until", "2026-11-15", "-f", "json").stdout)
    assert data["since"] == "2026-11-09" and data["until"] == "2026-11-15"
    assert [c["id"] for c in data["completed"]] == [26]
    # 29's done and its undo cancel out: the report to send upward leaves both out
    assert [(c["id"], c["to"]) for c in data["status_changes"]] == [(26, "done"), (27, "blocked")]
    assert [(n["id"], n["text"]) for n in data["notes"]] == [(25, "可研报告已报送"), (27, "用地指标未落实")]
    assert [m["id"] for m in data["newly_overdue"]] == [25, 31]
    silent = [m["id"] for m in data["no_update"]]
    assert len(silent) == 31 and not {25, 26, 27} & set(silent) and {28, 29} <= set(silent)
    # relative days, the table and the default end (today)
    assert json.loads(run.ok("report", "--since", "-7d", "-f", "json").stdout)["since"] == "2026-11-09"
    table = run.ok("report", "--since", "2026-11-09", "--until", "2026-11-15").stdout
    assert "Period 2026-11-09 to 2026-11-15" in table
    assert "1 completed, 2 status changes, 2 new notes, 2 newly overdue\n31 of 34 measures with no update" in table
    assert "--since 2026-11-15 is after --until 2026-11-09; swap them" in run.fail(
        "report", "--since", "2026-11-15", "--until", "2026-11-09", code=2
    ).stderr
    run.fail("report", "--since", "持续推进", code=2)


def test_every_command_has_help_and_is_in_the_readme(run):
    from pathlib import Path

    import typer

    from imtrack.cli.app import app

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
    assert {"update", "undo", "log", "report", "set-status"} <= set(names)
    for name in names:
        assert f"imtrack {name}" in readme, name
        assert run.ok(name, "--help").stdout.strip(), name
    assert isinstance(app, typer.Typer)


@pytest.mark.engines
def test_undo_of_an_import_says_which_measures_it_removed(run, tmp_path):
    doc = tmp_path / "plan.txt"
    doc.write_text("■ 建设一批科技成果转化中试基地。\n■ 打造一批夜间消费集聚区。\n", encoding="utf-8")
    run.ok("import", str(doc))
    out = run.ok("undo").stdout
    assert "35: removed (added by that command; its id is not reused): 建设一批科技成果转化中试基地。" in out
    assert "36: removed" in out
    data = json.loads(run.ok("list", "--format", "json").stdout)
    assert [m["id"] for m in data][-1] == 34
    run.ok("import", str(doc))
    again = json.loads(run.ok("undo", "--format", "json").stdout)
    assert [m["id"] for m in again["removed"]] == [37, 38]  # ids are never handed out twice
