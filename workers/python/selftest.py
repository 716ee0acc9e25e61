#!/usr/bin/python3
"""End-to-end self-test of the Python worker, through its protocol (workers/README.md).

Its main worth: the failure stages are read off torch.onnx's internal function names, which a
new torch may rename; each stage here is provoked by a tiny model and checked. Also covers the
protocol, a torchvision source and the fault-injection converters. Needs no test framework:
    /usr/bin/python3 workers/python/selftest.py     # about 15 s; exit status 0 when all pass
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap

import onnx

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "convcheck_worker.py")

# name -> python source file; each provokes one outcome of `export`.
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
    # A symbolic emitting an attribute Trilu lacks: the exporter's final checker rejects the graph.
    "checker_fails": """
        torch.onnx.register_custom_op_symbolic(
            "aten::triu", lambda g, x, diagonal: g.op("Trilu", x, bogus_i=1), 14)
        class M(torch.nn.Module):
            def forward(self, x):
                return torch.triu(x)
        """,
    "no_inputs": """
        class M(torch.nn.Module):
            def forward(self, x):
                return x
        """,
}
SOURCE_TAIL = """
def make_model():
    return M()
"""
DEFAULT_INPUTS = """
def make_inputs():
    return torch.randn(3, 3)
"""


class Worker:
    def __init__(self, log):
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, WORKER], stdin=subprocess.PIPE, stdout=log, stderr=log,
            pass_fds=(3,), preexec_fn=lambda: os.dup2(write_fd, 3))
        os.close(write_fd)
        self.responses = os.fdopen(read_fd)
        self.ready = json.loads(self.responses.readline())
        self.next_id = 0

    def send(self, **request):
        self.next_id += 1
        self.process.stdin.write((json.dumps({"id": self.next_id, **request}) + "\n").encode())
        self.process.stdin.flush()

    def call(self, **request):
        self.send(**request)
        line = self.responses.readline()
        return json.loads(line) if line else None


class Checks:
    def __init__(self):
        self.failures = 0

    def expect(self, what, condition, detail=""):
        print(f"{'ok  ' if condition else 'FAIL'} {what}" + ("" if condition else f": {detail}"))
        self.failures += not condition


def write_sources(directory):
    paths = {}
    for name, body in SOURCES.items():
        inputs = "" if "make_inputs" in body or name == "no_inputs" else DEFAULT_INPUTS
        path = os.path.join(directory, f"{name}.py")
        with open(path, "w") as f:
            f.write("import torch\n" + textwrap.dedent(body) + SOURCE_TAIL + inputs)
        paths[name] = f"python:{path}"
    return paths


def export(worker, source, out_path, **options):
    request = {"source": source, "seed": 0, "converter": "torch.onnx", "opset": 13,
               "mode": "trace", "out_path": out_path, **options}
    return worker.call(op="export", **request)


def check_stages(checks, worker, sources, directory):
    cases = [  # source, options, expected stage, expected error type
        ("unsupported", {}, "node_conversion", "UnsupportedOperatorError"),
        ("trace_fails", {}, "load_model", "RuntimeError"),
        ("script_fails", {"mode": "script"}, "load_model", "NotSupportedError"),
        ("tuples_fail", {"mode": "script"}, "optimization", "RuntimeError"),
        ("checker_fails", {"opset": 14}, "export", "CheckerError"),
    ]
    for name, options, stage, error_type in cases:
        loaded = worker.call(op="load_source", source=sources[name], out_dir=directory)
        response = export(worker, sources[name], os.path.join(directory, "m.onnx"), **options)
        error = response.get("error", {})
        checks.expect(f"{name}: stage {stage}, type {error_type}",
                      loaded["ok"] and not response["ok"] and error.get("stage") == stage
                      and error.get("type") == error_type, json.dumps(error)[:300])
    signature = export(worker, sources["unsupported"], os.path.join(directory, "m.onnx"))
    checks.expect("signature normalises numbers", signature["error"]["signature"].startswith(
        "UnsupportedOperatorError: Exporting the operator 'aten::triu' to ONNX opset version N "
        "is not supported."), signature["error"]["signature"])


def check_load_and_export(checks, worker, sources, directory):
    response = worker.call(op="load_source", source=sources["ok"], num_sets=2, out_dir=directory)
    checks.expect("load_source flattens outputs (dict values, tuples, lists; None dropped)",
                  response["ok"] and [o["dtype"] for o in response["outputs"]]
                  == ["float32", "float32", "int64", "bool"], json.dumps(response)[:300])
    checks.expect("load_source writes every set",
                  os.path.exists(os.path.join(directory, "test_data_set_1", "output_3.npy")))
    out_path = os.path.join(directory, "ok.onnx")
    response = export(worker, sources["ok"], out_path, dynamic_batch=True)
    checks.expect("export writes the model with our names", response["ok"] and [
        o.name for o in onnx.load(out_path).graph.output] == response["output_names"]
        == ["output_0", "output_1", "output_2", "output_3"], json.dumps(response)[:300])

    response = worker.call(op="load_source", source=sources["no_inputs"], out_dir=directory)
    checks.expect("a file without make_inputs() needs input_shapes",
                  "pass --input-shape" in response.get("error", {}).get("message", ""))

    source = "torchvision:squeezenet1_1"
    response = worker.call(op="load_source", source=source, out_dir=directory)
    checks.expect("torchvision source", response["ok"] and response["info"]["family"]
                  == "classification" and response["info"]["switched_to_eval"])
    response = export(worker, source, os.path.join(directory, "squeezenet.onnx"), opset=17)
    checks.expect("torchvision export", response["ok"], json.dumps(response)[:300])


def check_fault_injection(checks, worker, sources, directory):
    out_path = os.path.join(directory, "faulty.onnx")
    response = export(worker, sources["ok"], out_path, converter="fault-inject:perturb-weight")
    checks.expect("perturb-weight changes lin.weight", response["ok"]
                  and response["fault_injection"]["tensor"] == "lin.weight",
                  json.dumps(response)[:300])
    response = export(worker, sources["ok"], out_path, converter="fault-inject:invalid-model")
    inputs = [name for node in onnx.load(out_path).graph.node for name in node.input]
    checks.expect("invalid-model points an input at an undefined tensor",
                  response["ok"] and "convcheck_fault_undefined_tensor" in inputs)
    response = export(worker, sources["ok"], out_path, converter="fault-inject:raise")
    checks.expect("raise is answered", response["error"]["type"] == "RuntimeError")
    response = export(worker, sources["ok"], out_path, converter="no-such-converter")
    checks.expect("unknown converter", response["error"]["type"] == "UnknownConverter"
                  and response["error"]["stage"] == "request")
    response = worker.call(op="no-such-op")
    checks.expect("unknown op", response["error"]["type"] == "ProtocolError")


def check_deaths(checks, log, sources, directory):
    worker = Worker(log)
    worker.send(op="export", source=sources["ok"], converter="fault-inject:hang", opset=13,
                out_path=os.path.join(directory, "hang.onnx"))
    try:
        worker.process.wait(timeout=3)
    except subprocess.TimeoutExpired:
        pass
    checks.expect("hang does not answer", worker.process.poll() is None)
    worker.process.kill()
    worker.process.wait()

    worker = Worker(log)
    response = worker.call(op="export", source=sources["ok"], converter="fault-inject:segfault",
                           opset=13, out_path=os.path.join(directory, "segv.onnx"))
    checks.expect("segfault dies by SIGSEGV",
                  response is None and worker.process.wait() == -signal.SIGSEGV)


def main():
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="convcheck-selftest-") as directory:
        sources = write_sources(directory)
        with open(os.path.join(directory, "worker.log"), "wb") as log:
            worker = Worker(log)
            checks.expect("ready line", worker.ready.get("ready") and set(worker.ready["versions"])
                          == {"python", "torch", "torchvision", "onnx", "numpy"}, worker.ready)
            check_stages(checks, worker, sources, directory)
            check_load_and_export(checks, worker, sources, directory)
            check_fault_injection(checks, worker, sources, directory)
            checks.expect("shutdown", worker.call(op="shutdown") == {"id": worker.next_id,
                                                                     "ok": True}
                          and worker.process.wait() == 0)
            check_deaths(checks, log, sources, directory)
        if checks.failures:
            with open(os.path.join(directory, "worker.log"), errors="replace") as f:
                print("--- worker log (tail) ---\n" + f.read()[-3000:])
    print(f"{checks.failures} failure(s)")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
