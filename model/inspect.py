"""Inside the recurrent layer: its memory and gates after every row, computed in NumPy from the
model's own weights, and which rows decided the answer.

Why NumPy and not Keras: the server may run on ONNX Runtime and never import TensorFlow (seconds
to import, hundreds of MB), and the fused LSTM op of either runtime does not expose its gates. The
weights are read straight from the `.keras` file (a zip holding `config.json` and
`model.weights.h5`), so any saved version works, shipped or fine-tuned. The equations are Keras 3's:

    LSTM (kernel columns in the order i, f, c, o):
        i = sigmoid(x Wi + h Ui + bi)   input gate: how much of the new candidate to write
        f = sigmoid(x Wf + h Uf + bf)   forget gate: how much of the memory to keep
        g = tanh(x Wc + h Uc + bc)      candidate: what could be written
        o = sigmoid(x Wo + h Uo + bo)   output gate: how much of the memory to show
        c' = f c + i g;  h' = o tanh(c')
    GRU (columns z, r, h; with reset_after, Keras's default, the bias has an input and a recurrent row):
        z = sigmoid(x Wz + bz + h Uz + bz')          update gate: how much of the old state to keep
        r = sigmoid(x Wr + br + h Ur + br')          reset gate: how much of the old state the candidate sees
        g = tanh(x Wh + bh + r (h Uh + bh'))         candidate (reset_after=False: tanh(x Wh + bh + (r h) Uh))
        h' = z h + (1 - z) g

Only the row-by-row networks of `model.network` are read (input -> Dense projection -> LSTM or GRU
-> last step -> Dense logits); anything else is refused with a message naming the file.
"""

from __future__ import annotations

import functools
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.artifacts import ArtifactError

LSTM_GATES = ("input", "forget", "output", "candidate")
GRU_GATES = ("update", "reset", "candidate")
_LAYOUT = ("InputLayer", "Dense", "LSTM|GRU", "LastStep", "Dense")  # model.network's recurrent models


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -x))  # 1 / (1 + e^-x) without overflow warnings


_ACTIVATIONS = {"linear": lambda x: x, "tanh": np.tanh, "sigmoid": _sigmoid, "relu": lambda x: np.maximum(x, 0.0)}


@dataclass(frozen=True)
class Dense:
    kernel: np.ndarray  # [in, out]
    bias: np.ndarray  # [out]
    activation: str

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return _ACTIVATIONS[self.activation](x @ self.kernel + self.bias)


@dataclass(frozen=True)
class Insides:
    """What the recurrent layer did with a batch of digits, row by row."""

    hidden: np.ndarray  # [N, 28, H] the state after each row (what the head reads)
    cell: np.ndarray | None  # [N, 28, H] the LSTM's memory after each row; None for a GRU
    gates: dict[str, np.ndarray]  # gate name -> [N, 28, H] activations while reading each row
    steps: np.ndarray  # [N, 29, 10] the answer before any row (softmax of the head's bias), then after rows 1..28

    @property
    def probabilities(self) -> np.ndarray:
        """[N, 10] the final answer (after row 28)."""
        return self.steps[:, -1]


@dataclass(frozen=True)
class RecurrentInspector:
    """A row-by-row network's weights as NumPy arrays, and the recurrence run on them step by step."""

    kind: str  # "lstm" or "gru"
    projection: Dense
    kernel: np.ndarray  # [P, G*H] input weights of the gates
    recurrent_kernel: np.ndarray  # [H, G*H]
    bias: np.ndarray  # [G*H], or [2, G*H] for a GRU with reset_after (input row, recurrent row)
    activation: str
    recurrent_activation: str
    reset_after: bool
    head: Dense

    @property
    def units(self) -> int:
        return self.recurrent_kernel.shape[0]

    @property
    def gate_names(self) -> tuple[str, ...]:
        return LSTM_GATES if self.kind == "lstm" else GRU_GATES

    def run(self, rows: np.ndarray) -> Insides:
        """Hidden state, cell state and gates after each of the 28 rows, for float [N, 28, 28] digits."""
        with _blas().limit(limits=1, user_api="blas"):
            return self._run(rows)

    def _run(self, rows: np.ndarray) -> Insides:
        x = self.projection(np.asarray(rows, np.float64))  # [N, 28, P]
        inputs = x @ self.kernel + (self.bias[0] if self.bias.ndim == 2 else self.bias)  # [N, 28, G*H]
        step = self._lstm_step if self.kind == "lstm" else self._gru_step
        state = np.zeros((len(rows), self.units)), np.zeros((len(rows), self.units))
        trace: list[tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]] = []
        for t in range(inputs.shape[1]):
            state, gates = step(inputs[:, t], *state)
            trace.append((state[0], state[1], gates))
        hidden = np.stack([h for h, _, _ in trace], axis=1)
        cell = np.stack([c for _, c, _ in trace], axis=1) if self.kind == "lstm" else None
        gates = {name: np.stack([g[k] for _, _, g in trace], axis=1) for k, name in enumerate(self.gate_names)}
        logits = self.head(np.concatenate([np.zeros((len(rows), 1, self.units)), hidden], axis=1))
        return Insides(hidden, cell, gates, _softmax(logits))

    def _lstm_step(self, projected: np.ndarray, h: np.ndarray, c: np.ndarray):
        act, gate = _ACTIVATIONS[self.activation], _ACTIVATIONS[self.recurrent_activation]
        z_i, z_f, z_c, z_o = np.split(projected + h @ self.recurrent_kernel, 4, axis=-1)
        i, f, g, o = gate(z_i), gate(z_f), act(z_c), gate(z_o)
        c = f * c + i * g
        h = o * act(c)
        return (h, c), (i, f, o, g)

    def _gru_step(self, projected: np.ndarray, h: np.ndarray, _unused: np.ndarray):
        act, gate = _ACTIVATIONS[self.activation], _ACTIVATIONS[self.recurrent_activation]
        x_z, x_r, x_h = np.split(projected, 3, axis=-1)
        u_z, u_r, u_h = np.split(self.recurrent_kernel, 3, axis=-1)
        if self.reset_after:
            r_z, r_r, r_h = np.split(h @ self.recurrent_kernel + self.bias[1], 3, axis=-1)
            z, r = gate(x_z + r_z), gate(x_r + r_r)
            g = act(x_h + r * r_h)
        else:
            z, r = gate(x_z + h @ u_z), gate(x_r + h @ u_r)
            g = act(x_h + (r * h) @ u_h)
        h = z * h + (1.0 - z) * g
        return (h, _unused), (z, r, g)


@functools.cache
def _blas():
    """One BLAS thread for these small products: OpenBLAS's threads only fight over them (on a busy
    2-core machine a digit took 65 ms with its default threads, 1.2 ms with one)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _snake_case(name: str) -> str:
    """Keras 3's name for a layer's group in `model.weights.h5` (keras.src.utils.naming.to_snake_case)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", name))
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _weight_groups(layers: list[dict]) -> list[str]:
    """The h5 group of each layer: its class in snake case, `_1`, `_2`... for repeats, in model order."""
    used: dict[str, int] = {}
    groups = []
    for layer in layers:
        name = _snake_case(layer["class_name"])
        used[name] = used.get(name, -1) + 1
        groups.append(f"layers/{name}" if used[name] == 0 else f"layers/{name}_{used[name]}")
    return groups


def _arrays(weights, group: str) -> list[np.ndarray]:
    variables = weights[group]["cell/vars" if "cell" in weights[group] else "vars"]
    return [np.asarray(variables[str(k)], np.float64) for k in range(len(variables))]


def load(path: Path) -> RecurrentInspector:
    """Read a row-by-row network's weights from its `.keras` file (no Keras, no TensorFlow)."""
    import h5py

    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
            weights_file = io.BytesIO(archive.read("model.weights.h5"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ArtifactError(path, f"cannot read the Keras file ({type(exc).__name__}: {exc})") from exc
    layers = config.get("config", {}).get("layers", [])
    projection_config, rnn_config, head_config = _checked_configs(path, layers)
    groups = _weight_groups(layers)
    try:
        with h5py.File(weights_file, "r") as weights:
            projection, (kernel, recurrent_kernel, bias), head = (_arrays(weights, groups[k]) for k in (1, 2, 4))
    except (OSError, KeyError, ValueError) as exc:
        raise ArtifactError(path, f"cannot read the weights ({type(exc).__name__}: {exc})") from exc
    kind, units = layers[2]["class_name"].lower(), rnn_config["units"]
    if recurrent_kernel.shape != (units, len(LSTM_GATES if kind == "lstm" else GRU_GATES) * units):
        raise ArtifactError(path, f"recurrent weights of shape {recurrent_kernel.shape} do not fit {kind.upper()}({units})")
    return RecurrentInspector(
        kind=kind,
        projection=Dense(*projection, projection_config["activation"]),
        kernel=kernel,
        recurrent_kernel=recurrent_kernel,
        bias=bias,
        activation=rnn_config["activation"],
        recurrent_activation=rnn_config["recurrent_activation"],
        reset_after=bool(rnn_config.get("reset_after", False)),
        head=Dense(*head, head_config["activation"]),
    )


def _checked_configs(path: Path, layers: list[dict]) -> tuple[dict, dict, dict]:
    """The projection, recurrent and head layers' configs, if the network is one `run` computes exactly."""
    classes = [str(layer.get("class_name")) for layer in layers]
    if len(classes) != len(_LAYOUT) or not all(re.fullmatch(p, c) for p, c in zip(_LAYOUT, classes, strict=True)):
        raise ArtifactError(path, f"not a row-by-row network ({' -> '.join(classes)}); expected {' -> '.join(_LAYOUT)}")
    projection, rnn, head = (layers[k]["config"] for k in (1, 2, 4))
    if rnn.get("go_backwards") or not rnn.get("use_bias", True):
        raise ArtifactError(
            path, "the recurrent layer reads backwards or has no bias; only forward ones with a bias are inspected"
        )
    unknown = {projection["activation"], head["activation"], rnn["activation"], rnn["recurrent_activation"]} - _ACTIVATIONS.keys()
    if unknown:
        raise ArtifactError(path, f"activation {sorted(unknown)} not supported; known: {sorted(_ACTIVATIONS)}")
    return projection, rnn, head


def row_change(steps: np.ndarray, digit: int) -> np.ndarray:
    """[28]: how much reading each row moved the probability of `digit` (from [29, 10] answers, the first before any row)."""
    return np.diff(steps[:, digit])


def occluded_copies(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One digit [28, 28] -> (copies [K, 28, 28], each with one inked row blanked; which rows [K]).
    Blank rows are skipped: blanking them changes nothing, so their score is exactly 0."""
    inked = np.flatnonzero(rows.any(axis=1))
    copies = np.repeat(rows[None], len(inked), axis=0)
    copies[np.arange(len(inked)), inked] = 0.0
    return copies, inked


def row_occlusion(probability: float, occluded: np.ndarray, inked: np.ndarray, digit: int, height: int = 28) -> np.ndarray:
    """[height]: how much the probability of `digit` drops when each row is blanked (negative: the row argued against it),
    from the answers [K, 10] to `occluded_copies`."""
    scores = np.zeros(height)
    scores[inked] = probability - occluded[:, digit]
    return scores
