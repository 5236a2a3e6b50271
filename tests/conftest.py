"""Shared fixtures: the real MNIST test set (when MNIST_DIR points at it) and the committed model."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Runtime data (the database) of the app and of every server the tests start: a throw-away folder, never ~/.
if "ROWSCAN_DATA_DIR" not in os.environ and "ROWSCAN_DATABASE_URL" not in os.environ:
    os.environ["ROWSCAN_DATA_DIR"] = tempfile.mkdtemp(prefix="rowscan-tests-")
    atexit.register(shutil.rmtree, os.environ["ROWSCAN_DATA_DIR"], ignore_errors=True)

from pathlib import Path

import pytest

from model import artifacts

SHIPPED_DIR = artifacts.ARTIFACTS_DIR / artifacts.SHIPPED_MODEL


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The real MNIST files; tests that need them skip (saying why) where MNIST_DIR is not set."""
    value = os.environ.get("MNIST_DIR")
    if not value or not Path(value).is_dir():
        pytest.skip("MNIST_DIR is not set to a folder of the four MNIST files (CI sets it to ../shared/mnist)")
    return Path(value)


@pytest.fixture(scope="session")
def mnist_test(mnist_dir):
    from model.data import load_test_set

    return load_test_set(mnist_dir)


@pytest.fixture(scope="session")
def shipped_model():
    return artifacts.load_keras_model(SHIPPED_DIR)
