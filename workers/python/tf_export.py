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

import tensorflow as tf

from converters import Converter, StageMap, graph_names
from protocol import Option

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
    result = graph_names(out_path, [s.name for s in specs],
                         [f"output_{k}" for k in range(loaded.num_outputs)])
    result["notes"] = notes + result["notes"]
    return result


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


CONVERT = re.compile(r"tf2onnx/convert\.py$")
TFONNX = re.compile(r"tf2onnx/tfonnx\.py$")
STAGES = StageMap(
    # Statements of from_function, main (the command line) and _convert_common, and of
    # process_tf_graph.
    steps=[
        (CONVERT, "from_function", "get_concrete_function(", "load_model"),
        (CONVERT, "from_function", "tf_loader.from_function(", "load_model"),
        (CONVERT, "main", "tf_loader.from_saved_model(", "load_model"),
        (CONVERT, "_convert_common", "import_graph_def(", "load_model"),
        (CONVERT, "_convert_common", "optimize_graph(", "optimization"),
        (CONVERT, "_convert_common", "make_model(", "export"),
        (CONVERT, "_convert_common", "save_protobuf(", "export"),
        (CONVERT, "_convert_common", "save_onnx_zip(", "export"),
        (TFONNX, "process_tf_graph", "graphs_from_", "load_model"),
        (TFONNX, "process_tf_graph", "process_graphs(", "node_conversion"),
    ],
    files=[
        (re.compile(r"tf2onnx/optimizer/"), "optimization"),
        (re.compile(r"tf2onnx/(onnx_opset|rewriter|late_rewriters|custom_opsets)/"),
         "node_conversion"),
        (re.compile(r"tf2onnx/(tfonnx|handler)\.py$"), "node_conversion"),
        (re.compile(r"tf2onnx/(tf_loader|tf_utils)\.py$"), "load_model"),
        (re.compile(r"onnx/checker\.py$"), "export"),
        (re.compile(r"tensorflow/|keras/|tf_keras/"), "load_model"),
    ])


def stage_of(error: BaseException) -> str:
    return getattr(error, "convcheck_stage", None) or STAGES.stage(error) or "unknown"


TF2ONNX = Converter("tf2onnx", "tf", run_tf2onnx, OPTIONS, stage_of, opsets=OPSETS,
                    opset_reason="tf2onnx 1.17 writes opsets up to 18 (this worker drives it at "
                    "opsets 13 to 18)", logged_notes=(("tf2onnx", 40),))
