#!/usr/bin/env python3
"""Writes ONNX test models that ONNX's textual syntax cannot express.

usage: make_model.py CASE OUT.onnx
       make_model.py --list

Each case is one small function below that builds a ModelProto (and, for the
external-data cases, the data file next to OUT.onnx). Only the cases meant to
be valid models are passed through onnx.checker; the others are deliberately
broken in exactly one way.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
FLOAT = TensorProto.FLOAT


# ---------------------------------------------------------------- helpers

def model(nodes, inputs, outputs, initializers=(), opset=OPSET, name="test",
          extra_opsets=()):
    graph = helper.make_graph(list(nodes), name, list(inputs), list(outputs),
                              initializer=list(initializers))
    opsets = [helper.make_opsetid("", opset)] + list(extra_opsets)
    return helper.make_model(graph, opset_imports=opsets, ir_version=8,
                             producer_name="cnnc-lit")


def tensor_info(name, shape, elem_type=FLOAT):
    return helper.make_tensor_value_info(name, elem_type, shape)


def raw_tensor(name, array):
    """An initializer holding `array` in raw_data (what exporters write)."""
    return numpy_helper.from_array(np.ascontiguousarray(array), name)


def raw_tensor_with(name, dims, raw, data_type=FLOAT):
    """An initializer with the given dims and raw bytes, consistent or not."""
    t = TensorProto(name=name, data_type=data_type, dims=list(dims))
    t.raw_data = raw
    return t


def external_tensor(name, dims, location, offset, length, data_type=FLOAT):
    """An initializer whose data lives in `location`, relative to the model."""
    t = TensorProto(name=name, data_type=data_type, dims=list(dims))
    t.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset)),
                       ("length", str(length))):
        entry = t.external_data.add()
        entry.key = key
        entry.value = value
    return t


def conv_model(weight, bias=None, conv_name="conv"):
    """x f32[1,1,4,4] -> Conv 3x3 (2 output channels, pads 1) -> y."""
    inputs = ["x", weight.name] + ([bias.name] if bias is not None else [])
    conv = helper.make_node("Conv", inputs, ["y"], name=conv_name,
                            kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    inits = [weight] + ([bias] if bias is not None else [])
    return model([conv], [tensor_info("x", [1, 1, 4, 4])],
                 [tensor_info("y", [1, 2, 4, 4])], inits)


def conv_weight_values():
    """18 values, more than the printer inlines, so they go to a blob."""
    return (np.arange(18, dtype=np.float32) * 0.5 - 4).reshape(2, 1, 3, 3)


def checked(m):
    onnx.checker.check_model(m)
    return m


def write(m, out):
    # Not onnx.save, which could move or rewrite external data.
    with open(out, "wb") as f:
        f.write(m.SerializeToString())


def data_file(out, suffix):
    """A data file name unique to OUT, so parallel tests never share one."""
    return os.path.basename(out) + suffix


# ---------------------------------------------------------------- valid cases

def case_same_shape_convs(out):
    """x f32[1,32,16,16] -> four 3x3 convolutions of the same shape, each
    with its own seeded weights: the first three followed by Relu."""
    rng = np.random.default_rng(5)
    nodes, inits, previous = [], [], "x"
    for i in range(4):
        w = raw_tensor("w%d" % i, rng.uniform(-0.1, 0.1, (32, 32, 3, 3))
                       .astype(np.float32))
        b = raw_tensor("b%d" % i, rng.uniform(-1, 1, 32).astype(np.float32))
        inits += [w, b]
        conv_out = "y" if i == 3 else "c%d" % i
        nodes.append(helper.make_node("Conv", [previous, w.name, b.name],
                                      [conv_out], name="conv%d" % i,
                                      kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
        if i < 3:
            previous = "r%d" % i
            nodes.append(helper.make_node("Relu", [conv_out], [previous],
                                          name="relu%d" % i))
    return checked(model(nodes, [tensor_info("x", [1, 32, 16, 16])],
                         [tensor_info("y", [1, 32, 16, 16])], inits))


def case_raw_data(out):
    w = raw_tensor("w", conv_weight_values())
    b = raw_tensor("b", np.array([0.25, -1.5], dtype=np.float32))
    return checked(conv_model(w, b))


def case_float_data(out):
    values = conv_weight_values()
    w = helper.make_tensor("w", FLOAT, values.shape, values.flatten().tolist())
    b = helper.make_tensor("b", FLOAT, [2], [0.25, -1.5])
    assert not w.HasField("raw_data") and len(w.float_data) == 18
    return checked(conv_model(w, b))


def case_int64_data(out):
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [3, -1])
    assert not shape.HasField("raw_data") and len(shape.int64_data) == 2
    reshape = helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")
    return checked(model([reshape], [tensor_info("x", [1, 2, 3, 4])],
                         [tensor_info("y", [3, 8])], [shape]))


def case_external_data(out):
    # One data file holding both tensors, each at a non-zero offset after
    # some filler bytes, so offset and length must both be honoured.
    location = data_file(out, ".weights")
    w = conv_weight_values().tobytes()
    b = np.array([0.25, -1.5], dtype=np.float32).tobytes()
    filler = b"\xee" * 16
    blob = filler + w + filler + b + filler
    with open(os.path.join(os.path.dirname(out) or ".", location), "wb") as f:
        f.write(blob)
    wt = external_tensor("w", [2, 1, 3, 3], location, 16, len(w))
    bt = external_tensor("b", [2], location, 16 + len(w) + 16, len(b))
    write(conv_model(wt, bt), out)
    # Checked by path: the checker finds external data next to the model.
    onnx.checker.check_model(out)
    return None


def case_input_is_initializer(out):
    # ONNX before IR 4 listed every initializer as a graph input too; such an
    # input has a default value and must become a constant.
    m = conv_model(raw_tensor("w", conv_weight_values()),
                   raw_tensor("b", np.array([0.25, -1.5], dtype=np.float32)))
    m.graph.input.extend([tensor_info("w", [2, 1, 3, 3]),
                          tensor_info("b", [2])])
    return checked(m)


def case_named_nodes(out):
    w = raw_tensor("w", conv_weight_values())
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="layer1.0/conv1",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="layer1.0/relu"),
        # No name: the node is known by its first output.
        helper.make_node("Sigmoid", ["r"], ["y"]),
    ]
    return checked(model(nodes, [tensor_info("x", [1, 1, 4, 4])],
                         [tensor_info("y", [1, 2, 4, 4])], [w]))


def case_symbolic_dims(out):
    relu = helper.make_node("Relu", ["x"], ["y"], name="relu")
    return checked(model([relu], [tensor_info("x", ["N", 3, "H", "W"])],
                         [tensor_info("y", ["N", 3, "H", "W"])]))


# ---------------------------------------------------------------- broken cases

def case_external_missing(out):
    location = data_file(out, ".absent")
    path = os.path.join(os.path.dirname(out) or ".", location)
    if os.path.exists(path):
        os.remove(path)
    return conv_model(external_tensor("w", [2, 1, 3, 3], location, 0, 72))


def case_external_short(out):
    location = data_file(out, ".short")
    with open(os.path.join(os.path.dirname(out) or ".", location), "wb") as f:
        f.write(conv_weight_values().tobytes()[:40])
    return conv_model(external_tensor("w", [2, 1, 3, 3], location, 0, 72))


def case_external_escape(out):
    return conv_model(
        external_tensor("w", [2, 1, 3, 3], "../../etc/passwd", 0, 72))


def case_external_symlink_escape(out):
    # A location inside the folder that is a symbolic link to a file outside.
    location = data_file(out, ".link")
    path = os.path.join(os.path.dirname(out) or ".", location)
    if os.path.lexists(path):
        os.remove(path)
    os.symlink("/etc/passwd", path)
    return conv_model(external_tensor("w", [2, 1, 3, 3], location, 0, 72))


def case_external_bad_offset(out):
    location = data_file(out, ".weights")
    with open(os.path.join(os.path.dirname(out) or ".", location), "wb") as f:
        f.write(conv_weight_values().tobytes())
    return conv_model(external_tensor("w", [2, 1, 3, 3], location, "0abc", 72))


def case_external_dotted_name(out):
    # A file whose name merely starts with ".." is inside the folder: valid.
    location = ".." + data_file(out, ".weights")
    with open(os.path.join(os.path.dirname(out) or ".", location), "wb") as f:
        f.write(conv_weight_values().tobytes())
    return conv_model(external_tensor("w", [2, 1, 3, 3], location, 0, 72))


def case_split_no_outputs(out):
    split = helper.make_node("Split", ["x"], [], name="split", axis=1)
    relu = helper.make_node("Relu", ["x"], ["y"], name="relu")
    return model([split, relu], [tensor_info("x", [1, 4])], [tensor_info("y", [1, 4])])


def case_add_one_operand(out):
    # A shape computation with a missing operand: must be reported, not folded.
    c = numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "c")
    add = helper.make_node("Add", ["c"], ["s"], name="add")
    reshape = helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape")
    return model([add, reshape], [tensor_info("x", [1, 2])],
                 [tensor_info("y", [1, 2])], initializers=[c])


def case_duplicate_input(out):
    relu = helper.make_node("Relu", ["x"], ["y"], name="relu")
    return model([relu], [tensor_info("x", [1, 4]), tensor_info("x", [1, 4])],
                 [tensor_info("y", [1, 4])])


def case_dropout_training(out):
    ratio = numpy_helper.from_array(np.array(0.5, dtype=np.float32), "ratio")
    training = numpy_helper.from_array(np.array(True), "training")
    drop = helper.make_node("Dropout", ["x", "ratio", "training"], ["y"], name="drop")
    return model([drop], [tensor_info("x", [1, 4])], [tensor_info("y", [1, 4])],
                 initializers=[ratio, training])


def case_cast_bad_to(out):
    cast = helper.make_node("Cast", ["x"], ["y"], name="cast", to=2**32 + 1)
    return model([cast], [tensor_info("x", [1, 4])], [tensor_info("y", [1, 4])])


def case_softmax_name_clash(out):
    # The importer rewrites an opset-11 Softmax on axis 1 of a rank-3 input
    # through intermediate values named after the node ("sm/flattened", ...);
    # a real model tensor of that name must not be confused with them.
    other = helper.make_node("Relu", ["z"], ["sm/flattened"], name="relu")
    sm = helper.make_node("Softmax", ["x"], ["y"], name="sm", axis=1)
    return model([other, sm], [tensor_info("x", [2, 3, 4]), tensor_info("z", [5])],
                 [tensor_info("y", [2, 3, 4]), tensor_info("sm/flattened", [5])],
                 opset=11)


def case_attribute_wrong_type(out):
    # Softmax-11's axis given as a float: the model's error, not a silent 0.
    sm = helper.make_node("Softmax", ["x"], ["y"], name="sm")
    sm.attribute.append(helper.make_attribute("axis", 1.0))
    return model([sm], [tensor_info("x", [2, 3, 4])], [tensor_info("y", [2, 3, 4])],
                 opset=11)


def case_wrong_initializer_size(out):
    # 2x1x3x3 f32 needs 72 bytes; give 40.
    raw = conv_weight_values().tobytes()[:40]
    return conv_model(raw_tensor_with("w", [2, 1, 3, 3], raw))


def case_wrong_float_data_count(out):
    # The typed field holds 10 of the 18 values the dims promise.
    w = TensorProto(name="w", data_type=FLOAT, dims=[2, 1, 3, 3])
    w.float_data.extend(conv_weight_values().flatten()[:10].tolist())
    return conv_model(w)


def case_negative_dim(out):
    return conv_model(raw_tensor_with("w", [2, -1, 3, 3], b""))


def case_huge_dim(out):
    # 10^12 elements (4 TB of f32): must be refused before any allocation.
    relu = helper.make_node("Relu", ["x"], ["y"], name="relu")
    return model([relu], [tensor_info("x", [1000000, 1000000])],
                 [tensor_info("y", [1000000, 1000000])])


def case_huge_initializer(out):
    return conv_model(raw_tensor_with("w", [1000000, 1000000], b"\0" * 8))


def case_cycle(out):
    nodes = [
        helper.make_node("Add", ["x", "b"], ["a"], name="add"),
        helper.make_node("Relu", ["a"], ["b"], name="relu"),
    ]
    return model(nodes, [tensor_info("x", [1, 4])], [tensor_info("b", [1, 4])])


def case_undefined_input(out):
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Add", ["r", "ghost"], ["y"], name="add"),
    ]
    return model(nodes, [tensor_info("x", [1, 4])], [tensor_info("y", [1, 4])])


def case_unsupported_ops(out):
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("NonMaxSuppression", ["boxes", "scores"], ["sel"],
                         name="nms"),
        helper.make_node("FusedConv", ["r", "w"], ["f"], name="fused_conv",
                         domain="com.microsoft", activation="Relu"),
        helper.make_node("Hardmax", ["f"], ["y"], name="head/hardmax"),
    ]
    inputs = [tensor_info("x", [1, 1, 4, 4]), tensor_info("w", [2, 1, 3, 3]),
              tensor_info("boxes", [1, 10, 4]),
              tensor_info("scores", [1, 1, 10])]
    outputs = [tensor_info("y", [1, 2, 2, 2]),
               tensor_info("sel", [None, 3], TensorProto.INT64)]
    return model(nodes, inputs, outputs,
                 extra_opsets=[helper.make_opsetid("com.microsoft", 1)])


def case_opset_too_new(out):
    relu = helper.make_node("Relu", ["x"], ["y"], name="relu")
    return model([relu], [tensor_info("x", [1, 4])],
                 [tensor_info("y", [1, 4])], opset=19)


def case_opset_too_old(out):
    relu = helper.make_node("Relu", ["x"], ["y"], name="relu")
    return model([relu], [tensor_info("x", [1, 4])],
                 [tensor_info("y", [1, 4])], opset=5)


def case_opset6_legacy_broadcast(out):
    # Opset 6 (the ONNX backend suite's PyTorch-converted models): Add with
    # the legacy broadcast=1, axis=1 aligns a [3] bias with dim 1 of x.
    bias = numpy_helper.from_array(np.array([1, 2, 3], dtype=np.float32), "bias")
    add = helper.make_node("Add", ["x", "bias"], ["y"], name="add_bias",
                           broadcast=1, axis=1)
    relu = helper.make_node("Relu", ["y"], ["z"], name="relu", consumed_inputs=[0])
    return model([add, relu], [tensor_info("x", [2, 3, 4, 4])],
                 [tensor_info("z", [2, 3, 4, 4])], opset=6, initializers=[bias])


def case_bad_attribute(out):
    m = conv_model(raw_tensor("w", conv_weight_values()),
                   conv_name="features.0/conv")
    m.graph.node[0].attribute.append(helper.make_attribute("foo", 1))
    return m


def case_truncated(out):
    # Written here rather than returned: the bytes are no longer a model.
    data = case_raw_data(out).SerializeToString()
    with open(out, "wb") as f:
        f.write(data[: len(data) // 2])
    return None


CASES = {
    "same-shape-convs": case_same_shape_convs,
    "raw-data": case_raw_data,
    "float-data": case_float_data,
    "int64-data": case_int64_data,
    "external-data": case_external_data,
    "input-is-initializer": case_input_is_initializer,
    "named-nodes": case_named_nodes,
    "symbolic-dims": case_symbolic_dims,
    "external-missing": case_external_missing,
    "external-short": case_external_short,
    "external-escape": case_external_escape,
    "wrong-initializer-size": case_wrong_initializer_size,
    "wrong-float-data-count": case_wrong_float_data_count,
    "negative-dim": case_negative_dim,
    "huge-dim": case_huge_dim,
    "huge-initializer": case_huge_initializer,
    "cycle": case_cycle,
    "undefined-input": case_undefined_input,
    "unsupported-ops": case_unsupported_ops,
    "opset-too-new": case_opset_too_new,
    "opset-too-old": case_opset_too_old,
    "split-no-outputs": case_split_no_outputs,
    "add-one-operand": case_add_one_operand,
    "duplicate-input": case_duplicate_input,
    "dropout-training": case_dropout_training,
    "cast-bad-to": case_cast_bad_to,
    "softmax-name-clash": case_softmax_name_clash,
    "attribute-wrong-type": case_attribute_wrong_type,
    "external-symlink-escape": case_external_symlink_escape,
    "external-bad-offset": case_external_bad_offset,
    "external-dotted-name": case_external_dotted_name,
    "opset6-legacy-broadcast": case_opset6_legacy_broadcast,
    "bad-attribute": case_bad_attribute,
    "truncated": case_truncated,
}


def main(argv):
    if len(argv) == 2 and argv[1] == "--list":
        print("\n".join(CASES))
        return 0
    if len(argv) != 3 or argv[1] not in CASES:
        sys.stderr.write("usage: make_model.py CASE OUT.onnx (cases: %s)\n"
                         % ", ".join(CASES))
        return 2
    case, out = argv[1], argv[2]
    # The external-data cases need the output folder before the model exists.
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    m = CASES[case](out)
    if m is not None:  # None: the case wrote OUT itself
        write(m, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
