"""The networks, in Keras: the notebook's row-by-row LSTM (shipped), and for comparison a
row-by-row GRU of about the same size and a small CNN of the kind courses use.

LSTM. A 28x28 digit is read as 28 time steps of 28 pixels (one row per step):

    input [N, 28, 28]
      -> Dense(128) input projection, applied to every row       3,712 parameters
      -> LSTM(128), forget-gate bias starting at 1.0            131,584 parameters
      -> Dense(10) logits, read from the last step                1,290 parameters
                                                        total   136,586 parameters

The LSTM returns its output at every step; the classifier model takes the last step only,
and `per_row_model` puts the same Dense head on every step, so the very same weights tell
what the network would answer after reading 1, 2, ... 28 rows (the UI animates this).
The step-28 answer of the per-row model is exactly the classifier's answer.

GRU (131,222 parameters): the same, with GRU(150) in place of LSTM(128), sized to match.
CNN (225,034 parameters): Conv(32, 3x3) -> max-pool -> Conv(64, 3x3) -> max-pool -> Dense(128)
-> dropout -> Dense(10). It sees the whole image at once, so it has no per-row answers.

Keras's LSTM with its default activations runs on cuDNN when a GPU is present and on
the CPU otherwise; nothing here chooses the device.
"""

from __future__ import annotations

import keras

from model.shapes import COLS, DIGITS, ROWS

PROJECTION_UNITS = 128
RNN_UNITS = 128
GRU_UNITS = 150  # 131,222 parameters, close to the LSTM's 136,586

# Layer names the per-row view and the serving code rely on.
PROJECTION = "projection"
RNN = "rnn"
LAST_STEP = "last_step"
LOGITS = "logits"


@keras.saving.register_keras_serializable(package="rowscan")
class LastStep(keras.layers.Layer):
    """[N, T, F] -> [N, F]: the output after the last row (a named layer keeps the graph readable)."""

    def call(self, sequence):
        return sequence[:, -1, :]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


def build_lstm(units: int = RNN_UNITS, projection_units: int = PROJECTION_UNITS) -> keras.Model:
    """The notebook's network: per-row Dense projection -> LSTM -> Dense(10) logits of the last step."""
    rows = keras.Input(shape=(ROWS, COLS), name="rows")
    projected = keras.layers.Dense(projection_units, name=PROJECTION)(rows)
    # unit_forget_bias starts the forget gate's bias at 1.0, Keras's form of the notebook's forget_bias=1.0.
    sequence = keras.layers.LSTM(units, return_sequences=True, unit_forget_bias=True, name=RNN)(projected)
    logits = keras.layers.Dense(DIGITS, name=LOGITS)(LastStep(name=LAST_STEP)(sequence))
    return keras.Model(rows, logits, name="rowscan_lstm")


def build_gru(units: int = GRU_UNITS, projection_units: int = PROJECTION_UNITS) -> keras.Model:
    """The same row-by-row reader with a GRU cell (fewer gates: more units for the same size)."""
    rows = keras.Input(shape=(ROWS, COLS), name="rows")
    projected = keras.layers.Dense(projection_units, name=PROJECTION)(rows)
    sequence = keras.layers.GRU(units, return_sequences=True, name=RNN)(projected)
    logits = keras.layers.Dense(DIGITS, name=LOGITS)(LastStep(name=LAST_STEP)(sequence))
    return keras.Model(rows, logits, name="rowscan_gru")


def build_cnn() -> keras.Model:
    """A small course-style CNN, for comparison: sees the whole image at once."""
    rows = keras.Input(shape=(ROWS, COLS), name="rows")
    x = keras.layers.Reshape((ROWS, COLS, 1), name="image")(rows)
    x = keras.layers.Conv2D(32, 3, activation="relu", name="conv1")(x)
    x = keras.layers.MaxPooling2D(name="pool1")(x)
    x = keras.layers.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = keras.layers.MaxPooling2D(name="pool2")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(128, activation="relu", name="hidden")(x)
    x = keras.layers.Dropout(0.3, name="dropout")(x)
    logits = keras.layers.Dense(DIGITS, name=LOGITS)(x)
    return keras.Model(rows, logits, name="rowscan_cnn")


NETWORKS = {"lstm": build_lstm, "gru": build_gru, "cnn": build_cnn}


def reads_rows(model: keras.Model) -> bool:
    """Recurrent models answer after every row; the CNN does not."""
    return any(layer.name == RNN for layer in model.layers)


def per_row_model(model: keras.Model) -> keras.Model:
    """The same weights, answering after every row: [N, 28, 28] -> logits [N, 28, 10]."""
    sequence = model.get_layer(RNN).output
    return keras.Model(model.input, model.get_layer(LOGITS)(sequence), name=f"{model.name}_per_row")
