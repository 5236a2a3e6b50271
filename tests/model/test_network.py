"""The notebook's network: shapes, parameter count, and per-row answers through the same weights."""

from __future__ import annotations

import numpy as np

from model.network import build_lstm, per_row_model


def test_shapes_and_documented_parameter_count():
    network = build_lstm()
    assert network.input_shape == (None, 28, 28)
    assert network.output_shape == (None, 10)
    # Dense(128) 28*128+128 = 3,712; LSTM(128) 4*(128*128+128*128+128) = 131,584; Dense(10) 128*10+10 = 1,290
    assert [layer.count_params() for layer in network.layers if layer.count_params()] == [3_712, 131_584, 1_290]
    assert network.count_params() == 136_586


def test_forget_gate_bias_starts_at_one():
    lstm = build_lstm().get_layer("rnn")
    bias = lstm.get_weights()[2].reshape(4, 128)  # gates i, f, c, o
    assert np.all(bias[1] == 1.0) and np.all(bias[[0, 2, 3]] == 0.0)


def test_per_row_answers_share_weights_and_end_at_the_final_answer():
    network = build_lstm()
    rows = np.random.default_rng(1).random((5, 28, 28), dtype=np.float32)
    per_row = per_row_model(network)
    steps = per_row(rows).numpy()
    final = network(rows).numpy()
    assert steps.shape == (5, 28, 10)
    np.testing.assert_allclose(steps[:, -1], final, atol=1e-5)
    assert per_row.count_params() == network.count_params()  # same layers, no new weights
    # The answer after row 10 only depends on rows 1-10.
    changed = rows.copy()
    changed[:, 10:] = 0.0
    np.testing.assert_allclose(per_row(changed).numpy()[:, :10], steps[:, :10], atol=1e-5)
