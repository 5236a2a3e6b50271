"""Load MNIST from the four canonical gzipped IDX files, checking them as we go.

The service and the training script never download anything when `MNIST_DIR` (or
`--data-dir`) is given; only with neither do we fall back to Keras's own download, so
a user with internet needs nothing else.

Split as the original notebook's data reader did: the first 5,000 training images are
the validation set, the other 55,000 are trained on; the test set is all 10,000.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.shapes import COLS, ROWS

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
VALIDATION_SIZE = 5_000

# file name -> (magic number, expected item count)
FILES = {
    "train-images-idx3-ubyte.gz": (IMAGE_MAGIC, 60_000),
    "train-labels-idx1-ubyte.gz": (LABEL_MAGIC, 60_000),
    "t10k-images-idx3-ubyte.gz": (IMAGE_MAGIC, 10_000),
    "t10k-labels-idx1-ubyte.gz": (LABEL_MAGIC, 10_000),
}


class MnistError(ValueError):
    """MNIST cannot be had: the message says what is missing and how to point Rowscan at the files."""


class MnistFileError(MnistError):
    """A missing, truncated or corrupt IDX file; the message names the file and what was expected."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path


@dataclass(frozen=True)
class Split:
    """Images as uint8 [N, 28, 28] (0 = background, 255 = ink) and labels as uint8 [N]."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def as_float(self) -> np.ndarray:
        """Images scaled to [0, 1] float32, the range the network is trained and served on."""
        return self.images.astype(np.float32) / 255.0


@dataclass(frozen=True)
class Mnist:
    train: Split
    validation: Split
    test: Split
    source: str  # the directory read, or "keras download"
    sha256: dict[str, str]  # file name -> sha256 of its uncompressed bytes


def read_idx(path: Path, magic: int, count: int | None = None) -> tuple[np.ndarray, str]:
    """Read one gzipped IDX file; return its array and the sha256 of the uncompressed bytes."""
    if not path.is_file():
        raise MnistFileError(path, "file not found (expected one of the four canonical MNIST .gz files)")
    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise MnistFileError(path, f"not a readable gzip file ({exc})") from exc

    ndim = 3 if magic == IMAGE_MAGIC else 1
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise MnistFileError(path, f"truncated: {len(raw)} bytes, shorter than the {header_size}-byte IDX header")
    found_magic = struct.unpack(">i", raw[:4])[0]
    if found_magic != magic:
        raise MnistFileError(path, f"magic number {found_magic}, expected {magic}")
    dims = struct.unpack(f">{ndim}i", raw[4:header_size])
    if ndim == 3 and dims[1:] != (ROWS, COLS):
        raise MnistFileError(path, f"images are {dims[1]}x{dims[2]}, expected {ROWS}x{COLS}")
    if count is not None and dims[0] != count:
        raise MnistFileError(path, f"holds {dims[0]} items, expected {count}")
    expected_bytes = int(np.prod(dims))
    payload = len(raw) - header_size
    if payload != expected_bytes:
        raise MnistFileError(path, f"truncated or padded: {payload} data bytes, expected {expected_bytes}")
    array = np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(dims)
    return array, hashlib.sha256(raw).hexdigest()


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path | None:
    """An explicit directory wins, then `MNIST_DIR`; None means 'use the Keras download'."""
    chosen = data_dir if data_dir is not None else os.environ.get("MNIST_DIR") or None
    return Path(chosen).expanduser() if chosen is not None else None


def load_mnist(data_dir: str | os.PathLike | None = None, *, validation_size: int = VALIDATION_SIZE) -> Mnist:
    """Load, check and split MNIST from `data_dir`, `$MNIST_DIR` or (neither given) the Keras download."""
    directory = resolve_data_dir(data_dir)
    if directory is None:
        return _load_from_keras(validation_size)
    if not directory.is_dir():
        raise MnistFileError(
            directory, "MNIST directory not found (set MNIST_DIR or --data-dir to a folder of the four .gz files)"
        )

    arrays: dict[str, np.ndarray] = {}
    hashes: dict[str, str] = {}
    for name, (magic, count) in FILES.items():
        arrays[name], hashes[name] = read_idx(directory / name, magic, count)

    train_images = arrays["train-images-idx3-ubyte.gz"]
    train_labels = arrays["train-labels-idx1-ubyte.gz"]
    test = Split(arrays["t10k-images-idx3-ubyte.gz"], arrays["t10k-labels-idx1-ubyte.gz"])
    _check_labels(directory / "train-labels-idx1-ubyte.gz", train_labels)
    _check_labels(directory / "t10k-labels-idx1-ubyte.gz", test.labels)
    return Mnist(*_split(train_images, train_labels, validation_size), test, str(directory), hashes)


def load_test_set(data_dir: str | os.PathLike | None = None) -> Split:
    """Just the 10,000 test images, for evaluation and benchmarks."""
    return load_mnist(data_dir).test


def _check_labels(path: Path, labels: np.ndarray) -> None:
    if labels.size and labels.max() > 9:
        raise MnistFileError(path, f"label {int(labels.max())} found, expected digits 0-9")


def _split(images: np.ndarray, labels: np.ndarray, validation_size: int) -> tuple[Split, Split]:
    validation = Split(images[:validation_size], labels[:validation_size])
    train = Split(images[validation_size:], labels[validation_size:])
    return train, validation


def _load_from_keras(validation_size: int) -> Mnist:
    import keras  # deferred: importing TensorFlow costs seconds

    try:
        (train_images, train_labels), (test_images, test_labels) = keras.datasets.mnist.load_data()
    except Exception as exc:  # Keras reports a failed download as a bare Exception ("URL fetch failure ...")
        raise MnistError(
            f"MNIST_DIR is not set and MNIST could not be downloaded ({exc}); set MNIST_DIR (or --data-dir) "
            f"to a folder holding {', '.join(FILES)}"
        ) from exc
    hashes = {
        "train-images": hashlib.sha256(train_images.tobytes()).hexdigest(),
        "train-labels": hashlib.sha256(train_labels.tobytes()).hexdigest(),
        "test-images": hashlib.sha256(test_images.tobytes()).hexdigest(),
        "test-labels": hashlib.sha256(test_labels.tobytes()).hexdigest(),
    }
    train, validation = _split(train_images, train_labels, validation_size)
    return Mnist(train, validation, Split(test_images, test_labels), "keras download", hashes)
