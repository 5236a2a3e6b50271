"""Export trained models for other runtimes.

- A TensorFlow SavedModel that TensorFlow Serving loads as it is: signature `serving_default`,
  input `rows` float32 [N, 28, 28] in [0, 1] (light ink on dark, framed like MNIST) -> output
  `probabilities` float32 [N, 10]. The softmax is part of the graph, so TF Serving answers with
  the same probabilities as Rowscan's own API.
- An ONNX model (`model.onnx` beside `model.keras`) for Rowscan's optional ONNX Runtime backend:
  the same input; output `steps` [N, 28, 10] (the answer after every row) for the recurrent
  models, `probabilities` [N, 10] for the CNN. It records the sha256 of the `model.keras` it
  came from, so the service can refuse an ONNX file that no longer matches its Keras model.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import keras
import tensorflow as tf

from model import artifacts
from model.network import per_row_model, reads_rows
from model.optional import require
from model.shapes import COLS, ROWS

ONNX_OPSET = 17
ROWS_SPEC = tf.TensorSpec([None, ROWS, COLS], tf.float32, name="rows")


def export_saved_model(model: keras.Model, path: Path) -> Path:
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        name="serving_default",
        fn=lambda rows: {"probabilities": tf.nn.softmax(model(rows, training=False))},
        input_signature=[ROWS_SPEC],
    )
    path.mkdir(parents=True, exist_ok=True)
    archive.write_out(str(path), verbose=False)
    return path


def export_onnx(directory: Path) -> Path:
    """Write `model.onnx` for the model in `directory` (converted with tf2onnx, one fused LSTM/GRU op)."""
    onnx = require("onnx", needed_for="rowscan export --onnx", extra="onnx")
    tf2onnx = require("tf2onnx", needed_for="rowscan export --onnx", extra="onnx")
    from model.onnx_canonical import canonicalize

    model = artifacts.load_keras_model(directory)
    if reads_rows(model):
        network, output = per_row_model(model), artifacts.ONNX_STEPS
    else:
        network, output = model, artifacts.ONNX_PROBABILITIES

    @tf.function(input_signature=[ROWS_SPEC])
    def serve(rows):
        return {output: tf.nn.softmax(network(rows, training=False))}

    proto, _ = tf2onnx.convert.from_function(serve, input_signature=[ROWS_SPEC], opset=ONNX_OPSET)
    canonicalize(proto)  # the same bytes at every export, so re-exporting leaves git status clean
    source = hashlib.sha256((directory / artifacts.MODEL_FILE).read_bytes()).hexdigest()
    onnx.helper.set_model_props(proto, {artifacts.ONNX_SOURCE_KEY: source})
    path = directory / artifacts.ONNX_FILE
    onnx.save(proto, str(path))
    return path
