"""Export a trained model as a TensorFlow SavedModel that TensorFlow Serving loads as it is.

Signature `serving_default`: input `rows` float32 [N, 28, 28] in [0, 1] (light ink on dark,
framed like MNIST) -> output `probabilities` float32 [N, 10]. The softmax is part of the
graph, so TF Serving answers with the same probabilities as Rowscan's own API.
"""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf


def export_saved_model(model: keras.Model, path: Path) -> Path:
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        name="serving_default",
        fn=lambda rows: {"probabilities": tf.nn.softmax(model(rows, training=False))},
        input_signature=[tf.TensorSpec([None, 28, 28], tf.float32, name="rows")],
    )
    path.mkdir(parents=True, exist_ok=True)
    archive.write_out(str(path), verbose=False)
    return path
