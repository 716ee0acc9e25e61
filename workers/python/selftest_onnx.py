"""selftest.py's checks for the onnx environment (check_model and run on OpenVINO)."""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper

import selftest


def save(ctx, name, nodes, inputs, outputs, opset=17, initializers=(), ir_version=None,
         extra_opsets=(), external=False):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset),
                                                    *extra_opsets])
    if ir_version:
        model.ir_version = ir_version
    path = ctx.path(f"{name}.onnx")
    onnx.save(model, path, save_as_external_data=external, size_threshold=0,
              location=f"{name}.data")
    return path


def value(name, elem_type=TensorProto.FLOAT, shape=(2, 3)):
    return helper.make_tensor_value_info(name, elem_type, list(shape))


def make_models(ctx):
    x, y = value("x"), value("y")
    weight = onnx.numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), "w")
    return {
        # IR 10 and opset 21: what torch 2's exporters write; onnx 1.12 would reject it.
        "relu": save(ctx, "relu", [helper.make_node("Relu", ["x"], ["y"], name="relu_1")],
                     [x], [y], opset=21, ir_version=10),
        # Two outputs in an order unlike their names, an initializer kept out of the inputs.
        "two": save(ctx, "two", [helper.make_node("Add", ["x", "w"], ["z_sum"], name="add"),
                                 helper.make_node("Mul", ["x", "w"], ["a_prod"], name="mul")],
                    [x], [value("z_sum"), value("a_prod")], initializers=[weight],
                    external=True),
        "dangling": save(ctx, "dangling", [helper.make_node("Add", ["x", "nope"], ["y"],
                                                            name="add_bad")], [x], [y]),
        "types": save(ctx, "types", [helper.make_node("Add", ["x", "c"], ["y"],
                                                      name="add_types")],
                      [x, value("c", TensorProto.INT64)], [y]),
        # Reshape to [x's dim 0, 5], declared [3, 5]: only data propagation through Shape,
        # Gather and Concat sees that dimension 0 is 2.
        "reshape": save(ctx, "reshape", [
            helper.make_node("Shape", ["x"], ["s"], name="shape"),
            helper.make_node("Constant", [], ["i"], value=helper.make_tensor(
                "i", TensorProto.INT64, [1], [0]), name="index"),
            helper.make_node("Gather", ["s", "i"], ["d"], name="gather"),
            helper.make_node("Constant", [], ["k"], value=helper.make_tensor(
                "k", TensorProto.INT64, [1], [5]), name="five"),
            helper.make_node("Concat", ["d", "k"], ["s2"], axis=0, name="concat"),
            helper.make_node("Reshape", ["x", "s2"], ["y"], name="reshape_bad")],
            [x], [value("y", shape=(3, 5))]),
        "custom": save(ctx, "custom", [helper.make_node("Frobnicate", ["x"], ["y"],
                                                        name="custom", domain="my.domain")],
                       [x], [y], extra_opsets=[helper.make_opsetid("my.domain", 1)]),
    }


def make_big_model(ctx):
    """A 2.4 GB model: a Gather from an external initializer in a sparse file (no disk used)."""
    count = 600_000_000
    weight = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[count],
                         data_location=TensorProto.EXTERNAL)
    for key, text in (("location", "big.data"), ("offset", "0"), ("length", str(count * 4))):
        weight.external_data.add(key=key, value=text)
    path = save(ctx, "big", [helper.make_node("Gather", ["w", "i"], ["y"], name="gather")],
                [value("i", TensorProto.INT64, (2,))], [value("y", shape=(2,))],
                initializers=[weight])
    with open(ctx.path("big.data"), "wb") as f:
        f.truncate(count * 4)
    # Indices below 2**29: OpenVINO 2026.4's CPU Gather crashes (SIGSEGV) at byte offsets
    # past 2**31 of its data, which is not what this checks.
    np.save(ctx.path("i.npy"), np.array([0, 2**29 - 1], dtype=np.int64))
    return path


def run(ctx):
    checks, worker = ctx.checks, ctx.worker
    selftest.check_ready(ctx, ("onnx", "onnxruntime", "openvino", "onnxsim", "onnxoptimizer",
                               "numpy"), [], [])
    models = make_models(ctx)
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    np.save(ctx.path("x.npy"), x)
    np.save(ctx.path("x34.npy"), np.zeros((3, 4), np.float32))
    with open(ctx.path("junk.onnx"), "w") as f:
        f.write("junk")

    for name, valid, check, node in (("relu", True, "shape_inference", None),
                                     ("two", True, "shape_inference", None),
                                     ("dangling", False, "checker", "add_bad"),
                                     ("types", False, "checker", "add_types"),
                                     ("custom", True, "shape_inference", None)):
        response = worker.call(op="check_model", model=models[name])
        checks.expect(f"check_model {name}: valid {valid}, {check}, node {node}",
                      response["ok"] and response["valid"] == valid
                      and response["check"] == check and response["node_name"] == node
                      and response["checker"].startswith("onnx 1."), response)
    response = worker.call(op="check_model", model=models["reshape"])
    checks.expect("check_model: data propagation finds a bad Reshape", response["ok"]
                  and not response["valid"] and response["check"] == "shape_inference"
                  and response["op_type"] == "Reshape"
                  and response["node_name"] == "reshape_bad", response)
    response = worker.call(op="check_model", model=ctx.path("junk.onnx"))
    checks.expect("check_model: a corrupt file is invalid", response["ok"]
                  and not response["valid"], response)
    checks.expect_error("check_model: a missing file", worker.call(
        op="check_model", model=ctx.path("none.onnx")), "io", "FileNotFoundError")

    def run_model(model, inputs, **fields):
        return worker.call(op="run", model=model, inputs=[ctx.path(i) for i in inputs],
                           output_dir=ctx.path("out"), **fields)

    response = run_model(models["relu"], ["x.npy"], threads=1)
    out = np.load(ctx.path("out/output_0.npy")) if response["ok"] else None
    checks.expect("run: OpenVINO computes relu exactly", response["ok"]
                  and response["outputs"][0]["name"] == "y"
                  and np.array_equal(out, np.maximum(x, 0)), response)
    response = run_model(models["relu"], ["x.npy"], threads=1)
    checks.expect("run: the compiled model is cached", response["ok"]
                  and response["elapsed_s"]["load"] == 0, response)
    response = run_model(models["two"], ["x.npy"])
    outputs = response.get("outputs", [])
    weight = np.arange(6, dtype=np.float32).reshape(2, 3)
    checks.expect("run: external data, outputs in graph order", response["ok"]
                  and [o["name"] for o in outputs] == ["z_sum", "a_prod"]
                  and np.allclose(np.load(outputs[1]["path"]), x * weight), response)
    response = run_model(models["two"], ["x.npy"], output_names=["a_prod"])
    checks.expect("run: output_names fetches some outputs, in that order", response["ok"]
                  and [o["name"] for o in response["outputs"]] == ["a_prod"]
                  and np.allclose(np.load(ctx.path("out/output_0.npy")), x * weight), response)
    checks.expect_error("run: an output_names entry that is no output",
                        run_model(models["two"], ["x.npy"], output_names=["y"]), "request",
                        "ProtocolError")
    checks.expect_error("run: a wrong input count", run_model(models["relu"], []), "run",
                        "InputMismatch")
    response = run_model(models["relu"], ["x34.npy"])
    checks.expect_error("run: a wrong input shape", response, "run", "OpenVinoError")
    checks.expect("run: ... code INVALID_ARGUMENT",
                  response.get("error", {}).get("code") == "INVALID_ARGUMENT", response)
    for model, stage, code in ((ctx.path("none.onnx"), "load", "NO_SUCHFILE"),
                               (ctx.path("junk.onnx"), "load", "INVALID_PROTOBUF"),
                               (models["custom"], "load", "NOT_IMPLEMENTED"),
                               (models["types"], "load", "INVALID_GRAPH")):
        response = run_model(model, ["x.npy"] * (2 if model == models["types"] else 1))
        error = response.get("error", {})
        checks.expect(f"run {os.path.basename(model)}: stage {stage}, code {code}",
                      error.get("stage") == stage and error.get("code") == code
                      and "Exception from" not in error.get("message", ""), error)
    response = run_model(models["relu"], ["nofile.npy"])
    checks.expect_error("run: a missing input file", response, "io", "FileNotFoundError")
    checks.expect("run: ... code ENOENT", response.get("error", {}).get("code") == "ENOENT")
    checks.expect_error("run: a bad thread count", run_model(models["relu"], ["x.npy"],
                                                             threads=-1), "request",
                        "ProtocolError")
    big = make_big_model(ctx)
    response = worker.call(op="check_model", model=big)
    checks.expect("check_model: a 2.4 GB model with external data", response["ok"]
                  and response["valid"], response)
    response = run_model(big, ["i.npy"])
    checks.expect("run: a 2.4 GB model with external data", response["ok"]
                  and np.array_equal(np.load(ctx.path("out/output_0.npy")), np.zeros(2)),
                  response)
    for op in ("load_source", "export"):
        checks.expect_error(f"{op} is not an op of the onnx environment",
                            worker.call(op=op, source="torchvision:resnet18"), "request",
                            "ProtocolError")
    selftest.check_protocol(ctx)
