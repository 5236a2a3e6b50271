"""Put an exported ONNX model in a canonical form, so that exporting again gives the same bytes.

tf2onnx names what it creates from process-wide counters and visits some nodes in an order that
changes from run to run: two exports of the same model.keras compute the same thing but differ in
names and order, and `rowscan export --onnx` would change the committed files every time. Here the
nodes are put in a topological order whose ties are broken by what the nodes compute (operator,
attributes, inputs), every internal name is replaced by one derived from that order, initializers
follow in order of first use, and doc strings (the converter's names a TensorFlow function counter)
are dropped. The graph's own inputs and outputs keep their names; subgraphs (a GRU's Loop body)
are canonicalized the same way, inside their parent's names.
"""

from __future__ import annotations

import hashlib

from onnx import AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto

GRAPH_ATTRIBUTES = (AttributeProto.GRAPH, AttributeProto.GRAPHS)


def canonicalize(model: ModelProto) -> ModelProto:
    """The same model with canonical names and order (modified in place and returned)."""
    model.ClearField("doc_string")
    outer = {name: name for name in _boundary_names(model.graph)}
    _canonicalize_graph(model.graph, outer, prefix="")
    _rename_symbolic_dimensions(model.graph, {})
    return model


def _rename_symbolic_dimensions(graph: GraphProto, renamed: dict[str, str]) -> None:
    """tf2onnx calls an unknown dimension (the batch size) "unk__<counter>": dim0, dim1... instead."""
    for value in (*graph.input, *graph.output, *graph.value_info):
        for dim in value.type.tensor_type.shape.dim:
            if dim.HasField("dim_param"):
                dim.dim_param = renamed.setdefault(dim.dim_param, f"dim{len(renamed)}")
    for node in graph.node:
        for attribute in node.attribute:
            for subgraph in _subgraphs(attribute):
                _rename_symbolic_dimensions(subgraph, renamed)


def _boundary_names(graph: GraphProto) -> list[str]:
    return [value.name for value in (*graph.input, *graph.output)]


def _content_key(initializer: TensorProto) -> str:
    """What a constant holds (type, shape, values), whatever it is called."""
    unnamed = TensorProto()
    unnamed.CopyFrom(initializer)
    unnamed.name = ""
    return hashlib.sha256(unnamed.SerializeToString(deterministic=True)).hexdigest()


def _used_names(node: NodeProto) -> set[str]:
    """Every tensor a node reads, including those its subgraphs read from outside them."""
    used = set(node.input)
    for attribute in node.attribute:
        for subgraph in _subgraphs(attribute):
            inner = {value.name for value in subgraph.input} | {init.name for init in subgraph.initializer}
            for child in subgraph.node:
                inner |= set(child.output)
            for child in subgraph.node:
                used |= _used_names(child) - inner
    return used - {""}


def _subgraphs(attribute: AttributeProto) -> list[GraphProto]:
    if attribute.type == AttributeProto.GRAPH:
        return [attribute.g]
    return list(attribute.graphs) if attribute.type == AttributeProto.GRAPHS else []


def _attribute_key(node: NodeProto) -> bytes:
    plain = [attribute for attribute in node.attribute if attribute.type not in GRAPH_ATTRIBUTES]
    return b"|".join(attribute.SerializeToString(deterministic=True) for attribute in plain)


def _order_copied_outputs(graph: GraphProto) -> None:
    """Where several outputs of a subgraph carry one tensor, tf2onnx puts the Identity copy it needs on
    either of them, at random: the tensor itself goes first, its copies after (the same values)."""
    producers = {output: node for node in graph.node for output in node.output}

    def depth(name: str) -> int:
        node = producers.get(name)
        return 1 + depth(node.input[0]) if node is not None and node.op_type == "Identity" else 0

    def source(name: str) -> str:
        node = producers.get(name)
        return source(node.input[0]) if node is not None and node.op_type == "Identity" else name

    groups: dict[str, list[int]] = {}
    for index, value in enumerate(graph.output):
        groups.setdefault(source(value.name), []).append(index)
    for indices in (indices for indices in groups.values() if len(indices) > 1):
        ordered = sorted((graph.output[index].name for index in indices), key=depth)
        for index, name in zip(indices, ordered, strict=True):
            graph.output[index].name = name


def _canonicalize_graph(graph: GraphProto, names: dict[str, str], prefix: str) -> None:
    """Reorder and rename `graph`; `names` maps names visible from outside it to their canonical names."""
    names = dict(names)
    keep = {value.name for value in graph.output} if not prefix else set()
    if prefix:
        _order_copied_outputs(graph)
    for index, value in enumerate(graph.input):
        names.setdefault(value.name, f"{prefix}input{index}")
    initializers = {init.name: init for init in graph.initializer}
    keys = {name: f"const:{_content_key(init)}" for name, init in initializers.items()}
    produced = {output for node in graph.node for output in node.output}
    keys.update({name: f"name:{canonical}" for name, canonical in names.items() if name not in produced})

    remaining = list(graph.node)
    ordered: list[NodeProto] = []
    while remaining:
        ready = [node for node in remaining if all(name in keys for name in _used_names(node))]
        if not ready:
            raise ValueError("the ONNX graph has a cycle or reads a tensor nobody produces")
        node = min(ready, key=lambda n: (n.op_type, n.domain, _attribute_key(n), [keys.get(i, "") for i in n.input]))
        remaining.remove(node)
        position = len(ordered)
        ordered.append(node)
        for output_index, output in enumerate(node.output):
            if output and output not in names:
                names[output] = output if output in keep else f"{prefix}n{position}_{node.op_type}_{output_index}"
            keys[output] = f"name:{names.get(output, '')}"

    used_order = [name for node in ordered for name in node.input if name in initializers]
    for index, name in enumerate(dict.fromkeys(used_order)):
        names[name] = f"{prefix}const{index}"
    for name in initializers:  # never read: still renamed, after the rest
        names.setdefault(name, f"{prefix}const_unused_{_content_key(initializers[name])[:12]}")

    for position, node in enumerate(ordered):
        node.name = f"{prefix}n{position}_{node.op_type}"
        node.ClearField("doc_string")
        if not node.domain:  # tf2onnx sets the default domain ("") on some nodes and leaves it unset on others
            node.ClearField("domain")
        node.input[:] = [names.get(name, name) for name in node.input]
        node.output[:] = [names.get(name, name) for name in node.output]
        for attribute in node.attribute:
            for index, subgraph in enumerate(_subgraphs(attribute)):
                _canonicalize_graph(subgraph, names, prefix=f"{prefix}n{position}_{attribute.name}{index}_")
    del graph.node[:]
    graph.node.extend(ordered)

    sorted_initializers = sorted(graph.initializer, key=lambda init: names[init.name])
    for init in sorted_initializers:
        init.name = names[init.name]
    del graph.initializer[:]
    graph.initializer.extend(sorted_initializers)
    for value in (*graph.input, *graph.output):
        value.name = names.get(value.name, value.name)
    value_info = [value for value in graph.value_info if value.name in names]
    for value in value_info:
        value.name = names[value.name]
    del graph.value_info[:]
    graph.value_info.extend(sorted(value_info, key=lambda value: value.name))
    graph.ClearField("doc_string")
    if prefix:
        graph.name = prefix.rstrip("_")
