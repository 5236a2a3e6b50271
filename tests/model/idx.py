"""Write small IDX files, the way the MNIST files are made, for the loader's tests."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from model.data import FILES, IMAGE_MAGIC


def write_idx(path: Path, magic: int, array: np.ndarray, *, dims: tuple[int, ...] | None = None, cut: int = 0) -> None:
    dims = dims if dims is not None else array.shape
    raw = struct.pack(">i", magic) + struct.pack(f">{len(dims)}i", *dims) + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw[: len(raw) - cut] if cut else raw))


def write_mnist(folder: Path) -> None:
    """The four canonical files at full size (the loader checks counts): random images, label i % 10."""
    rng = np.random.default_rng(0)
    for name, (magic, count) in FILES.items():
        if magic == IMAGE_MAGIC:
            write_idx(folder / name, magic, rng.integers(0, 256, (count, 28, 28)))
        else:
            write_idx(folder / name, magic, np.arange(count) % 10)
