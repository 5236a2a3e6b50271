"""Invalid settings and artifacts of the wrong type end start-up with one line naming what is wrong (issue 19, item 5)."""

from __future__ import annotations

import pytest

from model import artifacts
from tests.app.test_server_process import assert_fails_in_one_line, copy_artifacts
from tests.server import free_port, run_rowscan


@pytest.mark.parametrize(
    ("variable", "value"),
    [("ROWSCAN_MAX_BATCH_SIZE", "-1"), ("ROWSCAN_PORT", "abc"), ("ROWSCAN_BACKEND", "foo"), ("ROWSCAN_MAX_BODY_BYTES", "1e99")],
)
def test_invalid_setting_is_one_line(variable, value):
    result = run_rowscan(["serve", "--port", str(free_port())], env={variable: value})
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("rowscan: cannot start:")]
    assert len(lines) == 1, result.stderr
    assert f"{variable}={value!r}" in lines[0], lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("key", "value"), [("parameters", "many"), ("test_accuracy", None), ("confusion_matrix", 3), ("test_misses", 1.5)]
)
def test_metrics_of_the_wrong_type(tmp_path, key, value):
    folder = copy_artifacts(tmp_path)
    metrics = artifacts.load_metrics(folder / "lstm")
    artifacts.write_json(folder / "lstm" / "metrics.json", dict(metrics, **{key: value}))
    assert_fails_in_one_line(folder, "metrics.json", f"'{key}' is")


def test_metrics_that_are_not_an_object(tmp_path):
    folder = copy_artifacts(tmp_path)
    (folder / "lstm" / "metrics.json").write_text("[1, 2, 3]")
    assert_fails_in_one_line(folder, "metrics.json", "expected an object")
