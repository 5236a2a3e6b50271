"""`rowscan export`: a SavedModel that TensorFlow Serving can load, agreeing with Keras to 1e-5."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tests.server import run_rowscan


def test_export_reloads_and_agrees_with_keras(tmp_path, shipped_model):
    result = run_rowscan(["export", "--saved-model", str(tmp_path / "lstm")])
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "lstm" / "1" / "saved_model.pb").is_file()  # <base>/<version>/, as TF Serving expects

    loaded = tf.saved_model.load(str(tmp_path / "lstm" / "1"))
    signature = loaded.signatures["serving_default"]
    assert signature.structured_input_signature[1]["rows"].shape.as_list() == [None, 28, 28]
    rows = np.random.default_rng(0).random((16, 28, 28), dtype=np.float32)
    exported = signature(rows=tf.constant(rows))["probabilities"].numpy()
    expected = tf.nn.softmax(shipped_model(rows, training=False)).numpy()
    np.testing.assert_allclose(exported, expected, atol=1e-5)
