"""Which runtime serves the models: the fastest one for this machine, decided without importing TensorFlow.

On a CPU, ONNX Runtime runs each recurrent model as one fused op, about 7x faster per digit than
TensorFlow's graphs, and starts in a fraction of TensorFlow's import time with a fifth of its
memory. On an NVIDIA GPU, TensorFlow (with the `gpu` extra's CUDA libraries) runs the same graphs
there. ROWSCAN_BACKEND=tensorflow or onnx overrides the choice.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")  # one folder per GPU the NVIDIA driver has found


def nvidia_gpu_present() -> bool:
    """An NVIDIA GPU with its driver loaded (what TensorFlow's CUDA build needs), checked in microseconds."""
    try:
        return any(NVIDIA_GPUS.iterdir())
    except OSError:
        return False


def choose_backend(setting: str) -> str:
    """The backend for ROWSCAN_BACKEND: `auto` becomes tensorflow where a GPU and TensorFlow are present, else onnx."""
    if setting != "auto":
        return setting
    if nvidia_gpu_present() and importlib.util.find_spec("tensorflow") is not None:
        return "tensorflow"
    return "onnx"
