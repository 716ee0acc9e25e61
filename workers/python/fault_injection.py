"""TEST DOUBLES: converters that fail on purpose. They are not converters under test.

Each one provokes exactly one kind of failure, so that convcheck's tests can prove that the
supervisor and the oracle classify it (workers/README.md, "Fault-injection test converters").
They are reachable only under the `fault-inject:` prefix, which no real converter uses. Those
that export first use their environment's base converter (torch.onnx@1.13 in torch1.13,
torch.onnx.dynamo in torch2, tf2onnx in tf2) with its options, so they work for PyTorch and
TensorFlow sources alike, and change the written file afterwards.
"""

import dataclasses
import faulthandler
import functools
import math
import os
import signal
import sys
import time

import numpy as np
import onnx
import onnx.helper
from onnx import numpy_helper

from converters import Converter

UNDEFINED_TENSOR = "convcheck_fault_undefined_tensor"
FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16}


class FaultInjectionError(Exception):
    """The model offers nothing this fault can be injected into."""


def perturb_weight(base: Converter, loaded, request: dict, options: dict, opset: int,
                   path: str) -> dict:
    """Exports with the base converter, then changes one element of a weight near the outputs.

    Expected verdict: incorrect_behavior (value_mismatch). The element with the largest magnitude
    is moved by half its magnitude (plus 0.005, so that a zero moves too): small enough to keep
    the model sane, large enough to show in the outputs.
    """
    response = base.run(loaded, request, options, opset, path)
    # External data (models over 2 GB) stays where it is; only the changed tensor moves inline.
    model = onnx.load(path, load_external_data=False)
    tensor = tensor_to_perturb(model)
    array = numpy_helper.to_array(tensor, base_dir=os.path.dirname(path)).copy()
    index = int(np.argmax(np.abs(array)))
    old = array.flat[index].item()
    array.flat[index] += 0.5 * (abs(old) + 1e-2)
    tensor.CopyFrom(numpy_helper.from_array(array, tensor.name))
    onnx.save(model, path)
    response["fault_injection"] = {
        "tensor": tensor.name or "<Constant value>",
        "index": [int(i) for i in np.unravel_index(index, array.shape)],
        "old": old,
        "new": array.flat[index].item(),
    }
    return response


def tensor_to_perturb(model: onnx.ModelProto) -> onnx.TensorProto:
    """The largest weight of the node nearest the outputs that has one.

    Not simply the model's largest weight: a change deep inside a network is diluted on the way
    out (one conv weight of resnet18 moved its logits by 2e-4), and some models ignore most of
    their weights (torchvision's ViT initialises its head to zero, so with random weights its
    outputs are 0 whatever the body computes). A weight is a float initializer with at least two
    dimensions, which excludes biases and Resize scales. Without one, any float initializer or
    Constant will do.
    """
    initializers = {t.name: t for t in model.graph.initializer if t.data_type in FLOAT_TYPES}
    # ONNX graphs are topologically sorted: the last nodes are nearest the outputs.
    for node in reversed(model.graph.node):
        weights = [initializers[name] for name in node.input
                   if name in initializers and len(initializers[name].dims) >= 2]
        if weights:
            return max(weights, key=lambda t: math.prod(t.dims))
    constants = [attr.t for node in model.graph.node if node.op_type == "Constant"
                 for attr in node.attribute if attr.name == "value"]
    candidates = list(initializers.values()) + [t for t in constants
                                                if t.data_type in FLOAT_TYPES]
    if not candidates:
        raise FaultInjectionError("fault-inject:perturb-weight: the exported model has no float "
                                  "initializer or float Constant to perturb")
    # max() keeps the first of equals: initializers come before constants.
    return max(candidates, key=lambda t: math.prod(t.dims))


def invalid_model(base: Converter, loaded, request: dict, options: dict, opset: int,
                  path: str) -> dict:
    """Exports with the base converter, then points one node input at a tensor nothing defines.

    Expected verdict: invalid_model. Saved without the checker, which would refuse it.
    """
    response = base.run(loaded, request, options, opset, path)
    model = onnx.load(path, load_external_data=False)
    node = next((n for n in model.graph.node if any(n.input)), None)
    if node is None:
        raise FaultInjectionError("fault-inject:invalid-model: the exported model has no node "
                                  "with an input to redirect")
    input_index = next(i for i, name in enumerate(node.input) if name)
    response["fault_injection"] = {"node": node.name, "op_type": node.op_type,
                                   "input_index": input_index, "old": node.input[input_index],
                                   "new": UNDEFINED_TENSOR}
    node.input[input_index] = UNDEFINED_TENSOR
    onnx.save(model, path)
    return response


def miscompile_relu(base: Converter, loaded, request: dict, options: dict, opset: int,
                    path: str) -> dict:
    """Exports with the base converter, then turns every Relu into LeakyRelu(alpha=0.1).

    Expected verdict: incorrect_behavior (value_mismatch), blamed on the converter, but only for
    models that contain a relu; others pass. A silent, operator-specific miscompilation like
    those the study found: what `convcheck reduce` must narrow down to the relu.
    """
    response = base.run(loaded, request, options, opset, path)
    model = onnx.load(path, load_external_data=False)
    changed = 0
    for node in model.graph.node:
        if node.op_type == "Relu":
            node.op_type = "LeakyRelu"
            node.attribute.append(onnx.helper.make_attribute("alpha", 0.1))
            changed += 1
    onnx.save(model, path)
    response["fault_injection"] = {"relu_nodes_changed": changed}
    return response


def raise_error(base: Converter, loaded, request: dict, options: dict, opset: int,
                path: str) -> dict:
    """Expected verdict: converter_crash (the worker survives and answers ok: false)."""
    raise RuntimeError("fault-inject: converter raised on purpose")


def hang(base: Converter, loaded, request: dict, options: dict, opset: int, path: str) -> dict:
    """Expected verdict: converter_timeout. Sleeps in short steps so that signals get through."""
    while True:
        time.sleep(1)


def segfault(base: Converter, loaded, request: dict, options: dict, opset: int,
             path: str) -> dict:
    """Expected verdict: converter_crash. The worker dies by SIGSEGV, as a crash in C++ would."""
    sys.stdout.flush()
    sys.stderr.flush()
    # faulthandler would print a traceback first and then re-raise; the signal's default action
    # must be what ends the process, so that the supervisor sees death by SIGSEGV.
    faulthandler.disable()
    signal.signal(signal.SIGSEGV, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGSEGV)
    while True:  # the signal is delivered asynchronously
        time.sleep(1)


DOUBLES = {
    "fault-inject:perturb-weight": perturb_weight,
    "fault-inject:raise": raise_error,
    "fault-inject:hang": hang,
    "fault-inject:segfault": segfault,
    "fault-inject:invalid-model": invalid_model,
    "fault-inject:miscompile-relu": miscompile_relu,
}


def doubles(base: Converter) -> dict:
    """The test doubles built on `base`: its framework, options and stage map, another run."""
    return {name: dataclasses.replace(base, name=name, run=functools.partial(double, base))
            for name, double in DOUBLES.items()}
