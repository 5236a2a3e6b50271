"""ONNX files in canonical form: what tf2onnx varies from run to run (names, order, which output gets
an Identity copy, an empty domain written or not) gives one set of bytes, and the model computes the same."""

from __future__ import annotations

import random

import numpy as np
import onnx
import onnxruntime
import pytest

from model import artifacts
from model.onnx_canonical import _used_names, canonicalize


def scrambled(model: onnx.ModelProto, seed: int) -> onnx.ModelProto:
    """The same computation as tf2onnx might write it another time: nodes shuffled, internal names
    renamed, and in subgraphs the Identity copy moved to the other output that carries the same tensor."""
    rng = random.Random(seed)
    copy = onnx.ModelProto()
    copy.CopyFrom(model)

    def scramble(graph: onnx.GraphProto, public: set[str]) -> None:
        renamed = {}
        for node in graph.node:
            for name in node.output:
                if name not in public:
                    renamed[name] = f"tmp{rng.randrange(10**9)}_{name}"
        for init in graph.initializer:
            renamed[init.name] = f"w{rng.randrange(10**9)}"
            init.name = renamed[init.name]
        for node in graph.node:
            node.input[:] = [renamed.get(name, name) for name in node.input]
            node.output[:] = [renamed.get(name, name) for name in node.output]
            node.name = f"node{rng.randrange(10**9)}"
            if not node.domain and rng.random() < 0.5:
                node.domain = ""  # present but empty, as tf2onnx writes it on some runs
            for attribute in node.attribute:
                if attribute.type == onnx.AttributeProto.GRAPH:
                    _rename_outer(attribute.g, renamed)
                    scramble(attribute.g, set())
        for value in graph.output:
            value.name = renamed.get(value.name, value.name)
        nodes = random_topological_order(graph, rng)
        del graph.node[:]
        graph.node.extend(nodes)
        if not public:  # a subgraph: swap the outputs that carry the same tensor
            producers = {out: node for node in graph.node for out in node.output}
            for index, value in enumerate(graph.output):
                node = producers.get(value.name)
                if node is not None and node.op_type == "Identity":
                    twin = next(i for i, v in enumerate(graph.output) if v.name == node.input[0])
                    graph.output[index].name, graph.output[twin].name = node.input[0], value.name

    scramble(copy.graph, {value.name for value in (*copy.graph.input, *copy.graph.output)})
    return copy


def random_topological_order(graph: onnx.GraphProto, rng: random.Random) -> list[onnx.NodeProto]:
    """Nodes in another order that ONNX Runtime still accepts (each after what it reads)."""
    produced = {out for node in graph.node for out in node.output}
    remaining, ordered, available = list(graph.node), [], set()
    while remaining:
        ready = [node for node in remaining if all(n in available or n not in produced for n in _used_names(node))]
        node = rng.choice(ready)
        remaining.remove(node)
        ordered.append(node)
        available.update(node.output)
    return ordered


def _rename_outer(graph: onnx.GraphProto, renamed: dict[str, str]) -> None:
    for node in graph.node:
        node.input[:] = [renamed.get(name, name) for name in node.input]


@pytest.mark.parametrize("name", ["lstm", "gru", "cnn"])
def test_scrambled_exports_canonicalize_to_the_committed_bytes(name):
    committed = (artifacts.ARTIFACTS_DIR / name / artifacts.ONNX_FILE).read_bytes()
    model = onnx.load_from_string(committed)
    assert canonicalize(onnx.load_from_string(committed)).SerializeToString() == committed  # committed files are canonical
    rows = np.random.default_rng(0).random((3, 28, 28), dtype=np.float32)
    expected = onnxruntime.InferenceSession(committed).run(None, {"rows": rows})[0]
    for seed in range(3):
        variant = scrambled(model, seed)
        assert variant.SerializeToString() != committed
        answer = onnxruntime.InferenceSession(variant.SerializeToString()).run(None, {"rows": rows})[0]
        np.testing.assert_array_equal(answer, expected)
        assert canonicalize(variant).SerializeToString() == committed
