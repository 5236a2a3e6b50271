"""The row-by-row GRU as an ONNX graph around ONNX's fused GRU op, built from the Keras weights.

tf2onnx fuses Keras 3's LSTM into one ONNX `LSTM` op but leaves its GRU as a `Loop` of a dozen
small ops per row, which ONNX Runtime runs about 4x slower than the LSTM. The network is small and
fixed (model.network.build_gru), so its ONNX form is written out here directly:

    rows [N, 28, 28] -> MatMul + Add (the Dense projection) -> Transpose to [28, N, 128]
      -> GRU (linear_before_reset=1: Keras's reset_after=True) -> [28, 1, N, 150]
      -> Squeeze, Transpose to [N, 28, 150] -> MatMul + Add (the Dense head) -> Softmax -> steps [N, 28, 10]

Gate order is the same in both (update z, reset r, candidate h): ONNX's W and R are Keras's kernels
transposed, and its B is Keras's input bias followed by its recurrent bias.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from model.network import LOGITS, PROJECTION, RNN


def is_gru(keras_model) -> bool:
    return any(layer.name == RNN and type(layer).__name__ == "GRU" for layer in keras_model.layers)


def gru_per_row_onnx(keras_model, input_name: str, output_name: str, opset: int) -> onnx.ModelProto:
    """[N, 28, 28] float32 rows -> softmax answers after every row [N, 28, 10], with the model's own weights."""
    projection, rnn, head = (keras_model.get_layer(name) for name in (PROJECTION, RNN, LOGITS))
    cell = rnn.cell
    expected = (projection.activation.__name__, head.activation.__name__, cell.activation.__name__)
    if expected != ("linear", "linear", "tanh") or cell.recurrent_activation.__name__ != "sigmoid" or not cell.reset_after:
        raise ValueError(f"not the GRU this export is written for (activations {expected}, reset_after={cell.reset_after})")
    kernel, recurrent, bias = (np.asarray(weight, np.float32) for weight in (cell.kernel, cell.recurrent_kernel, cell.bias))
    steps, side = keras_model.input_shape[1:]
    initializers = {
        "projection_kernel": np.asarray(projection.kernel, np.float32),
        "projection_bias": np.asarray(projection.bias, np.float32),
        "gru_W": kernel.T[None],  # [1, 3 units, projection]
        "gru_R": recurrent.T[None],  # [1, 3 units, units]
        "gru_B": bias.reshape(1, -1),  # [1, 6 units]: input bias, then recurrent bias
        "head_kernel": np.asarray(head.kernel, np.float32),
        "head_bias": np.asarray(head.bias, np.float32),
        "direction_axis": np.array([1], np.int64),
    }
    nodes = [
        helper.make_node("MatMul", [input_name, "projection_kernel"], ["projected_raw"]),
        helper.make_node("Add", ["projected_raw", "projection_bias"], ["projected"]),
        helper.make_node("Transpose", ["projected"], ["sequence"], perm=[1, 0, 2]),
        helper.make_node(
            "GRU", ["sequence", "gru_W", "gru_R", "gru_B"], ["states"], hidden_size=cell.units, linear_before_reset=1
        ),
        helper.make_node("Squeeze", ["states", "direction_axis"], ["states_time_major"]),
        helper.make_node("Transpose", ["states_time_major"], ["states_batch_major"], perm=[1, 0, 2]),
        helper.make_node("MatMul", ["states_batch_major", "head_kernel"], ["logits_raw"]),
        helper.make_node("Add", ["logits_raw", "head_bias"], ["logits"]),
        helper.make_node("Softmax", ["logits"], [output_name], axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        "rowscan_gru_per_row",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["N", steps, side])],
        [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, ["N", steps, head.units])],
        [numpy_helper.from_array(value, name) for name, value in initializers.items()],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="rowscan")
    onnx.checker.check_model(proto)
    return proto
