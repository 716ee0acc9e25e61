"""The torch exporters: torch.onnx@1.13, torch 2's TorchScript exporter and its dynamo exporter.

Each converter maps its failures to the study's stages (load_model, node_conversion,
optimization, export) by reading the traceback with knowledge of its torch version's files;
workers/README.md gives the rules and the failures they were checked on.

torch 1.13 (torch/onnx/utils.py) and torch 2's TorchScript exporter
(torch/onnx/_internal/torchscript_exporter/utils.py) share the layout: export -> _export ->
_model_to_graph, which traces (_create_jit_graph) and then runs _optimize_graph, whose
`_C._jit_pass_onnx(` call runs a symbolic function per node (_run_symbolic_function); after it
come JIT passes (constant folding, shape inference), and finally _export serialises
(graph._export_onnx) and, in 1.13 only, runs the checker.

torch 2's dynamo exporter (torch/onnx/_internal/exporter/_core.py, export()) runs in steps:
capture with torch.export (step 1/3, a TorchExportError), decomposition (step 2/3) and
translation with torchlib (step 3/3, a ConversionError wrapping e.g. a DispatchError), then
version conversion and the onnxscript optimizer; _compat.export_compat finally saves the file.
"""

import copy
import logging
import os
import re
import traceback

import onnx
import torch
import torch.onnx._constants

from converters import Converter, StageMap, graph_names
from protocol import Option, ProtocolError, exception_chain, failure_signature

TORCHSCRIPT_OPTIONS = {
    "constant_folding": Option(True),
    "dynamic_batch": Option(False),
    "mode": Option("trace", choices=("trace", "script")),
}
DYNAMO_OPTIONS = {"optimize": Option(True), "dynamic_batch": Option(False)}


def io_names(loaded) -> tuple:
    return ([f"input_{i}" for i in range(loaded.num_inputs)],
            [f"output_{i}" for i in range(loaded.num_outputs)])


def export_args(args: tuple) -> tuple:
    # Tracing may write into the inputs; the cached set 0 must stay as the reference saw it.
    args = copy.deepcopy(args)
    # torch.onnx.export takes a trailing dict as keyword arguments; an empty dict after it
    # keeps it positional (both exporters drop the empty one).
    if args and isinstance(args[-1], dict):
        args = tuple(args) + ({},)
    return tuple(args)


# --- TorchScript exporters (torch 1.13 and torch 2) ------------------------------------------

def run_torchscript(loaded, request: dict, options: dict, opset: int, out_path: str) -> dict:
    """torch.onnx.export of the loaded model with the TorchScript exporter."""
    input_names, output_names = io_names(loaded)
    dynamic_axes = None
    if options["dynamic_batch"]:
        dynamic_axes = {name: {0: "batch"} for name in input_names + output_names}
    model = script_model(loaded.model) if options["mode"] == "script" else loaded.model
    kwargs = {} if torch.__version__.startswith("1.") else {"dynamo": False}
    try:
        torch.onnx.export(model, export_args(loaded.args), out_path, opset_version=opset,
                          do_constant_folding=options["constant_folding"],
                          input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, **kwargs)
    except onnx.checker.ValidationError as e:
        raise as_checker_error(e)
    return graph_names(out_path, input_names, output_names)


def as_checker_error(error: Exception) -> Exception:
    """The CheckerError torch.onnx.export (1.13) means to raise when its final check fails.

    torch wraps the checker's RuntimeError in CheckerError, but once the onnx package is imported
    (this worker needs it) pybind translates the C++ ValidationError into onnx's own Python
    class, which is no RuntimeError and escapes the wrapper. Restored here so that the error type
    and signature do not depend on what else the process imported.
    """
    if torchscript_stage(error) != "export":  # a ValidationError from elsewhere
        return error
    wrapped = torch.onnx.errors.CheckerError(error)
    wrapped.__cause__ = error
    wrapped.__traceback__ = error.__traceback__
    return wrapped


def script_model(model: torch.nn.Module):
    try:
        return torch.jit.script(model)
    except Exception as e:
        e.convcheck_stage = "load_model"  # scripting is this mode's way of loading the model
        raise


# Which stage a traceback frame belongs to. The innermost frame that matches decides, so frames
# of model code (torchvision, torch.nn, the user's file) count for whatever runs them: tracing
# when torch/jit/_trace.py is further out, a symbolic function when symbolic_*.py is.
TORCHSCRIPT_FILES = r"torch/onnx/(?:_internal/torchscript_exporter/)?"
STAGE_BY_FILE = [
    (re.compile(TORCHSCRIPT_FILES + r"symbolic_[a-z0-9_]+\.py$"), "node_conversion"),
    (re.compile(r"torch/onnx/_internal/(?:torchscript_exporter/)?jit_utils\.py$"),
     "node_conversion"),
    (re.compile(TORCHSCRIPT_FILES + r"onnx_proto_utils\.py$"), "export"),  # writes the file
    (re.compile(r"torch/jit/(_trace|_script|_recursive|frontend|annotations)\.py$"), "load_model"),
    (re.compile(r"torch/_jit_internal\.py$"), "load_model"),
]
STAGE_BY_FUNCTION = {  # functions of utils.py
    "_run_symbolic_function": "node_conversion",
    "_run_symbolic_method": "node_conversion",
    "_create_jit_graph": "load_model",
    "_trace_and_get_graph_from_model": "load_model",
    "_trace": "load_model",
    "_pre_trace_quant_model": "load_model",
    "_get_example_outputs": "load_model",  # runs a scripted model
}
# Statements of utils.py's _optimize_graph, _model_to_graph and _export; errors raised in C++
# passes show up as a frame on the line that called the pass. Checked in order.
STAGE_BY_LINE = [
    ("_jit_pass_onnx(", "node_conversion"),
    ("_export_onnx(", "export"),
    ("_export_file(", "export"),
    ("_check_onnx_proto(", "export"),
    ("CheckerError", "export"),
    ("opened_file.write(", "export"),
    ("_jit_pass_", "optimization"),
]
TORCHSCRIPT_UTILS = re.compile(TORCHSCRIPT_FILES + r"utils\.py$")


def torchscript_stage(error: BaseException) -> str:
    stage = getattr(error, "convcheck_stage", None)
    if stage:
        return stage
    if isinstance(error, ProtocolError):
        return "request"
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        stage = torchscript_frame_stage(frame)
        if stage:
            return stage
    if isinstance(error, torch.onnx.errors.UnsupportedOperatorError):
        return "node_conversion"
    return "unknown"


def torchscript_frame_stage(frame: traceback.FrameSummary):
    filename = frame.filename.replace(os.sep, "/")
    for pattern, stage in STAGE_BY_FILE:
        if pattern.search(filename):
            return stage
    if not TORCHSCRIPT_UTILS.search(filename):
        return None
    if frame.name in STAGE_BY_FUNCTION:
        return STAGE_BY_FUNCTION[frame.name]
    line = frame.line or ""
    for fragment, stage in STAGE_BY_LINE:
        if fragment in line:
            return stage
    return None


# Opsets each exporter writes, from torch's own constants (torch.onnx._constants): 7 to 17 in
# torch 1.13; in torch 2.14, 7 to 20 for the TorchScript exporter and up to 23 for dynamo.
MIN_OPSET = torch.onnx._constants.ONNX_MIN_OPSET
MAX_OPSET = torch.onnx._constants.ONNX_MAX_OPSET
TORCHSCRIPT_MAX_OPSET = getattr(torch.onnx._constants, "ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET",
                                MAX_OPSET)

TORCHSCRIPT_113 = Converter(
    "torch.onnx@1.13", "torch", run_torchscript, TORCHSCRIPT_OPTIONS, torchscript_stage,
    opsets=(MIN_OPSET, MAX_OPSET),
    opset_reason=f"torch {torch.__version__} exports opsets {MIN_OPSET} to {MAX_OPSET}")
TORCHSCRIPT = Converter(
    "torch.onnx.torchscript", "torch", run_torchscript, TORCHSCRIPT_OPTIONS, torchscript_stage,
    opsets=(MIN_OPSET, TORCHSCRIPT_MAX_OPSET),
    opset_reason=f"torch {torch.__version__}'s TorchScript exporter writes opsets {MIN_OPSET} "
    f"to {TORCHSCRIPT_MAX_OPSET}")


# --- dynamo exporter (torch 2) ---------------------------------------------------------------

TORCHLIB_OPSET = 18  # torch/onnx/_internal/exporter/_constants.py: what torchlib writes


def run_dynamo(loaded, request: dict, options: dict, opset: int, out_path: str) -> dict:
    """torch.onnx.export(..., dynamo=True) of the loaded model.

    torch 2.14 has no `fallback` argument any more: a failed capture is not retried with the
    TorchScript exporter, so the job tests what it says. Weights stay inside the file unless it
    passes 2 GB (external_data=False; torch switches to external data by itself above that).
    """
    input_names, output_names = io_names(loaded)
    args = export_args(loaded.args)
    dynamic_shapes = None
    if options["dynamic_batch"]:
        # One named dimension shared by every input, as the TorchScript exporter's
        # dynamic_axes name them all "batch".
        batch = torch.export.Dim("batch")
        dynamic_shapes = tuple(torch.utils._pytree.tree_map(
            lambda v: {0: batch} if isinstance(v, torch.Tensor) and v.dim() > 0 else None,
            list(loaded.args)))
    converter_log = VersionConverterLog()
    with converter_log:
        torch.onnx.export(loaded.model, args, out_path, dynamo=True, opset_version=opset,
                          input_names=input_names, output_names=output_names,
                          dynamic_shapes=dynamic_shapes, optimize=options["optimize"],
                          report=False, verify=False, external_data=False)
    result = graph_names(out_path, input_names, output_names)
    if opset < TORCHLIB_OPSET:
        result["notes"].insert(0, converter_log.note(opset, written_opset(out_path)))
    return result


def written_opset(path: str) -> int:
    model = onnx.load(path, load_external_data=False)
    return next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))


class VersionConverterLog(logging.Handler):
    """What onnxscript's version converter said while torch down-converted the model.

    torch (2.9+) exports at opset 18 and asks onnxscript to convert to a lower requested opset;
    onnxscript falls back to the onnx C API's version converter and, when that fails too, only
    logs a warning and leaves the model at opset 18.
    """

    LOGGER = "onnxscript.version_converter"

    def __init__(self):
        super().__init__(logging.WARNING)
        self.failure = None

    def __enter__(self):
        logging.getLogger(self.LOGGER).addHandler(self)
        return self

    def __exit__(self, *exc):
        logging.getLogger(self.LOGGER).removeHandler(self)
        return False

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.failure = failure_signature(record.exc_info[1])

    def note(self, requested: int, written: int) -> str:
        if written == requested:
            return (f"exported at opset {TORCHLIB_OPSET} and down-converted to opset "
                    f"{requested} by torch (onnx version converter)")
        reason = f": {self.failure}" if self.failure else ""
        return (f"exported at opset {TORCHLIB_OPSET}; torch's down-conversion to opset "
                f"{requested} failed and the model was kept at opset {written}{reason}")


EXPORTER = r"torch/onnx/_internal/exporter/"
CORE = re.compile(EXPORTER + r"_core\.py$")
COMPAT = re.compile(EXPORTER + r"_compat\.py$")
PROGRAM = re.compile(EXPORTER + r"_onnx_program\.py$")
DYNAMO_STAGES = StageMap(
    # _core.export's steps, _compat.export_compat's own work and saving.
    steps=[
        (re.compile(EXPORTER + r"_capture_strategies\.py$"), None, "", "load_model"),
        (CORE, "export", "strategy(", "load_model"),
        (CORE, "export", "_prepare_exported_program_for_export(", "node_conversion"),
        (CORE, "export", "_exported_program_to_onnx_program(", "node_conversion"),
        (CORE, "export", "convert_version(", "optimization"),
        (CORE, "export", ".optimize(", "optimization"),
        (CORE, "export", "rename_", "export"),
        (COMPAT, "export_compat", "from_dynamic_axes", "load_model"),
        (COMPAT, "export_compat", ".save(", "export"),
        (PROGRAM, "save", "", "export"),
        (PROGRAM, "optimize", "", "optimization"),
    ],
    files=[
        (re.compile(r"onnxscript/(optimizer|rewriter|version_converter)/"), "optimization"),
        (re.compile(r"onnxscript/function_libs/torch_lib/"), "node_conversion"),
        (re.compile(EXPORTER + r"_(building|dispatching|registration|decomp)\.py$"),
         "node_conversion"),
        (re.compile(r"torch/(export|_export|_dynamo)/"), "load_model"),
        (re.compile(r"onnx_ir/(serde|_io)|onnx/(checker|external_data_helper)"), "export"),
    ])


def dynamo_stage(error: BaseException) -> str:
    stage = getattr(error, "convcheck_stage", None) or DYNAMO_STAGES.stage(error)
    if stage:
        return stage
    names = {type(e).__name__ for e in exception_chain(error)}
    if "TorchExportError" in names:
        return "load_model"
    if names & {"ConversionError", "DispatchError", "GraphConstructionError"}:
        return "node_conversion"
    return "unknown"


def dynamo_signature(error: BaseException) -> str:
    """The signature of the innermost cause: what failed, not which step wrapped it."""
    chain = exception_chain(error)
    return failure_signature(chain[-1])


DYNAMO = Converter(
    "torch.onnx.dynamo", "torch", run_dynamo, DYNAMO_OPTIONS, dynamo_stage, dynamo_signature,
    opsets=(MIN_OPSET, MAX_OPSET),
    opset_reason=f"torch {torch.__version__}'s dynamo exporter writes opsets {TORCHLIB_OPSET} to "
    f"{MAX_OPSET} and down-converts to {MIN_OPSET} at the lowest")
