"""The torch.onnx converter, and reading off which exporter stage a failure came from.

Stage names are those of workers/README.md (`export`). They are read off the traceback with
knowledge of torch 1.13's torch/onnx/utils.py: export -> _export -> _model_to_graph, which
traces (_create_jit_graph) and then runs _optimize_graph, whose `_C._jit_pass_onnx(` call runs a
symbolic function per node (_run_symbolic_function); after it come JIT passes (constant folding,
shape inference), and finally _export serialises (graph._export_onnx) and runs the checker.
"""

import copy
import os
import re
import time
import traceback
import warnings

import onnx
import torch

import sources
from protocol import ProtocolError, required

# Which stage a traceback frame belongs to. The innermost frame that matches decides, so frames
# of model code (torchvision, torch.nn, the user's file) count for whatever runs them: tracing
# when torch/jit/_trace.py is further out, a symbolic function when symbolic_*.py is.
STAGE_BY_FILE = [
    (re.compile(r"torch/onnx/symbolic_[a-z0-9_]+\.py$"), "node_conversion"),
    (re.compile(r"torch/onnx/_internal/jit_utils\.py$"), "node_conversion"),
    (re.compile(r"torch/jit/(_trace|_script|_recursive|frontend|annotations)\.py$"), "load_model"),
    (re.compile(r"torch/_jit_internal\.py$"), "load_model"),
]
STAGE_BY_FUNCTION = {  # functions of torch/onnx/utils.py
    "_run_symbolic_function": "node_conversion",
    "_run_symbolic_method": "node_conversion",
    "_create_jit_graph": "load_model",
    "_trace_and_get_graph_from_model": "load_model",
    "_trace": "load_model",
    "_pre_trace_quant_model": "load_model",
    "_get_example_outputs": "load_model",  # runs a scripted model
}
# Statements of torch/onnx/utils.py's _optimize_graph, _model_to_graph and _export; errors
# raised in C++ passes show up as a frame on the line that called the pass. Checked in order.
STAGE_BY_LINE = [
    ("_jit_pass_onnx(", "node_conversion"),
    ("_export_onnx(", "export"),
    ("_check_onnx_proto(", "export"),
    ("CheckerError", "export"),
    ("opened_file.write(", "export"),
    ("_jit_pass_", "optimization"),
]
ONNX_UTILS = re.compile(r"torch/onnx/utils\.py$")


def export_torch_onnx(loaded: sources.LoadedSource, request: dict) -> dict:
    """torch.onnx.export of the loaded model; returns the response fields."""
    opset = int(required(request, "opset"))
    mode = request.get("mode", "trace")
    out_path = required(request, "out_path")
    input_names = [f"input_{i}" for i in range(loaded.num_inputs)]
    output_names = [f"output_{i}" for i in range(loaded.num_outputs)]
    dynamic_axes = None
    if request.get("dynamic_batch", False):
        dynamic_axes = {name: {0: "batch"} for name in input_names + output_names}

    if mode not in ("trace", "script"):
        raise ProtocolError(f"unknown export mode '{mode}': expected 'trace' or 'script'")
    model = script_model(loaded.model) if mode == "script" else loaded.model
    # A missing directory is the caller's problem, not an exporter failure at serialisation.
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)

    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            torch.onnx.export(model, export_args(loaded.args), out_path, opset_version=opset,
                              do_constant_folding=bool(request.get("constant_folding", True)),
                              input_names=input_names, output_names=output_names,
                              dynamic_axes=dynamic_axes)
    except onnx.checker.ValidationError as e:
        raise as_checker_error(e)
    finally:
        # Outside the catch_warnings block, which would record the logged copies again.
        exporter_warnings = summarize_warnings(caught)
    return {
        "elapsed_s": {"export": round(time.perf_counter() - start, 4)},
        "input_names": input_names,
        "output_names": output_names,
        "warnings": exporter_warnings,
    }


def as_checker_error(error: Exception) -> Exception:
    """The CheckerError torch.onnx.export means to raise when its final ONNX check fails.

    torch wraps the checker's RuntimeError in CheckerError, but once the onnx package is imported
    (this worker needs it) pybind translates the C++ ValidationError into onnx's own Python
    class, which is no RuntimeError and escapes the wrapper. Restored here so that the error type
    and signature do not depend on what else the process imported.
    """
    stage = failure_stage(error)
    if stage != "export":  # a ValidationError from elsewhere: leave it as it is
        return error
    wrapped = torch.onnx.errors.CheckerError(error)
    wrapped.convcheck_stage = stage
    wrapped.__cause__ = error
    return wrapped


def script_model(model: torch.nn.Module):
    try:
        return torch.jit.script(model)
    except Exception as e:
        e.convcheck_stage = "load_model"  # scripting is this mode's way of loading the model
        raise


def export_args(args: tuple) -> tuple:
    # Tracing may write into the inputs; the cached set 0 must stay as the reference saw it.
    args = copy.deepcopy(args)
    # torch.onnx.export takes a trailing dict as keyword arguments; an empty dict after it
    # keeps it positional.
    if args and isinstance(args[-1], dict):
        args = args + ({},)
    return args


def summarize_warnings(caught: list, limit: int = 10) -> list:
    """First lines of the exporter's warnings, deduplicated; each is also logged to stderr."""
    summary = []
    for w in caught:
        first_line = str(w.message).strip().split("\n", 1)[0][:300]
        text = f"{w.category.__name__}: {first_line}"
        if text not in summary:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
            summary.append(text)
    return summary[:limit]


def classify_failure(error: BaseException) -> dict:
    """The `stage` and `signature` fields of a failed export."""
    return {"stage": failure_stage(error), "signature": failure_signature(error)}


def failure_stage(error: BaseException) -> str:
    stage = getattr(error, "convcheck_stage", None)
    if stage:
        return stage
    if isinstance(error, ProtocolError):
        return "request"
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        stage = frame_stage(frame)
        if stage:
            return stage
    if isinstance(error, torch.onnx.errors.UnsupportedOperatorError):
        return "node_conversion"
    return "unknown"


def frame_stage(frame: traceback.FrameSummary):
    filename = frame.filename.replace(os.sep, "/")
    for pattern, stage in STAGE_BY_FILE:
        if pattern.search(filename):
            return stage
    if not ONNX_UTILS.search(filename):
        return None
    if frame.name in STAGE_BY_FUNCTION:
        return STAGE_BY_FUNCTION[frame.name]
    line = frame.line or ""
    for fragment, stage in STAGE_BY_LINE:
        if fragment in line:
            return stage
    return None


# Parts of a message that differ between occurrences of the same failure. Applied in order.
SIGNATURE_NORMALIZATIONS = [
    (re.compile(r"\b[a-z]+://\S+"), "<url>"),
    (re.compile(r"(?<![\w.])(?:/[\w.+@-]+)+"), "<path>"),
    (re.compile(r"0x[0-9a-fA-F]+"), "0xADDR"),
    (re.compile(r"%[\w.:]+"), "%V"),  # TorchScript value names: %123, %x.1, %onnx::Add_7
    (re.compile(r"(?<=_)\d+\b"), "N"),  # numbered names: onnx::Add_123
    (re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b"), "N"),
]


def failure_signature(error: BaseException, limit: int = 200) -> str:
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0] if lines else ''}"
    for pattern, replacement in SIGNATURE_NORMALIZATIONS:
        text = pattern.sub(replacement, text)
    return text[:limit]
