"""The row-by-row recurrent network from the teaching notebook, in Keras.

A 28x28 digit is read as 28 time steps of 28 pixels (one row per step):

    input [N, 28, 28]
      -> Dense(128) input projection, applied to every row       3,712 parameters
      -> LSTM(128), forget-gate bias starting at 1.0            131,584 parameters
      -> Dense(10) logits, read from the last step                1,290 parameters
                                                        total   136,586 parameters

The LSTM returns its output at every step; the classifier model takes the last step only,
and `per_row_model` puts the same Dense head on every step, so the very same weights tell
what the network would answer after reading 1, 2, ... 28 rows (the UI animates this).
The step-28 answer of the per-row model is exactly the classifier's answer.

Keras's LSTM with its default activations runs on cuDNN when a GPU is present and on
the CPU otherwise; nothing here chooses the device.
"""

from __future__ import annotations

import keras

ROWS = COLS = 28
CLASSES = 10
PROJECTION_UNITS = 128
RNN_UNITS = 128

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
    logits = keras.layers.Dense(CLASSES, name=LOGITS)(LastStep(name=LAST_STEP)(sequence))
    return keras.Model(rows, logits, name="rowscan_lstm")


def per_row_model(model: keras.Model) -> keras.Model:
    """The same weights, answering after every row: [N, 28, 28] -> logits [N, 28, 10]."""
    sequence = model.get_layer(RNN).output
    return keras.Model(model.input, model.get_layer(LOGITS)(sequence), name=f"{model.name}_per_row")
