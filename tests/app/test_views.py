"""The data the pages are drawn from (app/views): the SVG geometry of the training charts and the
confusion-matrix cells, checked as numbers rather than by counting polylines in a browser."""

from __future__ import annotations

import pytest

from app.views.charts import (
    CHART_H,
    CHART_W,
    PAD_BOTTOM,
    PAD_LEFT,
    PAD_RIGHT,
    PAD_TOP,
    chart,
    decimals,
    nice_step,
    training_charts,
)
from app.views.tables import class_rows, confusion_cells

LEFT, RIGHT, TOP, BOTTOM = PAD_LEFT, CHART_W - PAD_RIGHT, PAD_TOP, CHART_H - PAD_BOTTOM


def points(line: dict) -> list[tuple[float, float]]:
    return [tuple(float(v) for v in pair.split(",")) for pair in line["points"].split()]


@pytest.mark.parametrize(
    ("span", "target", "step"),
    [(1.0, 5, 0.2), (0.05, 4, 0.02), (3.0, 4, 1.0), (7.0, 6, 2.0), (0.9, 4, 0.25), (40.0, 4, 10.0), (0.0, 5, 1.0)],
)
def test_nice_steps_are_1_2_2_5_or_5_times_a_power_of_ten(span, target, step):
    assert nice_step(span, target) == pytest.approx(step)


@pytest.mark.parametrize(("step", "digits"), [(5, 0), (0.5, 1), (0.25, 2), (0.0125, 4), (1e-7, 6)])
def test_tick_labels_show_every_multiple_of_the_step_exactly(step, digits):
    assert decimals(step) == digits


def test_a_loss_chart_spans_the_plot_from_zero_and_marks_the_best_epoch():
    series = [
        {"key": "loss", "label": "Training", "kind": "train", "values": [1.2, 0.6, 0.3, 0.2, 0.15]},
        {"key": "val_loss", "label": "Validation", "kind": "val", "values": [1.0, 0.5, None, 0.25, 0.3]},
    ]
    drawn = chart([1, 2, 3, 4, 5], series, percent=False, best_epoch=4)
    assert (drawn["width"], drawn["height"]) == (CHART_W, CHART_H)
    # from 0 up to the first nice step above the largest value (1.2 -> 0.5 steps -> 1.5)
    assert [t["label"] for t in drawn["y_ticks"]] == ["0.0", "0.5", "1.0", "1.5"]
    assert drawn["y_ticks"][0]["y"] == BOTTOM and drawn["y_ticks"][-1]["y"] == TOP
    train, val = drawn["lines"]
    assert points(train)[0] == (LEFT, pytest.approx(BOTTOM - (BOTTOM - TOP) * 1.2 / 1.5, abs=0.01))
    assert points(train)[-1][0] == RIGHT
    assert len(points(val)) == 4, "a missing value is left out of the line"
    assert [x for x, _ in points(train)] == sorted(x for x, _ in points(train))
    assert drawn["best"] == {"x": pytest.approx(LEFT + (RIGHT - LEFT) * 3 / 4, abs=0.01), "epoch": 4}
    assert [t["label"] for t in drawn["x_ticks"]] == ["1", "2", "3", "4", "5"]


def test_an_accuracy_chart_ends_at_100_percent_and_starts_at_a_round_floor():
    series = [{"key": "accuracy", "label": "Training", "kind": "train", "values": [0.962, 0.981, 0.987, 0.99]}]
    drawn = chart([1, 2, 3, 4], series, percent=True, best_epoch=None)
    labels = [t["label"] for t in drawn["y_ticks"]]
    assert labels == ["96%", "97%", "98%", "99%", "100%"]  # 1% steps: whole percentages
    assert drawn["y_ticks"][-1]["y"] == TOP and drawn["best"] is None
    assert all(TOP <= y <= BOTTOM for _, y in points(drawn["lines"][0]))


def test_one_epoch_sits_in_the_middle_and_nothing_to_draw_is_none():
    drawn = chart([1], [{"key": "loss", "label": "Training", "kind": "train", "values": [0.4]}], percent=False, best_epoch=1)
    assert points(drawn["lines"][0])[0][0] == pytest.approx(LEFT + (RIGHT - LEFT) / 2)
    assert chart([], [], percent=False, best_epoch=None) is None
    assert (
        chart(
            [1, 2],
            [{"key": "loss", "label": "", "kind": "train", "values": [None, float("nan")]}],
            percent=False,
            best_epoch=None,
        )
        is None
    )


def test_training_charts_from_a_history():
    history = {"epoch": [1, 2, 3], "loss": [0.9, 0.4, 0.2], "accuracy": [0.8, 0.9, 0.95], "seconds": [10.0, 11.0, 9.5]}
    charts = training_charts(history, best_epoch=3)
    assert charts["epochs"] == 3 and charts["seconds"] == pytest.approx(30.5)
    assert [line["key"] for line in charts["loss"]["lines"]] == ["loss"]
    assert charts["accuracy"]["lines"][0]["last"] == pytest.approx(0.95)
    assert training_charts(None, None) is None and training_charts({"epoch": []}, None) is None


def test_confusion_cells_scale_the_misses_and_keep_the_diagonal_apart():
    matrix = [[0] * 10 for _ in range(10)]
    for digit in range(10):
        matrix[digit][digit] = 100
    matrix[4][9] = 16  # the most frequent miss
    matrix[7][1] = 1
    cells = confusion_cells({"confusion_matrix": matrix})
    assert len(cells) == 10 and all(len(row) == 10 for row in cells)
    assert cells[4][9]["level"] == "heat-8" and cells[4][9]["label"] == "True 4, predicted 9: 16 misses"
    assert cells[7][1]["level"] == "heat-2" and cells[7][1]["label"].endswith("1 miss")  # 8 * sqrt(1/16) = 2
    assert cells[0][1]["level"] == "heat-0"
    assert cells[3][3]["level"] == "correct" and "100 correct (100.0%)" in cells[3][3]["label"]


def test_class_rows_scale_the_error_bars_to_the_worst_digit():
    matrix = [[0] * 10 for _ in range(10)]
    for digit in range(10):
        matrix[digit][digit] = 98
    matrix[2][3] = 2
    accuracy = [1.0] * 10
    accuracy[2] = 0.98
    rows = class_rows({"per_class_accuracy": accuracy, "confusion_matrix": matrix})
    assert rows[2]["bar"] == 100 and rows[2]["wrong"] == 2 and rows[2]["total"] == 100
    assert rows[0]["bar"] == 0 and rows[0]["wrong"] == 0
