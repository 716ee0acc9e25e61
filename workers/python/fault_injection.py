"""TEST DOUBLES: converters that fail on purpose. They are not converters under test.

Each one provokes exactly one kind of failure, so that convcheck's tests can prove that the
supervisor and the oracle classify it (workers/README.md, "Fault-injection test converters").
They are reachable only under the `fault-inject:` prefix, which no real converter uses.
"""

import faulthandler
import math
import os
import signal
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper

import export

UNDEFINED_TENSOR = "convcheck_fault_undefined_tensor"
FLOAT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16}


class FaultInjectionError(Exception):
    """The model offers nothing this fault can be injected into."""


def perturb_weight(loaded, request: dict) -> dict:
    """Exports with torch.onnx, then changes one element of the largest float tensor.

    Expected verdict: incorrect_behavior (value_mismatch). The element with the largest magnitude
    is moved by half its magnitude (plus 0.005, so that a zero moves too): small enough to keep
    the model sane, large enough to show in the outputs.
    """
    response = export.export_torch_onnx(loaded, request)
    path = request["out_path"]
    # External data (models over 2 GB) stays where it is; only the changed tensor moves inline.
    model = onnx.load(path, load_external_data=False)
    tensor = largest_float_tensor(model)
    array = numpy_helper.to_array(tensor, base_dir=os.path.dirname(path)).copy()
    index = int(np.argmax(np.abs(array)))
    old = array.flat[index].item()
    array.flat[index] += 0.5 * (abs(old) + 1e-2)
    tensor.CopyFrom(numpy_helper.from_array(array, tensor.name))
    onnx.save(model, path)
    response["fault_injection"] = {
        "tensor": tensor.name,
        "index": [int(i) for i in np.unravel_index(index, array.shape)],
        "old": old,
        "new": array.flat[index].item(),
    }
    return response


def largest_float_tensor(model: onnx.ModelProto) -> onnx.TensorProto:
    """The float initializer, or else the float Constant value, with the most elements."""
    constants = [attr.t for node in model.graph.node if node.op_type == "Constant"
                 for attr in node.attribute if attr.name == "value"]
    candidates = [t for t in list(model.graph.initializer) + constants
                  if t.data_type in FLOAT_TYPES]
    if not candidates:
        raise FaultInjectionError("fault-inject:perturb-weight: the exported model has no float "
                                  "initializer or float Constant to perturb")
    # max() keeps the first of equals: initializers come before constants.
    return max(candidates, key=lambda t: math.prod(t.dims))


def invalid_model(loaded, request: dict) -> dict:
    """Exports with torch.onnx, then points one node input at a tensor nothing defines.

    Expected verdict: invalid_model. Saved without the checker, which would refuse it.
    """
    response = export.export_torch_onnx(loaded, request)
    path = request["out_path"]
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


def raise_error(loaded, request: dict) -> dict:
    """Expected verdict: converter_crash (the worker survives and answers ok: false)."""
    raise RuntimeError("fault-inject: converter raised on purpose")


def hang(loaded, request: dict) -> dict:
    """Expected verdict: converter_timeout. Sleeps in short steps so that signals get through."""
    while True:
        time.sleep(1)


def segfault(loaded, request: dict) -> dict:
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


CONVERTERS = {
    "fault-inject:perturb-weight": perturb_weight,
    "fault-inject:raise": raise_error,
    "fault-inject:hang": hang,
    "fault-inject:segfault": segfault,
    "fault-inject:invalid-model": invalid_model,
}
