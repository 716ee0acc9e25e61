"""The onnx environment's ops: check_model (onnx's checker) and run (OpenVINO's CPU plugin).

check_model validates with onnx 1.23's checker, which knows every IR version and opset the
current converters write (the onnx 1.12 C++ checker of the C++ side stops at IR version 8).
run executes a model with OpenVINO, a third engine beside ONNX Runtime and our interpreter.
Both take paths, so models over 2 GB with external data work. workers/README.md has the contract.
"""

import collections
import errno
import os
import re
import tempfile
import time

import numpy as np
import onnx
import onnx.shape_inference
import openvino

from protocol import Environment, ProtocolError, annotate, check_type, required
from sources import NPY_DTYPES

# --- check_model -----------------------------------------------------------------------------

# Where onnx's messages name the node they are about.
NODE_PATTERNS = [
    re.compile(r"name: (?P<name>\S*) OpType: (?P<op>\w+)", re.I),  # checker: node specs
    re.compile(r"\(op_type:(?P<op>\w+), node name: (?P<name>[^)]*)\)"),  # shape inference
    re.compile(r"No Op registered for (?P<op>\w+) with domain_version"),
]


def check_model(request: dict, env: Environment) -> dict:
    path = check_type("model", required(request, "model"), str, "a path")
    if not os.path.isfile(path):
        raise annotate(FileNotFoundError(f"model '{path}' does not exist"), stage="io")
    result = {"checker": f"onnx {onnx.__version__}"}
    try:
        # full_check adds shape inference with type checking in strict mode.
        onnx.checker.check_model(path, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:
        return {"valid": False, "check": "checker", **describe_invalid(e), **result}
    try:
        # Once more with data propagation, which full_check leaves out: shapes computed from
        # Shape, Gather, Concat... then reach Reshape and Expand and are checked there too.
        with tempfile.TemporaryDirectory(prefix="convcheck-shapes-") as directory:
            onnx.shape_inference.infer_shapes_path(path, os.path.join(directory, "m.onnx"),
                                                   check_type=True, strict_mode=True,
                                                   data_prop=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:
        return {"valid": False, "check": "shape_inference", **describe_invalid(e), **result}
    return {"valid": True, "check": "shape_inference", "message": "", "node_name": None,
            "op_type": None, **result}


def describe_invalid(error: Exception) -> dict:
    message = str(error).strip()
    node_name = op_type = None
    for pattern in NODE_PATTERNS:
        match = pattern.search(message)
        if match:
            op_type = match.group("op")
            node_name = match.groupdict().get("name")
            break
    return {"message": message[:2000], "node_name": node_name, "op_type": op_type}


# --- run -------------------------------------------------------------------------------------

MAX_MODELS = 4  # compiled models kept; each holds its weights
_compiled = collections.OrderedDict()  # (path, mtime_ns, size, threads) -> CompiledEntry
_core = None

CompiledEntry = collections.namedtuple("CompiledEntry", "model inputs outputs")


class OpenVinoError(Exception):
    pass


class InputMismatch(Exception):
    pass


class UnsupportedOutput(Exception):
    pass


class NpyError(Exception):
    pass


# OpenVINO raises RuntimeError with its C++ message; the stable code is read off the message
# (the ONNX frontend's failure kind, "FrontEnd API failed with <Kind>", and known texts), first
# match wins. Checked on OpenVINO 2026.4 with a missing file, a corrupt file, an operator without
# conversion rule (a custom domain, StringNormalizer), a dangling node input, an Add of float and
# int64 and an input of the wrong shape (workers/README.md).
ERROR_CODES = [
    (re.compile(r"Could not open the file|No such file"), "NO_SUCHFILE"),
    (re.compile(r"Unable to read the model"), "INVALID_PROTOBUF"),
    (re.compile(r"No conversion rule found for operations|NotImplementedFailure"),
     "NOT_IMPLEMENTED"),
    (re.compile(r"OpConversionFailure|OpValidationFailure|While validating|"
                r"Input tensor isn't found|InitializationFailure"), "INVALID_GRAPH"),
    (re.compile(r"input tensor size is not equal|incorrect (shape|precision|element type)|"
                r"[Ii]nput .*(element type|shape) .*(mismatch|incompatible|not equal)"),
     "INVALID_ARGUMENT"),
]
# Lines of OpenVINO's messages that only locate the check in its sources.
LOCATION_LINE = re.compile(r"^(Exception from \S+:|Check '.*' failed at \S+:|"
                           r"FrontEnd API failed with \w+:)$")


def error_code(message: str) -> str:
    for pattern, code in ERROR_CODES:
        if pattern.search(message):
            return code
    return "GENERAL_ERROR"


def openvino_message(message: str) -> str:
    """OpenVINO's message on one line, without the lines that locate checks in its sources."""
    lines = [line.strip() for line in message.splitlines()]
    kept = [line for line in lines if line and not LOCATION_LINE.match(line)]
    return " ".join(kept or lines)[:1000]


def core() -> openvino.Core:
    global _core
    if _core is None:
        _core = openvino.Core()
    return _core


def compile_model(path: str, threads: int) -> tuple:
    """(entry, load seconds); compiled models are cached by file identity and thread count."""
    try:
        stat = os.stat(path)
        key = (os.path.realpath(path), stat.st_mtime_ns, stat.st_size, threads)
    except OSError:
        key = None  # leave the missing file to OpenVINO, whose error is reported
    if key in _compiled:
        _compiled.move_to_end(key)
        return _compiled[key], 0.0
    start = time.perf_counter()
    config = {
        # f32 everywhere: on CPUs with bf16 or f16 support the plugin would otherwise compute
        # in reduced precision (its default hint), which is no fair comparison.
        "INFERENCE_PRECISION_HINT": "f32",
        "EXECUTION_MODE_HINT": "ACCURACY",
        "DYNAMIC_QUANTIZATION_GROUP_SIZE": "0",
        "NUM_STREAMS": "1",
    }
    if threads > 0:
        config["INFERENCE_NUM_THREADS"] = str(threads)
    model = core().read_model(path)
    compiled = core().compile_model(model, "CPU", config)
    graph = onnx.load(path, load_external_data=False).graph
    initializers = {t.name for t in graph.initializer}
    entry = CompiledEntry(compiled, [v.name for v in graph.input if v.name not in initializers],
                          [v.name for v in graph.output])
    if key is not None:
        _compiled[key] = entry
        while len(_compiled) > MAX_MODELS:
            _compiled.popitem(last=False)
    return entry, time.perf_counter() - start


def run(request: dict, env: Environment) -> dict:
    model = check_type("model", required(request, "model"), str, "a path")
    inputs = check_type("inputs", required(request, "inputs"), list, "a list of paths")
    output_dir = check_type("output_dir", required(request, "output_dir"), str, "a path")
    threads = check_type("threads", request.get("threads", env.threads), int, "an integer")
    if threads < 0 or not all(isinstance(p, str) for p in inputs):
        raise ProtocolError("threads must be >= 0 and inputs a list of paths")
    wanted = request.get("output_names")
    if wanted is not None and not (isinstance(wanted, list)
                                   and all(isinstance(n, str) for n in wanted)):
        raise ProtocolError("output_names must be a list of strings")

    stage = "load"
    try:
        entry, load_s = compile_model(model, threads)
        stage = "run"
        if len(entry.inputs) != len(inputs):
            raise annotate(InputMismatch(
                f"model has {len(entry.inputs)} input(s) ({', '.join(entry.inputs)}) but "
                f"{len(inputs)} input file(s) were given"), code="INVALID_ARGUMENT")
        stage = "io"
        feeds = {name: read_npy(p) for name, p in zip(entry.inputs, inputs)}
        stage = "run"
        start = time.perf_counter()
        request_ = entry.model.create_infer_request()
        request_.infer(feeds)
        run_s = time.perf_counter() - start
        stage = "output"
        names = entry.outputs if wanted is None else wanted
        for name in names:
            if name not in entry.outputs:
                raise ProtocolError(f"model has no output '{name}'; its outputs: "
                                    + ", ".join(entry.outputs))
        arrays = [output_array(request_, entry, entry.outputs.index(n)) for n in names]
        stage = "io"
        os.makedirs(output_dir, exist_ok=True)
        outputs = []
        for k, (name, array) in enumerate(zip(names, arrays)):
            file = os.path.join(output_dir, f"output_{k}.npy")
            np.save(file, array)
            outputs.append({"name": name, "path": file, "shape": list(array.shape),
                            "dtype": array.dtype.name})
    except ProtocolError:
        raise
    except Exception as e:
        fields = {"stage": stage}
        if isinstance(e, OSError) and e.errno:
            fields["code"] = errno.errorcode.get(e.errno, "UNKNOWN")  # ENOENT, as Node says
        if stage in ("load", "run"):
            fields["code"] = error_code(str(e))
            if type(e) is RuntimeError:  # OpenVINO's own errors
                fields["full_message"] = str(e)
                raise annotate(wrap_openvino(e), **fields) from None
        raise annotate(e, **fields)
    return {"outputs": outputs, "elapsed_s": {"load": round(load_s, 4), "run": round(run_s, 4)}}


def wrap_openvino(error: RuntimeError) -> OpenVinoError:
    wrapped = OpenVinoError(openvino_message(str(error)))
    wrapped.__traceback__ = error.__traceback__
    return wrapped


def read_npy(path: str) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)
    except OSError:
        raise
    except Exception as e:
        raise NpyError(f"'{path}' is not a .npy file this worker reads: {e}") from e
    return np.ascontiguousarray(array)


def output_array(infer_request, entry: CompiledEntry, index: int) -> np.ndarray:
    name = entry.outputs[index]
    try:
        tensor = infer_request.get_tensor(name)
    except RuntimeError:  # OpenVINO renamed it: outputs keep the graph's order
        tensor = infer_request.get_output_tensor(index)
    array = np.array(tensor.data, copy=True, order="C")
    if array.dtype.str not in NPY_DTYPES:
        raise UnsupportedOutput(f"output '{name}' has element type {tensor.element_type}, which "
                                ".npy files here cannot carry")
    return array
