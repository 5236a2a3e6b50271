"""Shared fixtures: the real MNIST test set (when MNIST_DIR points at it), the committed model, and
the database on both backends (tests/storage_fixtures.py)."""

from __future__ import annotations

import os
import shutil
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from pathlib import Path

import pytest

from model import artifacts
from tests.storage_fixtures import database, database_url, postgres_cluster  # noqa: F401  (fixtures for every test)

# Runtime data (the SQLite database, fine-tuned versions) of the apps and servers the tests start goes
# to a folder of this session, never to ./data; the servers inherit it through the environment.
_DATA_DIR = tempfile.mkdtemp(prefix="rowscan-test-data-")
os.environ["ROWSCAN_DATA_DIR"] = _DATA_DIR


def pytest_unconfigure(config) -> None:
    shutil.rmtree(_DATA_DIR, ignore_errors=True)


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
