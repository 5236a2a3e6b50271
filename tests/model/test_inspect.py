"""model.inspect against Keras itself: the NumPy recurrence must be the very computation Keras runs."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from model import artifacts, inspect
from model.artifacts import ArtifactError
from model.network import RNN, LastStep, per_row_model


@pytest.fixture(scope="module")
def digits(mnist_test) -> np.ndarray:
    """200 real MNIST test digits, as the service feeds them."""
    return mnist_test.images[:200].astype(np.float32) / 255.0


def keras_insides(network: keras.Model, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keras's own per-step outputs of the recurrent layer (return_sequences), per-row and final answers."""
    sequence = keras.Model(network.input, network.get_layer(RNN).output)(rows).numpy()
    steps = keras.ops.softmax(per_row_model(network)(rows)).numpy()
    final = keras.ops.softmax(network(rows)).numpy()
    return sequence, steps, final


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_hidden_states_and_answers_equal_keras_on_real_digits(name, digits):
    directory = artifacts.ARTIFACTS_DIR / name
    inspector = inspect.load(directory / artifacts.MODEL_FILE)
    insides = inspector.run(digits)
    sequence, steps, final = keras_insides(artifacts.load_keras_model(directory), digits)

    assert insides.hidden.shape == sequence.shape == (200, 28, inspector.units)
    np.testing.assert_allclose(insides.hidden, sequence, atol=1e-5, rtol=0)
    np.testing.assert_allclose(insides.steps[:, 1:], steps, atol=1e-5, rtol=0)
    np.testing.assert_allclose(insides.probabilities, final, atol=1e-5, rtol=0)
    assert set(insides.gates) == set(inspect.LSTM_GATES if name == "lstm" else inspect.GRU_GATES)
    assert all(gate.shape == sequence.shape for gate in insides.gates.values())


def test_lstm_gates_are_named_for_what_they_do(digits):
    insides = inspect.load(artifacts.ARTIFACTS_DIR / "lstm" / artifacts.MODEL_FILE).run(digits[:20])
    gates, cell = insides.gates, insides.cell
    before = np.concatenate([np.zeros_like(cell[:, :1]), cell[:, :-1]], axis=1)
    np.testing.assert_allclose(cell, gates["forget"] * before + gates["input"] * gates["candidate"], atol=1e-12)
    np.testing.assert_allclose(insides.hidden, gates["output"] * np.tanh(cell), atol=1e-12)
    for name in ("input", "forget", "output"):
        assert 0 <= gates[name].min() and gates[name].max() <= 1
    assert gates["candidate"].min() < 0  # tanh, not a sigmoid gate


def test_gru_update_gate_mixes_old_state_and_candidate(digits):
    insides = inspect.load(artifacts.ARTIFACTS_DIR / "gru" / artifacts.MODEL_FILE).run(digits[:20])
    h, z, g = insides.hidden, insides.gates["update"], insides.gates["candidate"]
    before = np.concatenate([np.zeros_like(h[:, :1]), h[:, :-1]], axis=1)
    np.testing.assert_allclose(h, z * before + (1 - z) * g, atol=1e-12)
    assert insides.cell is None


@pytest.mark.parametrize("reset_after", [True, False])
def test_any_saved_version_is_read_from_its_own_file(tmp_path, digits, reset_after):
    """A differently trained, sized and configured version (as fine-tuning writes): the inspector reads it from its file."""
    keras.utils.set_random_seed(7)
    rows = keras.Input(shape=(28, 28), name="rows")
    projected = keras.layers.Dense(32, name="projection")(rows)
    sequence = keras.layers.GRU(24, return_sequences=True, reset_after=reset_after, name=RNN)(projected)
    logits = keras.layers.Dense(10, name="logits")(LastStep(name="last_step")(sequence))
    network = keras.Model(rows, logits)
    for weight in network.weights:  # biases non-zero too, so every term is exercised
        weight.assign(np.random.default_rng(1).normal(0, 0.3, weight.shape))
    path = tmp_path / "models" / "gru" / "2" / artifacts.MODEL_FILE
    path.parent.mkdir(parents=True)
    network.save(path)

    insides = inspect.load(path).run(digits[:50])
    sequence, steps, final = keras_insides(network, digits[:50])
    np.testing.assert_allclose(insides.hidden, sequence, atol=1e-5, rtol=0)
    np.testing.assert_allclose(insides.probabilities, final, atol=1e-5, rtol=0)


def test_a_network_that_does_not_read_rows_is_refused_by_name():
    path = artifacts.ARTIFACTS_DIR / "cnn" / artifacts.MODEL_FILE
    with pytest.raises(ArtifactError, match="not a row-by-row network") as error:
        inspect.load(path)
    assert str(path) in str(error.value)


def test_a_file_that_is_not_a_keras_archive_is_refused(tmp_path):
    path = tmp_path / artifacts.MODEL_FILE
    path.write_bytes(b"not a zip")
    with pytest.raises(ArtifactError, match="cannot read the Keras file"):
        inspect.load(path)


def test_occlusion_blanks_one_inked_row_per_copy_and_scores_blank_rows_zero(digits):
    digit = digits[0]
    copies, inked = inspect.occluded_copies(digit)
    assert list(inked) == [t for t in range(28) if digit[t].any()]
    for copy, row in zip(copies, inked, strict=True):
        assert not copy[row].any()
        np.testing.assert_array_equal(np.delete(copy, row, axis=0), np.delete(digit, row, axis=0))
    occluded = np.full((len(inked), 10), 0.1)
    occluded[0, 3] = 0.5
    scores = inspect.row_occlusion(0.9, occluded, inked, digit=3)
    assert scores.shape == (28,)
    assert scores[inked[0]] == pytest.approx(0.4) and scores[inked[1]] == pytest.approx(0.8)
    assert not scores[np.setdiff1d(np.arange(28), inked)].any()


def test_row_change_is_the_step_to_step_change_of_one_digit():
    steps = np.zeros((29, 10))
    steps[:, 4] = np.linspace(0.1, 0.94, 29)
    np.testing.assert_allclose(inspect.row_change(steps, 4), np.full(28, 0.03))
    assert not inspect.row_change(steps, 5).any()
