"""What a model runs on: the device TensorFlow uses and the library versions (for metrics and the model card)."""

from __future__ import annotations

import platform


def device_name() -> str:
    """ "GPU (...)" when TensorFlow sees one (it then places the model there), else "CPU"."""
    from model.tensorflow_start import start_tensorflow

    start_tensorflow()
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    return f"GPU ({', '.join(gpu.name for gpu in gpus)})" if gpus else "CPU"


def library_versions() -> dict[str, str]:
    import keras
    import numpy as np
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }
