from __future__ import annotations

import pytest

from tests.model.idx import write_mnist


@pytest.fixture(scope="session")
def fake_mnist(tmp_path_factory):
    """Canonical IDX files with random content, at full size (the loader checks the counts)."""
    folder = tmp_path_factory.mktemp("mnist")
    write_mnist(folder)
    return folder
