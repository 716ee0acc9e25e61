"""selftest.py's checks for the tf2 environment (tf2onnx, Keras, SavedModel, Hugging Face TF)."""

import onnx

import selftest

SOURCES = {
    "keras": """
        import keras
        import numpy as np
        def make_model():
            inputs = keras.Input((8, 8, 3))
            x = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
            x = keras.layers.GlobalAveragePooling2D()(x)
            return keras.Model(inputs, keras.layers.Dense(5)(x))
        def make_inputs():
            return np.random.standard_normal((2, 8, 8, 3)).astype(np.float32)
        """,
    # A tf.Module with a dict output: flattened by sorted key (relu, then sum), as tf.nest does.
    "module": """
        import tensorflow as tf
        class M(tf.Module):
            def __init__(self):
                self.w = tf.Variable(tf.random.normal((4, 3)))
            @tf.function
            def __call__(self, x, y):
                h = tf.matmul(x, self.w)
                return {"sum": h + y, "relu": tf.nn.relu(h)}
        def make_model():
            return M()
        def make_inputs():
            return tf.random.normal((2, 4)), tf.random.normal((2, 3))
        """,
    # Runs eagerly, but .numpy() cannot be traced into the tf.function tf2onnx converts.
    "trace_fails": """
        import keras
        import tensorflow as tf
        class M(keras.Model):
            def call(self, x, training=False):
                return x * float(x.numpy().sum())
        def make_model():
            return M()
        def make_inputs():
            return tf.random.normal((2, 3))
        """,
    # tf2onnx's handler for Sin fails: a stand-in for a real handler failure, to check the stage
    # and that the function route logs it while the command-line route raises it.
    "handler_fails": """
        import tensorflow as tf
        from tf2onnx.handler import tf_op
        def _fail(ctx, node, **kwargs):
            raise ValueError("selftest: the Sin handler failed on purpose")
        for _opsets in tf_op.get_opsets().values():
            for _opset in _opsets:
                if "Sin" in _opset:
                    _opset["Sin"] = (_fail, _opset["Sin"][1])
        class M(tf.Module):
            @tf.function
            def __call__(self, x):
                return tf.sin(x) + 1.0
        def make_model():
            return M()
        def make_inputs():
            return tf.random.normal((2, 3))
        """,
    # tf2onnx's optimizer fails, once.
    "optimizer_fails": """
        import tensorflow as tf
        import tf2onnx.optimizer
        _original = tf2onnx.optimizer.optimize_graph
        def _fail_once(*args, **kwargs):
            tf2onnx.optimizer.optimize_graph = _original
            raise RuntimeError("selftest: the optimizer failed on purpose")
        tf2onnx.optimizer.optimize_graph = _fail_once
        class M(tf.Module):
            @tf.function
            def __call__(self, x):
                return x * 2.0
        def make_model():
            return M()
        def make_inputs():
            return tf.random.normal((2, 3))
        """,
    # TensorFlow's Erfc has no tf2onnx handler: converted anyway, with the op left in the graph.
    "unsupported": """
        import tensorflow as tf
        class M(tf.Module):
            @tf.function
            def __call__(self, x):
                return tf.math.erfc(x)
        def make_model():
            return M()
        def make_inputs():
            return tf.random.normal((2, 3))
        """,
    # Keras 3's Normalization keeps its statistics as tensors the call captures: tf2onnx's
    # from_function makes them graph inputs (the SavedModel route freezes them as constants).
    "captures": """
        import keras
        import numpy as np
        def make_model():
            inputs = keras.Input((4, 4, 3))
            x = keras.layers.Normalization(axis=-1)(inputs)
            return keras.Model(inputs, keras.layers.Dense(2)(x))
        def make_inputs():
            return np.ones((1, 4, 4, 3), np.float32)
        """,
    "torch_model": """
        import torch
        def make_model():
            return torch.nn.Linear(2, 2)
        """,
    "not_a_model": """
        def make_model():
            return 42
        def make_inputs():
            return 1
        """,
}


def make_savedmodel(path):
    """A SavedModel with a serving_default signature of two named inputs, the batch unknown."""
    import tensorflow as tf

    class Model(tf.Module):
        def __init__(self):
            self.w = tf.Variable(tf.random.normal((3, 2), seed=1))

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="features"),
                                      tf.TensorSpec([None, 2], tf.float32, name="bias")])
        def serve(self, features, bias):
            return {"scores": tf.nn.softmax(tf.matmul(features, self.w) + bias)}

    model = Model()
    tf.saved_model.save(model, path, signatures={"serving_default": model.serve})


def graph_io(path):
    graph = onnx.load(path).graph
    dims = [[d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
            for v in graph.input]
    return [v.name for v in graph.input], [v.name for v in graph.output], dims


def run(ctx):
    checks, worker = ctx.checks, ctx.worker
    sources = {name: ctx.write_source(name, body) for name, body in SOURCES.items()}
    selftest.check_ready(ctx, ("tensorflow", "keras", "tf_keras", "tf2onnx", "transformers",
                               "onnx", "numpy"), ["tf2onnx", "fault-inject:raise"],
                         ["hf", "keras", "python", "savedmodel"])

    def export(source, out_name="m.onnx", **fields):
        request = {"source": source, "seed": 0, "converter": "tf2onnx", "opset": 15,
                   "out_path": ctx.path(out_name), **fields}
        return worker.call(op="export", **request)

    response = worker.call(op="load_source", source=sources["keras"], num_sets=2,
                           out_dir=ctx.directory)
    checks.expect("keras python source", response["ok"] and response["info"]["framework"] == "tf"
                  and response["info"]["model_type"] == "keras.Model"
                  and response["outputs"] == [{"shape": [2, 5], "dtype": "float32"}], response)
    for route in ("function", "saved_model"):
        response = export(sources["keras"], f"k_{route}.onnx",
                          options={"route": route, "dynamic_batch": route == "saved_model"})
        ok = response["ok"]
        names = graph_io(ctx.path(f"k_{route}.onnx")) if ok else None
        checks.expect(f"keras model through tf2onnx, route {route}", ok
                      and names[:2] == (["input_0"], ["output_0"]) and response["opset"] == 15
                      and response["input_names"] == ["input_0"], response)
        if ok:
            checks.expect(f"route {route}: batch {'dynamic' if route == 'saved_model' else 2}",
                          isinstance(names[2][0][0], str) == (route == "saved_model"), names)

    response = worker.call(op="load_source", source=sources["module"], out_dir=ctx.directory)
    checks.expect("tf.Module source with a dict output", response["ok"]
                  and len(response["outputs"]) == 2
                  and response["info"]["model_type"] == "tf.Module", response)
    response = export(sources["module"], "module.onnx", options={"route": "saved_model"})
    checks.expect("tf.Module through the SavedModel route", response["ok"]
                  and response["output_names"] == ["output_0", "output_1"]
                  and graph_io(ctx.path("module.onnx"))[0] == ["input_0", "input_1"], response)

    savedmodel = ctx.path("savedmodel")
    make_savedmodel(savedmodel)
    source = f"savedmodel:{savedmodel}"
    response = worker.call(op="load_source", source=source, out_dir=ctx.directory)
    checks.expect("savedmodel source: inputs by sorted name, a batch of 1", response["ok"]
                  and response["info"]["input_names"] == ["bias", "features"]
                  and response["inputs"][1]["shape"] == [1, 3], response)
    response = export(source, "savedmodel.onnx")
    checks.expect("savedmodel through tf2onnx", response["ok"]
                  and graph_io(ctx.path("savedmodel.onnx"))[0] == ["input_0", "input_1"],
                  response)
    response = worker.call(op="load_source", source=source, input_shapes=[[4, 2], [4, 3]],
                           out_dir=ctx.directory)
    checks.expect("savedmodel: input_shapes fill unknown dimensions", response["ok"]
                  and response["inputs"][0]["shape"] == [4, 2], response)

    check_stages(ctx, sources, export)
    check_sources(ctx, sources)
    check_fault_injection(ctx, sources, export)
    selftest.check_protocol(ctx)
    selftest.check_deaths(ctx, {"source": sources["keras"], "opset": 15})


def check_stages(ctx, sources, export):
    checks, worker = ctx.checks, ctx.worker
    worker.call(op="load_source", source=sources["trace_fails"], out_dir=ctx.directory)
    checks.expect_error("tracing fails: stage load_model", export(sources["trace_fails"]),
                        "load_model")
    worker.call(op="load_source", source=sources["handler_fails"], out_dir=ctx.directory)
    response = export(sources["handler_fails"])
    checks.expect("a failing handler, function route: converted, the failure in the notes",
                  response["ok"] and any("Failed to convert node" in n
                                         for n in response["notes"]), response)
    response = export(sources["handler_fails"], options={"route": "saved_model"})
    checks.expect_error("a failing handler, saved_model route: stage node_conversion", response,
                        "node_conversion", "ValueError", "ValueError: selftest: the Sin handler")
    worker.call(op="load_source", source=sources["optimizer_fails"], out_dir=ctx.directory)
    checks.expect_error("the optimizer fails: stage optimization",
                        export(sources["optimizer_fails"]), "optimization", "RuntimeError")
    checks.expect_error("writing the file fails: stage export",
                        export(sources["optimizer_fails"], ""), "export", "IsADirectoryError")
    worker.call(op="load_source", source=sources["unsupported"], out_dir=ctx.directory)
    response = export(sources["unsupported"])
    checks.expect("an unsupported op: converted, named in the notes", response["ok"]
                  and any("Erfc" in n and "is not supported" in n for n in response["notes"]),
                  response)
    worker.call(op="load_source", source=sources["captures"], out_dir=ctx.directory)
    response = export(sources["captures"], "captures.onnx")
    checks.expect("graph inputs the converter added: the graph's names, with a note",
                  response["ok"] and response["input_names"][0] == "input_0"
                  and len(response["input_names"]) == 3
                  and response["input_names"] == graph_io(ctx.path("captures.onnx"))[0]
                  and any(n.startswith("graph inputs are") for n in response["notes"]), response)
    checks.expect_error("opset 19 is refused", export(sources["keras"], opset=19), "request",
                        "ProtocolError")
    checks.expect_error("an unknown route is refused",
                        export(sources["keras"], options={"route": "keras"}), "request",
                        "ProtocolError")


def check_sources(ctx, sources):
    checks, worker = ctx.checks, ctx.worker
    for name, error_type in (("torch_model", "FrameworkMismatch"),
                             ("not_a_model", "SourceError")):
        response = worker.call(op="load_source", source=sources[name], out_dir=ctx.directory)
        checks.expect_error(f"python source {name}: {error_type}", response, "source",
                            error_type)
    for source in ("torchvision:resnet18", "timm:resnet18"):
        response = worker.call(op="load_source", source=source, out_dir=ctx.directory)
        checks.expect_error(f"{source}: FrameworkMismatch", response, "source",
                            "FrameworkMismatch")
    response = worker.call(op="load_source", source="keras:MobileNetV3Small",
                           out_dir=ctx.directory)
    checks.expect("keras:MobileNetV3Small at its documented 224x224", response["ok"]
                  and response["inputs"][0]["shape"] == [1, 224, 224, 3]
                  and response["info"]["family"] == "mobilenet_v3", response)
    response = worker.call(op="load_source", source="hf:electra", out_dir=ctx.directory)
    checks.expect("hf:electra builds its TF class", response["ok"]
                  and response["info"]["model_class"] == "TFElectraModel", response)
    response = worker.call(op="load_source", source="hf:llama", out_dir=ctx.directory)
    checks.expect_error("hf:llama has no TF class", response, "source", "SourceError")
    response = worker.call(op="list_sources", kind="keras")
    checks.expect("every keras.applications builder is listed", response["ok"]
                  and len(response["sources"]) >= 40, len(response.get("sources", [])))


def check_fault_injection(ctx, sources, export):
    checks, worker = ctx.checks, ctx.worker
    worker.call(op="load_source", source=sources["keras"], out_dir=ctx.directory)
    response = export(sources["keras"], "faulty.onnx", converter="fault-inject:perturb-weight")
    checks.expect("perturb-weight on a Keras model", response["ok"]
                  and response["fault_injection"]["new"] != response["fault_injection"]["old"],
                  response)
    response = export(sources["keras"], "faulty.onnx", converter="fault-inject:miscompile-relu")
    checks.expect("miscompile-relu on a Keras model", response["ok"]
                  and response["fault_injection"]["relu_nodes_changed"] >= 1, response)
    response = export(sources["keras"], "faulty.onnx", converter="fault-inject:invalid-model",
                      options={"route": "saved_model"})
    checks.expect("invalid-model with the base converter's options", response["ok"]
                  and "fault_injection" in response, response)
    checks.expect_error("raise on a Keras model", export(sources["keras"],
                                                         converter="fault-inject:raise"),
                        "unknown", "RuntimeError")
