import json


def test_report_on_fresh_database(run, db_path):
    result = run.ok("report", "--format", "json")
    data = json.loads(result.stdout)
    assert data["total"]["total"] == 34
    assert db_path.exists()


def test_unknown_status_is_a_usage_error(run):
    result = run.fail("set-status", "25", "finished", code=2)
    assert "unknown status 'finished'; use one of: not-started (未启动)" in result.stderr


def test_non_numeric_id_is_one_line(run):
    result = run.fail("show", "abc", code=2)
    assert "'abc' is not a measure id" in result.stderr
