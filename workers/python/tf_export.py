"""tf2onnx 1.17 on TensorFlow 2: two routes, and reading off which stage a failure came from.

Routes (option `route`), both documented by tf2onnx for Keras 3, whose `from_keras` is broken:
- `function`: `tf2onnx.convert.from_function(tf.function(lambda *x: model(*x, training=False)),
  input_signature=[tf.TensorSpec(..., name="input_K")])`;
- `saved_model`: save the model with that function as its serving_default signature to a
  SavedModel under the job's scratch folder, then convert it with tf2onnx's command-line path
  (`python -m tf2onnx.convert --saved-model DIR`, run in-process).
The function returns `{"output_K": tensor}`, so that tf2onnx names the graph's outputs output_K.

Stages, from tf2onnx's convert.py (from_function, main, _convert_common) and tfonnx.py
(process_tf_graph): tracing the function or loading the SavedModel, freezing and grappler
(tf_loader) and parsing the TF graph into tf2onnx's (graphs_from_tf) are load_model; the
rewriters and op handlers (process_graphs: tfonnx.py, rewriter/, onnx_opset/) node_conversion;
tf2onnx/optimizer/ optimization; make_model and writing the file export.
"""

import os
import re
import shutil
import sys
import tempfile
import traceback

import tensorflow as tf

from converters import Converter
from protocol import Option, exception_chain

OPTIONS = {"route": Option("function", choices=("function", "saved_model")),
           "dynamic_batch": Option(False)}
OPSETS = (13, 18)


def signature(loaded, dynamic_batch: bool) -> list:
    specs = []
    for index, tensor in enumerate(loaded.framework.flatten(loaded.args)):
        shape = list(tensor.shape)
        if dynamic_batch and shape:
            shape[0] = None
        specs.append(tf.TensorSpec(shape, tensor.dtype, name=f"input_{index}"))
    return specs


def named_outputs(loaded):
    """The model's call returning its flattened outputs as {"output_K": tensor}."""
    flatten = loaded.framework.flatten

    def outputs(*inputs):
        return {f"output_{k}": t for k, t in enumerate(flatten(loaded.call(*inputs)))}
    return outputs


def run_tf2onnx(loaded, request: dict, options: dict, opset: int, out_path: str) -> dict:
    import tf2onnx

    specs = signature(loaded, options["dynamic_batch"])
    function = tf.function(named_outputs(loaded), input_signature=specs)
    notes = []
    if options["route"] == "function":
        tf2onnx.convert.from_function(function, input_signature=specs, opset=opset,
                                      output_path=out_path)
    else:
        scratch = tempfile.mkdtemp(prefix="savedmodel-", dir=os.path.dirname(out_path))
        try:
            save_model(loaded, function, scratch)
            convert_saved_model(scratch, opset, out_path)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        notes.append("converted through a SavedModel with tf2onnx's --saved-model path")
    num_outputs = loaded.num_outputs
    return {"input_names": [s.name for s in specs],
            "output_names": [f"output_{k}" for k in range(num_outputs)],
            "notes": notes}


def save_model(loaded, function, directory: str) -> None:
    """Writes the model to a SavedModel whose serving_default signature is `function`."""
    module = tf.Module()
    module.source = loaded.model  # tracks the variables the function reads
    module.serve = function
    try:
        tf.saved_model.save(module, directory,
                            signatures={"serving_default": function.get_concrete_function()})
    except Exception as e:
        e.convcheck_stage = "load_model"  # this route's way of handing the model to tf2onnx
        raise


def convert_saved_model(directory: str, opset: int, out_path: str) -> None:
    """`python -m tf2onnx.convert --saved-model DIR ... --output PATH`, in this process."""
    from tf2onnx import convert

    argv = sys.argv
    sys.argv = ["tf2onnx.convert", "--saved-model", directory, "--tag", "serve",
                "--signature_def", "serving_default", "--opset", str(opset), "--output",
                out_path]
    try:
        convert.main()
    except SystemExit as e:  # argparse refusing the arguments: our bug, not the converter's
        raise RuntimeError(f"tf2onnx.convert exited with status {e.code}") from None
    finally:
        sys.argv = argv


TF2ONNX_DIR = r"tf2onnx/"
# Statements of tf2onnx's drivers that start a step, checked from the outermost frame inwards.
STEPS = [
    ("convert.py", "from_function", "get_concrete_function(", "load_model"),
    ("convert.py", "from_function", "tf_loader.from_function(", "load_model"),
    ("convert.py", "main", "tf_loader.from_saved_model(", "load_model"),
    ("convert.py", "_convert_common", "import_graph_def(", "load_model"),
    ("convert.py", "_convert_common", "optimize_graph(", "optimization"),
    ("convert.py", "_convert_common", "make_model(", "export"),
    ("convert.py", "_convert_common", "save_protobuf(", "export"),
    ("convert.py", "_convert_common", "save_onnx_zip(", "export"),
    ("tfonnx.py", "process_tf_graph", "graphs_from_", "load_model"),
    ("tfonnx.py", "process_tf_graph", "process_graphs(", "node_conversion"),
]
# Files that tell the stage when no driver statement does (innermost first).
FILES = [
    (re.compile(TF2ONNX_DIR + r"optimizer/"), "optimization"),
    (re.compile(TF2ONNX_DIR + r"(onnx_opset|rewriter|late_rewriters|custom_opsets)/"),
     "node_conversion"),
    (re.compile(TF2ONNX_DIR + r"(tfonnx|handler)\.py$"), "node_conversion"),
    (re.compile(TF2ONNX_DIR + r"(tf_loader|tf_utils)\.py$"), "load_model"),
    (re.compile(r"onnx/checker\.py$"), "export"),
    (re.compile(r"tensorflow/|keras/|tf_keras/"), "load_model"),
]


def stage_of(error: BaseException) -> str:
    stage = getattr(error, "convcheck_stage", None)
    if stage:
        return stage
    frames = [f for e in exception_chain(error) for f in traceback.extract_tb(e.__traceback__)]
    for frame in frames:
        filename = frame.filename.replace(os.sep, "/")
        if TF2ONNX_DIR not in filename:
            continue
        line = (frame.line or "").strip()
        for file, function, fragment, stage in STEPS:
            if filename.endswith(TF2ONNX_DIR + file) and frame.name == function \
                    and fragment in line:
                return stage
    for frame in reversed(frames):
        filename = frame.filename.replace(os.sep, "/")
        for pattern, stage in FILES:
            if pattern.search(filename):
                return stage
    return "unknown"


TF2ONNX = Converter("tf2onnx", "tf", run_tf2onnx, OPTIONS, stage_of, opsets=OPSETS,
                    opset_reason="tf2onnx 1.17 writes opsets up to 18 (this worker drives it at "
                    "opsets 13 to 18)", logged_notes=(("tf2onnx", 40),))
