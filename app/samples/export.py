"""Samples as files other tools read: MNIST's gzipped IDX, NumPy arrays, Quick, Draw!-style ndjson.

IDX: a zip of `samples-images-idx3-ubyte.gz` and `samples-labels-idx1-ubyte.gz`, laid out byte for byte
like MNIST's files (big-endian magic 0x803 / 0x801, counts, 28x28 uint8 light ink on dark), so any MNIST
loader reads them. NPZ: float32 images as the model saw them, labels, answers, probabilities and client
ids (what `rowscan finetune --from` reads). ndjson: one drawing per line, strokes as [[x...], [y...], [t...]].
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
from collections.abc import Iterator

import numpy as np
import orjson

from app.samples.store import pixels_of
from app.storage import Sample

IDX_IMAGES = "samples-images-idx3-ubyte.gz"
IDX_LABELS = "samples-labels-idx1-ubyte.gz"
FORMATS = {
    "idx": ("application/zip", "samples-idx.zip"),
    "npz": ("application/octet-stream", "samples.npz"),
    "ndjson": ("application/x-ndjson", "samples.ndjson"),
}


def images_uint8(samples: list[Sample]) -> np.ndarray:
    if not samples:
        return np.zeros((0, 28, 28), np.uint8)
    return np.rint(np.stack([pixels_of(s) for s in samples]) * 255).clip(0, 255).astype(np.uint8)


def idx_zip(samples: list[Sample]) -> bytes:
    images = images_uint8(samples)
    labels = np.array([s.label for s in samples], np.uint8)
    image_file = struct.pack(">IIII", 0x803, len(samples), 28, 28) + images.tobytes()
    label_file = struct.pack(">II", 0x801, len(samples)) + labels.tobytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # the members are gzipped already
        archive.writestr(IDX_IMAGES, gzip.compress(image_file, mtime=0))
        archive.writestr(IDX_LABELS, gzip.compress(label_file, mtime=0))
    return buffer.getvalue()


def npz(samples: list[Sample]) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        images=np.stack([pixels_of(s) for s in samples]) if samples else np.zeros((0, 28, 28), np.float32),
        labels=np.array([s.label for s in samples], np.uint8),
        predicted=np.array([s.predicted for s in samples], np.uint8),
        probabilities=np.array([s.probabilities for s in samples], np.float32).reshape(-1, 10),
        ids=np.array([s.id for s in samples], np.int64),
        clients=np.array([s.client_id for s in samples], dtype="U64"),
        models=np.array([f"{s.model}/{s.model_version}" for s in samples], dtype="U100"),
    )
    return buffer.getvalue()


def ndjson_lines(samples: list[Sample]) -> Iterator[bytes]:
    for sample in samples:
        drawing = [[[p[0] for p in stroke], [p[1] for p in stroke], [p[2] for p in stroke]] for stroke in sample.strokes or []]
        yield (
            orjson.dumps(
                {
                    "key_id": str(sample.id),
                    "word": str(sample.label),
                    "recognized": sample.label == sample.predicted,
                    "predicted": sample.predicted,
                    "timestamp": sample.created_at.isoformat(),
                    "client_id": sample.client_id,
                    "model": f"{sample.model}/{sample.model_version}",
                    "drawing": drawing,
                }
            )
            + b"\n"
        )


def render(samples: list[Sample], format: str) -> bytes:
    if format == "idx":
        return idx_zip(samples)
    if format == "npz":
        return npz(samples)
    return b"".join(ndjson_lines(samples))
