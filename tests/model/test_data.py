"""The IDX loader against small files the tests write, including corrupt and truncated ones."""

from __future__ import annotations

import gzip
import shutil
import struct

import numpy as np
import pytest

from model.data import FILES, IMAGE_MAGIC, LABEL_MAGIC, MnistFileError, load_mnist, read_idx
from tests.model.idx import write_idx


def test_loads_and_splits_like_the_notebook(fake_mnist):
    data = load_mnist(fake_mnist)
    assert (len(data.train), len(data.validation), len(data.test)) == (55_000, 5_000, 10_000)
    assert data.train.images.shape == (55_000, 28, 28) and data.train.images.dtype == np.uint8
    # Validation is the first 5,000 training images, as the notebook's reader did.
    assert data.validation.labels[:3].tolist() == [0, 1, 2]
    assert data.train.labels[:3].tolist() == [0, 1, 2]  # 5000 % 10 == 0
    assert set(data.sha256) == set(FILES)
    floats = data.test.as_float()
    assert floats.dtype == np.float32 and 0.0 <= floats.min() and floats.max() <= 1.0


def test_mnist_dir_environment_variable_is_used(fake_mnist, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(fake_mnist))
    assert load_mnist().source == str(fake_mnist)


def test_missing_directory_names_it(tmp_path):
    with pytest.raises(MnistFileError, match="MNIST directory not found") as error:
        load_mnist(tmp_path / "nowhere")
    assert error.value.path == tmp_path / "nowhere"


def test_missing_file_names_it(tmp_path):
    with pytest.raises(MnistFileError, match="train-images-idx3-ubyte.gz: file not found"):
        load_mnist(tmp_path)


@pytest.mark.parametrize(
    ("written_magic", "items", "cut", "read_magic", "count", "message"),
    [
        pytest.param(LABEL_MAGIC, (2, 28, 28), 0, IMAGE_MAGIC, None, "magic number 2049, expected 2051", id="wrong-magic"),
        pytest.param(
            IMAGE_MAGIC,
            (3, 28, 28),
            100,
            IMAGE_MAGIC,
            None,
            "truncated or padded: 2252 data bytes, expected 2352",
            id="truncated",
        ),
        pytest.param(IMAGE_MAGIC, (2, 27, 28), 0, IMAGE_MAGIC, None, "images are 27x28, expected 28x28", id="image-size"),
        pytest.param(LABEL_MAGIC, (5,), 0, LABEL_MAGIC, 10_000, "holds 5 items, expected 10000", id="count"),
    ],
)
def test_bad_idx_file_says_what_is_wrong(tmp_path, written_magic, items, cut, read_magic, count, message):
    path = tmp_path / "x.gz"
    write_idx(path, written_magic, np.zeros(items), cut=cut)
    with pytest.raises(MnistFileError, match=message):
        read_idx(path, read_magic, count)


def test_truncated_header(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(struct.pack(">i", IMAGE_MAGIC)))
    with pytest.raises(MnistFileError, match="shorter than the 16-byte IDX header"):
        read_idx(path, IMAGE_MAGIC)


def test_not_gzip(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(b"this is not gzip at all")
    with pytest.raises(MnistFileError, match="not a readable gzip file"):
        read_idx(path, IMAGE_MAGIC)


def test_truncated_gzip_stream(tmp_path):
    path = tmp_path / "x.gz"
    write_idx(path, IMAGE_MAGIC, np.zeros((20, 28, 28)))
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(MnistFileError, match="not a readable gzip file"):
        read_idx(path, IMAGE_MAGIC)


def test_label_out_of_range(fake_mnist, tmp_path):
    folder = shutil.copytree(fake_mnist, tmp_path / "copy")
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", LABEL_MAGIC, np.full(10_000, 11))
    with pytest.raises(MnistFileError, match="label 11 found, expected digits 0-9"):
        load_mnist(folder)


def test_real_mnist_matches_the_published_hashes(mnist_dir):
    """The shared copy is the canonical MNIST (hashes from shared/README.md)."""
    data = load_mnist(mnist_dir)
    assert data.sha256["t10k-images-idx3-ubyte.gz"] == "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    assert np.bincount(data.test.labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
