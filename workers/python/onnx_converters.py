"""The ONNX-to-ONNX tools as converters, in the onnx environment: onnx.version_converter,
ort.optimizer (ONNX Runtime's saved optimized model), onnxsim and onnxoptimizer.

Their source is an ONNX file (`onnx:/abs/path.onnx`). The worker only transforms it: the
reference outputs come from the original model on convcheck's ref64, computed on the C++ side
(src/pipeline/onnx_source.h), so `load_source` is not offered here. `export` goes through
converters.export like every other converter, with an `onnx` source kind whose "model" is the
file's path and which runs nothing.

Stages: reading the input file is `load_model`, the tool's transformation `optimization` (these
tools are optimizers; the version converter's adapters are counted there too), writing the
result `export`.
"""

import os

import onnx

import sources
from converters import Converter, graph_names
from protocol import Option, SourceError


class OnnxFile(sources.Framework):
    """An ONNX model as a source: nothing to run, the tools read the file."""

    name = "onnx"
    model_description = "an ONNX model file"

    def seed(self, seed: int) -> None:
        pass

    def run(self, call, args: tuple):
        return ()

    def flatten(self, value) -> list:
        return list(value)


def build_onnx(name: str, seed: int, input_shapes, env) -> sources.BuiltSource:
    if not os.path.isabs(name):
        raise SourceError(f"onnx source '{name}' must be an absolute path")
    if not os.path.isfile(name):
        raise SourceError(f"onnx source '{name}': no such file")
    return sources.BuiltSource(name, None, lambda set_index: (), {"family": "onnx"}, OnnxFile())


ONNX_SOURCE = sources.SourceKind(build_onnx)


class StageError(Exception):
    """Marks the stage of a failure the tool raised without saying where."""


def staged(stage: str, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except Exception as e:
        e.convcheck_stage = getattr(e, "convcheck_stage", None) or stage
        raise


def original_names(path: str) -> tuple:
    graph = onnx.load(path, load_external_data=False).graph
    initializers = {t.name for t in graph.initializer}
    return ([v.name for v in graph.input if v.name not in initializers],
            [v.name for v in graph.output])


def finish(loaded, model, out_path: str) -> dict:
    """Saves the transformed model and names its inputs and outputs as the original's."""
    staged("export", onnx.save, model, out_path)
    inputs, outputs = original_names(loaded.model)
    return graph_names(out_path, inputs, outputs)


def run_version_converter(loaded, request: dict, options: dict, opset: int,
                          out_path: str) -> dict:
    from onnx import version_converter

    model = staged("load_model", onnx.load, loaded.model)
    source_opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
                        None)
    converted = staged("optimization", version_converter.convert_version, model, opset)
    result = finish(loaded, converted, out_path)
    result["notes"] = [f"converted from opset {source_opset} to opset {opset}"] + result["notes"]
    return result


ORT_LEVELS = {"basic": "ORT_ENABLE_BASIC", "extended": "ORT_ENABLE_EXTENDED"}


def run_ort_optimizer(loaded, request: dict, options: dict, opset: int, out_path: str) -> dict:
    import onnxruntime as ort

    session_options = ort.SessionOptions()
    session_options.graph_optimization_level = getattr(ort.GraphOptimizationLevel,
                                                       ORT_LEVELS[options["level"]])
    session_options.optimized_model_filepath = out_path
    session_options.intra_op_num_threads = 1
    session_options.inter_op_num_threads = 1
    # Creating the session optimizes the graph and writes it; nothing is run.
    staged("optimization", ort.InferenceSession, loaded.model, session_options,
           providers=["CPUExecutionProvider"])
    if not os.path.exists(out_path):
        raise StageError(f"onnxruntime wrote no optimized model to {out_path}")
    inputs, outputs = original_names(loaded.model)
    result = graph_names(out_path, inputs, outputs)
    result["notes"] = [f"onnxruntime {ort.__version__} at level {options['level']}"] + \
        result["notes"]
    return result


def run_onnxsim(loaded, request: dict, options: dict, opset: int, out_path: str) -> dict:
    import onnxsim

    model = staged("load_model", onnx.load, loaded.model)
    # check_n=0: onnxsim's own check (ORT on random inputs) is what convcheck does properly.
    simplified, _ = staged("optimization", onnxsim.simplify, model, check_n=0,
                           perform_optimization=options["optimization"])
    return finish(loaded, simplified, out_path)


def run_onnxoptimizer(loaded, request: dict, options: dict, opset: int, out_path: str) -> dict:
    import onnxoptimizer

    model = staged("load_model", onnx.load, loaded.model)
    optimized = staged("optimization", onnxoptimizer.optimize, model,
                       onnxoptimizer.get_fuse_and_elimination_passes(),
                       fixed_point=options["fixed_point"])
    return finish(loaded, optimized, out_path)


def stage_of(error: BaseException) -> str:
    return getattr(error, "convcheck_stage", None) or "unknown"


def tool(name: str, run, options: dict, opsets=None, reason: str = "") -> Converter:
    return Converter(name, "onnx", run, options, stage_of, opsets=opsets, opset_reason=reason)


KEEPS_OPSET = "the tool keeps the model's own opset; the request's opset must be 0"
VERSION_CONVERTER = tool("onnx.version_converter", run_version_converter, {}, (7, 23),
                         "the target opset must be 7 to 23")
ORT_OPTIMIZER = tool("ort.optimizer", run_ort_optimizer,
                     {"level": Option("basic", choices=("basic", "extended"))}, (0, 0),
                     KEEPS_OPSET)
ONNXSIM = tool("onnxsim", run_onnxsim, {"optimization": Option(True)}, (0, 0), KEEPS_OPSET)
ONNXOPTIMIZER = tool("onnxoptimizer", run_onnxoptimizer, {"fixed_point": Option(False)}, (0, 0),
                     KEEPS_OPSET)
