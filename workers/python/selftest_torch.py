"""selftest.py's checks for the torch environments (torch1.13 and torch2)."""

import os
import textwrap

import onnx

import selftest

# name -> python source file body; each provokes one outcome of `export`.
SOURCES = {
    "ok": """
        class M(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = torch.nn.Linear(4, 3)
            def forward(self, x, idx):
                y = self.lin(x)
                return {"b": y * 2, "a": (y, None, idx + 1)}, [y > 0]
        def make_inputs():
            return torch.randn(2, 4), torch.tensor([1, 0])
        """,
    "relu": """
        class M(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = torch.nn.Linear(4, 3)
            def forward(self, x):
                return torch.relu(self.lin(x))
        def make_inputs():
            return numpy.random.standard_normal((2, 4)).astype(numpy.float32)  # numpy works
        """,
    # aten::triu has a symbolic from opset 14 (Trilu) on.
    "unsupported": """
        class M(torch.nn.Module):
            def forward(self, x):
                return torch.triu(x)
        """,
    # The tracer cannot follow a Python int out of the model.
    "trace_fails": """
        class M(torch.nn.Module):
            def forward(self, x):
                return x + 1, 3
        """,
    # TorchScript compiles no *args.
    "script_fails": """
        class M(torch.nn.Module):
            def forward(self, x, *rest):
                return x + 1
        """,
    # Scripted, a dict of mixed values leaves a tuple that _jit_pass_lower_all_tuples cannot lower.
    "tuples_fail": """
        class M(torch.nn.Module):
            def forward(self, x):
                return {"a": x, "b": (x, x)}
        """,
    # A symbolic emitting an attribute Trilu lacks: torch 1.13's final checker rejects the graph.
    "checker_fails": """
        torch.onnx.register_custom_op_symbolic(
            "aten::triu", lambda g, x, diagonal: g.op("Trilu", x, bogus_i=1), 14)
        class M(torch.nn.Module):
            def forward(self, x):
                return torch.triu(x)
        """,
    # torch.export cannot branch on a tensor's value.
    "data_dependent": """
        class M(torch.nn.Module):
            def forward(self, x):
                return x + 1 if x.sum() > 0 else x - 1
        """,
    # torchlib has no function for aten::kthvalue.
    "no_onnx_function": """
        class M(torch.nn.Module):
            def forward(self, x):
                return torch.kthvalue(x, 2)[0]
        """,
    # The onnxscript optimizer fails, once: a stand-in for a real optimizer crash, to check that
    # a failure inside torch's call of the optimizer is read as stage optimization.
    "optimizer_fails": """
        import onnxscript.optimizer
        _original = onnxscript.optimizer.optimize_ir
        def _fail_once(*args, **kwargs):
            onnxscript.optimizer.optimize_ir = _original
            raise RuntimeError("selftest: the optimizer failed on purpose")
        onnxscript.optimizer.optimize_ir = _fail_once
        class M(torch.nn.Module):
            def forward(self, x):
                return x * 2
        """,
    "no_inputs": """
        class M(torch.nn.Module):
            def forward(self, x):
                return x
        """,
    "keras_model": """
        import keras
        def make_model():
            return keras.Sequential([keras.layers.Dense(2)])
        """,
}
HEAD = "import numpy\nimport torch\n"
TAIL = """
def make_model():
    return M()
"""
DEFAULT_INPUTS = """
def make_inputs():
    return torch.randn(3, 3)
"""


def write_sources(ctx):
    paths = {}
    for name, body in SOURCES.items():
        text = HEAD + textwrap.dedent(body).strip("\n") + "\n"
        if "def make_model" not in body:
            text += "\n" + TAIL
        if "make_inputs" not in body and name not in ("no_inputs", "keras_model"):
            text += DEFAULT_INPUTS
        paths[name] = ctx.write_source(name, text)
    return paths


class Exporter:
    def __init__(self, ctx, converter, opset):
        self.ctx = ctx
        self.converter = converter
        self.opset = opset

    def __call__(self, source, out_name="m.onnx", **fields):
        request = {"source": source, "seed": 0, "converter": self.converter,
                   "opset": self.opset, "out_path": self.ctx.path(out_name), **fields}
        return self.ctx.worker.call(op="export", **request)


def input_dims(path):
    return [[d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
            for v in onnx.load(path).graph.input]


def check_torchscript_stages(ctx, sources, export, cases):
    for name, fields, stage, error_type in cases:
        loaded = ctx.worker.call(op="load_source", source=sources[name], out_dir=ctx.directory)
        response = export(sources[name], **fields)
        ctx.checks.expect_error(f"{export.converter} {name}: stage {stage}, type {error_type}",
                                response if loaded["ok"] else None, stage, error_type)
    response = export(sources["unsupported"], opset=13)
    ctx.checks.expect_error("signature normalises numbers", response, "node_conversion", None,
                            "UnsupportedOperatorError: Exporting the operator 'aten::triu' to "
                            "ONNX opset version N is not supported.")


def check_load_and_export(ctx, sources, export, legacy):
    checks, worker = ctx.checks, ctx.worker
    response = worker.call(op="load_source", source=sources["ok"], num_sets=2,
                           out_dir=ctx.directory)
    checks.expect("load_source flattens outputs (dict values, tuples, lists; None dropped)",
                  response["ok"] and [o["dtype"] for o in response["outputs"]]
                  == ["float32", "float32", "int64", "bool"]
                  and response["info"]["framework"] == "torch", response)
    checks.expect("load_source writes every set",
                  os.path.exists(ctx.path("test_data_set_1/output_3.npy")))
    response = worker.call(op="load_source", source=sources["ok"], num_sets=1,
                           out_dir=ctx.directory)
    checks.expect("load_source reuses the model in memory", response["ok"]
                  and response["info"].get("reused"), response)
    options = {"dynamic_batch": True} if legacy else {"options": {"dynamic_batch": True}}
    response = export(sources["ok"], "ok.onnx", **options)
    model = onnx.load(ctx.path("ok.onnx")) if response.get("ok") else None
    checks.expect("export writes the model with our names", model is not None
                  and [o.name for o in model.graph.output] == response["output_names"]
                  == ["output_0", "output_1", "output_2", "output_3"]
                  and response["opset"] == export.opset and response["ir_version"]
                  == model.ir_version and response["notes"] == [], response)
    checks.expect("dynamic_batch names dimension 0", model is not None
                  and input_dims(ctx.path("ok.onnx"))[0][0] == "batch",
                  model and input_dims(ctx.path("ok.onnx")))
    response = export(sources["ok"], options={"dynamic_batch": True, "bogus": 1})
    checks.expect_error("an unknown option is refused", response, "request", "ProtocolError")
    response = export(sources["ok"], options={"mode": "compile"})
    checks.expect_error("a bad option value is refused", response, "request", "ProtocolError")

    response = worker.call(op="load_source", source=sources["relu"], out_dir=ctx.directory)
    checks.expect("make_inputs() may return numpy arrays", response["ok"]
                  and response["inputs"][0]["dtype"] == "float32", response)
    response = worker.call(op="load_source", source=sources["no_inputs"], out_dir=ctx.directory)
    checks.expect("a file without make_inputs() needs input_shapes",
                  "pass --input-shape" in response.get("error", {}).get("message", "")
                  and response["error"]["stage"] == "source", response)

    source = "torchvision:squeezenet1_1"
    response = worker.call(op="load_source", source=source, out_dir=ctx.directory)
    checks.expect("torchvision source", response["ok"] and response["info"]["family"]
                  == "classification" and response["info"]["switched_to_eval"], response)
    response = export(source, "squeezenet.onnx", opset=max(export.opset, 17))
    checks.expect("torchvision export", response["ok"], response)


def check_mismatches(ctx, sources):
    response = ctx.worker.call(op="load_source", source=sources["keras_model"],
                               out_dir=ctx.directory)
    ctx.checks.expect_error("a file importing keras: FrameworkMismatch", response, "source",
                            "FrameworkMismatch")
    message = response.get("error", {}).get("message", "")
    ctx.checks.expect("FrameworkMismatch names source, framework and environment",
                      "keras_model.py" in message and "TensorFlow" in message
                      and ctx.env in message, message)
    for source in ("keras:ResNet50", "savedmodel:/tmp"):
        response = ctx.worker.call(op="load_source", source=source, out_dir=ctx.directory)
        ctx.checks.expect_error(f"{source.split(':')[0]}: FrameworkMismatch", response, "source",
                                "FrameworkMismatch")
    response = ctx.worker.call(op="export", source=sources["ok"], converter="tf2onnx", opset=15,
                               out_path=ctx.path("m.onnx"))
    ctx.checks.expect_error("a converter of another environment", response, "request",
                            "UnknownConverter")


def check_fault_injection(ctx, sources, export):
    checks = ctx.checks
    response = export(sources["ok"], "faulty.onnx", converter="fault-inject:perturb-weight")
    checks.expect("perturb-weight changes lin.weight", response["ok"]
                  and "lin.weight" in response["fault_injection"]["tensor"], response)
    response = export(sources["ok"], "faulty.onnx", converter="fault-inject:invalid-model")
    inputs = [n for node in onnx.load(ctx.path("faulty.onnx")).graph.node for n in node.input] \
        if response["ok"] else []
    checks.expect("invalid-model points an input at an undefined tensor",
                  response["ok"] and "convcheck_fault_undefined_tensor" in inputs, response)
    response = export(sources["relu"], "faulty.onnx", converter="fault-inject:miscompile-relu")
    checks.expect("miscompile-relu changes the relu", response["ok"]
                  and response["fault_injection"]["relu_nodes_changed"] == 1, response)
    response = export(sources["ok"], converter="fault-inject:raise")
    checks.expect_error("raise is answered", response, "unknown", "RuntimeError")
    response = export(sources["ok"], converter="no-such-converter")
    checks.expect_error("unknown converter", response, "request", "UnknownConverter")


def run_torch113(ctx, sources):
    selftest.check_ready(ctx, ("torch", "torchvision", "onnx", "numpy"),
                         ["torch.onnx@1.13", "fault-inject:raise"], ["python", "torchvision"])
    export = Exporter(ctx, "torch.onnx", 13)  # the alias, as stores of torch 1.13 days name it
    check_torchscript_stages(ctx, sources, export, [
        ("unsupported", {}, "node_conversion", "UnsupportedOperatorError"),
        ("trace_fails", {}, "load_model", "RuntimeError"),
        ("script_fails", {"mode": "script"}, "load_model", "NotSupportedError"),
        ("tuples_fail", {"mode": "script"}, "optimization", "RuntimeError"),
        ("checker_fails", {"opset": 14}, "export", "CheckerError"),
    ])
    check_load_and_export(ctx, sources, export, legacy=True)
    check_load_and_export(ctx, sources, Exporter(ctx, "torch.onnx@1.13", 13), legacy=False)
    check_mismatches(ctx, sources)
    check_fault_injection(ctx, sources, export)
    selftest.check_protocol(ctx)
    selftest.check_deaths(ctx, {"source": sources["ok"], "opset": 13})


def run_torch2(ctx, sources):
    checks = ctx.checks
    selftest.check_ready(ctx, ("torch", "torchvision", "onnx", "onnxscript", "transformers",
                               "timm", "numpy"),
                         ["torch.onnx.dynamo", "torch.onnx.torchscript", "fault-inject:raise"],
                         ["hf", "python", "timm", "torchvision"])
    torchscript = Exporter(ctx, "torch.onnx.torchscript", 17)
    check_torchscript_stages(ctx, sources, torchscript, [
        ("unsupported", {"opset": 13}, "node_conversion", "UnsupportedOperatorError"),
        ("trace_fails", {}, "load_model", "RuntimeError"),
        ("script_fails", {"options": {"mode": "script"}}, "load_model", "NotSupportedError"),
        ("tuples_fail", {"options": {"mode": "script"}}, "optimization", "RuntimeError"),
    ])
    check_load_and_export(ctx, sources, torchscript, legacy=False)

    dynamo = Exporter(ctx, "torch.onnx.dynamo", 18)
    for name, stage, error_type, signature in [
            ("data_dependent", "load_model", "TorchExportError", "GuardOnDataDependentSymNode"),
            ("no_onnx_function", "node_conversion", "ConversionError",
             "DispatchError: No ONNX function found for <OpOverload(op='aten.kthvalue'"),
            ("optimizer_fails", "optimization", "RuntimeError",
             "RuntimeError: selftest: the optimizer failed on purpose")]:
        ctx.worker.call(op="load_source", source=sources[name], out_dir=ctx.directory)
        checks.expect_error(f"dynamo {name}: stage {stage}", dynamo(sources[name]), stage,
                            error_type, signature)
    response = dynamo(sources["relu"], out_name="")  # out_path is the scratch directory
    checks.expect_error("dynamo: writing the file fails at stage export", response, "export",
                        "IsADirectoryError")
    response = dynamo(sources["ok"], "ok18.onnx", options={"dynamic_batch": True})
    checks.expect("dynamo export: our names, opset 18, IR 10, a dynamic batch", response["ok"]
                  and response["output_names"] == [f"output_{k}" for k in range(4)]
                  and response["opset"] == 18 and response["ir_version"] == 10
                  and input_dims(ctx.path("ok18.onnx"))[0][0] == "batch", response)
    response = dynamo(sources["relu"], "relu13.onnx", opset=13)
    note = (response.get("notes") or [""])[0]
    checks.expect("dynamo at opset 13: exported at 18, the note says what torch did",
                  response["ok"] and response["opset"] in (13, 18)
                  and note.startswith("exported at opset 18")
                  and ("down-converted to opset 13" in note) == (response["opset"] == 13),
                  response)

    for source, family in (("hf:electra", "encoder"), ("timm:resnet18", "resnet")):
        response = ctx.worker.call(op="load_source", source=source, out_dir=ctx.directory)
        checks.expect(f"{source} builds", response["ok"]
                      and response["info"]["family"] == family, response)
    response = ctx.worker.call(op="list_sources", kind="timm", filter="resnet1*")
    checks.expect("timm list filtered by a glob", response["ok"] and response["sources"]
                  and all(s["source"].startswith("timm:resnet1") for s in response["sources"]),
                  response)
    response = ctx.worker.call(op="list_sources", kind="hf")
    checks.expect("at least 30 hf types", response["ok"] and len(response["sources"]) >= 30)
    check_mismatches(ctx, sources)
    check_fault_injection(ctx, sources, dynamo)
    selftest.check_protocol(ctx)
    selftest.check_deaths(ctx, {"source": sources["ok"], "opset": 18})


def run(ctx):
    sources = write_sources(ctx)
    if ctx.env == "torch1.13":
        run_torch113(ctx, sources)
    else:
        run_torch2(ctx, sources)
