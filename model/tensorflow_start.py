"""Start TensorFlow without the start-up lines that look like failures.

TensorFlow's C++ code logs its first lines before its logging reads TF_CPP_MIN_LOG_LEVEL (absl writes
whatever is logged before `absl::InitializeLog()` to stderr, whatever the level): the oneDNN notice, "Could
not find cuda drivers", the CPU-instructions notice, each twice, and on a machine without an NVIDIA device
`failed call to cuInit: ... UNKNOWN ERROR (303)`. So the import and the first device lookup run with
file descriptor 2 captured, and what was captured is written back as TF_CPP_MIN_LOG_LEVEL asks (our
entry points default it to 2: errors only). The cuInit error is dropped only where no NVIDIA device
exists: where one does, it reports a real problem and is kept. oneDNN stays on (off, training is ~30%
slower). Python's own stderr (warnings) bypasses the capture and is never filtered.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

LOG_LINE = re.compile(r"^([IWEF])\d{4} \d")  # absl/glog: severity letter, MMDD, time...
SEVERITY = {"I": 0, "W": 1, "E": 2, "F": 3}
BEFORE_INIT_NOTICE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
NO_DEVICE_ERROR = "failed call to cuInit"
NVIDIA_DEVICE_FILES = ("/dev/nvidia0", "/proc/driver/nvidia")

_started = False
_lock = threading.Lock()


def nvidia_device_present() -> bool:
    return any(Path(path).exists() for path in NVIDIA_DEVICE_FILES)


def start_tensorflow() -> None:
    """Import TensorFlow and Keras and find the devices, once per process, with the start-up lines filtered."""
    global _started
    with _lock:
        if _started:
            return
        with filtered_native_stderr():
            import keras  # noqa: F401
            import tensorflow as tf

            tf.config.list_logical_devices()
        _started = True


def kept_lines(text: str, min_level: int, gpu_present: bool) -> list[str]:
    """The lines of `text` to show: records below `min_level`, absl's notice and (without a GPU) the
    cuInit error are dropped, each with its continuation lines; anything else is kept."""
    kept: list[str] = []
    keep = True
    for line in text.splitlines(keepends=True):
        record = LOG_LINE.match(line)
        if record:
            keep = SEVERITY[record.group(1)] >= min_level and (gpu_present or NO_DEVICE_ERROR not in line)
        elif line.strip() == BEFORE_INIT_NOTICE:
            keep = False
            continue
        if keep:
            kept.append(line)
    return kept


def _min_log_level() -> int:
    """TF_CPP_MIN_LOG_LEVEL as TensorFlow reads it: 0 (everything) when unset or not a number."""
    value = os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0")
    return int(value) if value.isdigit() else 0


@contextlib.contextmanager
def filtered_native_stderr() -> Iterator[None]:
    """Capture what native code writes to file descriptor 2, then write back `kept_lines` of it."""
    sys.stderr.flush()
    python_stderr = sys.stderr
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        encoding = getattr(python_stderr, "encoding", None) or "utf-8"
        sys.stderr = open(os.dup(saved), "w", buffering=1, encoding=encoding, errors="backslashreplace")
        try:
            yield
        finally:
            sys.stderr.close()
            sys.stderr = python_stderr
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            text = captured.read().decode(errors="replace")
            python_stderr.writelines(kept_lines(text, _min_log_level(), nvidia_device_present()))
            python_stderr.flush()
