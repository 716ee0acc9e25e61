"""Source models for the Python worker: build them, make their inputs, compute reference outputs.

A source is `torchvision:NAME` or `python:/abs/path.py` (see workers/README.md, `load_source`).
The last source loaded stays in memory so that `export` does not build it again.
"""

import copy
import dataclasses
import functools
import importlib.util
import inspect
import itertools
import os
import sys
import time
from typing import Any, Callable, Optional

import numpy as np
import torch
import torchvision

from protocol import ProtocolError, required


@dataclasses.dataclass(frozen=True)
class Family:
    """How the builders of one torchvision family are called and what they take as input."""

    module: Optional[str]  # submodule of torchvision.models; None: the top-level classifiers
    input_shapes: tuple  # one shape per input tensor
    distribution: str  # key of DISTRIBUTIONS
    packing: str  # key of PACKINGS
    builder_kwargs: dict = dataclasses.field(default_factory=dict)


FAMILIES = {
    "classification": Family(None, ((1, 3, 224, 224),), "normal", "positional"),
    "segmentation": Family("segmentation", ((1, 3, 224, 224),), "normal", "positional"),
    # Detection models take a list of 3xHxW images with values in [0, 1] and resize them
    # internally (to 800 px for the R-CNNs), so a small image only saves the input files.
    "detection": Family("detection", ((3, 224, 224),), "uniform01", "image_list"),
    "video": Family("video", ((1, 3, 16, 112, 112),), "normal", "positional"),
    # RAFT takes two frames; H and W must be multiples of 8.
    "optical_flow": Family("optical_flow", ((1, 3, 128, 128), (1, 3, 128, 128)), "normal",
                           "positional"),
    # quantize=True gives the int8 model the builder's name promises. torchvision defaults to the
    # fbgemm engine, which Debian's torch is built without; qnnpack is there.
    "quantization": Family("quantization", ((1, 3, 224, 224),), "normal", "positional",
                           {"quantize": True, "backend": "qnnpack"}),
}

# Builders whose default configuration expects or needs another input size than their family's.
INPUT_SHAPES_BY_MODEL = {
    "inception_v3": ((1, 3, 299, 299),),
    "quantized_inception_v3": ((1, 3, 299, 299),),
    # MViT's positional embeddings are built for 16x224x224 clips; S3D's final pooling needs at
    # least 14x224x224.
    "mvit_v1_b": ((1, 3, 16, 224, 224),),
    "mvit_v2_s": ((1, 3, 16, 224, 224),),
    "s3d": ((1, 3, 16, 224, 224),),
}

DISTRIBUTIONS = {"normal": torch.randn, "uniform01": torch.rand}

# How a flat list of input tensors becomes the model's positional arguments.
PACKINGS = {
    "positional": lambda tensors: tuple(tensors),
    "image_list": lambda tensors: (list(tensors),),
}

# .npy dtypes the other side of the protocol reads (workers/README.md, "Tensors").
NPY_DTYPES = {"<f4", "<f8", "<f2", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "|b1"}


class SourceError(Exception):
    """The request names a source that cannot be built as asked."""


@dataclasses.dataclass
class BuiltSource:
    model: torch.nn.Module
    make_args: Callable[[int], tuple]  # input set index -> positional arguments of the model
    info: dict


@dataclasses.dataclass
class LoadedSource:
    key: tuple
    model: torch.nn.Module
    args: tuple  # input set 0, as the model takes it
    num_inputs: int  # flattened
    num_outputs: int  # flattened
    # What load_source computed, kept so that the next job on the same source (another opset,
    # other converter options) skips building and running it again: (inputs, outputs) per set.
    sets: Optional[list] = None
    info: Optional[dict] = None


_loaded: Optional[LoadedSource] = None


def source_key(request: dict) -> tuple:
    shapes = request.get("input_shapes")
    shapes = tuple(tuple(s) for s in shapes) if shapes else None
    return (required(request, "source"), int(request.get("seed", 0)), shapes)


def list_sources(request: dict) -> dict:
    """The `list_sources` op: every source of a kind, with its family, in a stable order."""
    kind = required(request, "kind")
    if kind != "torchvision":
        raise ProtocolError(f"list_sources: unknown kind '{kind}': expected torchvision")
    families = torchvision_families()
    return {"sources": [{"source": f"torchvision:{name}", "family": families[name]}
                        for name in sorted(families)]}


def load_source(request: dict) -> dict:
    """The `load_source` op: build, run every input set, write the .npy files."""
    global _loaded
    key = source_key(request)
    num_sets = int(request.get("num_sets", 1))
    if num_sets < 1:
        raise ProtocolError(f"num_sets must be at least 1, got {num_sets}")
    out_dir = required(request, "out_dir")
    if _loaded is not None and _loaded.key == key and _loaded.sets is not None \
            and len(_loaded.sets) >= num_sets:
        return reuse_loaded(out_dir, num_sets)
    _loaded = None  # free the previous model before building the next one (they can be GBs)

    start = time.perf_counter()
    built = build_source(*key)
    build_s = time.perf_counter() - start

    inference_s = 0.0
    sets = []
    for set_index in range(num_sets):
        set_dir = os.path.join(out_dir, f"test_data_set_{set_index}")
        args = built.make_args(set_index)
        # Copied and written before the run: a model may modify its inputs in place.
        if set_index == 0:
            args0 = copy.deepcopy(args)
        # Cloned: a model may modify its inputs in place, and the kept copy must stay as sent.
        flat_inputs = [t.clone() if isinstance(t, torch.Tensor) else t
                       for t in flatten_tensors(args)]
        input_meta = save_tensors(set_dir, "input", flat_inputs)
        start = time.perf_counter()
        with torch.no_grad():
            outputs = flatten_tensors(built.model(*args))
        inference_s += time.perf_counter() - start
        output_meta = save_tensors(set_dir, "output", outputs)
        sets.append((flat_inputs, outputs))

    _loaded = LoadedSource(key, built.model, args0, len(input_meta), len(output_meta), sets,
                           built.info)
    return {
        "num_sets": num_sets,
        "inputs": input_meta,
        "outputs": output_meta,
        "info": built.info,
        "elapsed_s": {"build": round(build_s, 4), "inference": round(inference_s, 4)},
    }


def reuse_loaded(out_dir: str, num_sets: int) -> dict:
    """load_source for the source already in memory: write the kept tensors again."""
    for set_index in range(num_sets):
        set_dir = os.path.join(out_dir, f"test_data_set_{set_index}")
        inputs, outputs = _loaded.sets[set_index]
        input_meta = save_tensors(set_dir, "input", inputs)
        output_meta = save_tensors(set_dir, "output", outputs)
    return {
        "num_sets": num_sets,
        "inputs": input_meta,
        "outputs": output_meta,
        "info": {**_loaded.info, "reused": True},
        "elapsed_s": {"build": 0.0, "inference": 0.0},
    }


def get_loaded(request: dict) -> LoadedSource:
    """The model `export` converts: the one in memory, or rebuilt after a worker restart."""
    global _loaded
    key = source_key(request)
    if _loaded is None or _loaded.key != key:
        _loaded = None
        built = build_source(*key)
        args = built.make_args(0)
        with torch.no_grad():
            num_outputs = len(flatten_tensors(built.model(*copy.deepcopy(args))))
        _loaded = LoadedSource(key, built.model, args, len(flatten_tensors(args)), num_outputs)
    return _loaded


def build_source(source: str, seed: int, input_shapes: Optional[tuple]) -> BuiltSource:
    kind, sep, name = source.partition(":")
    builder = SOURCE_KINDS.get(kind)
    if not sep or builder is None:
        raise SourceError(f"unknown source '{source}': expected "
                          + " or ".join(f"'{k}:...'" for k in SOURCE_KINDS))
    built = builder(name, seed, input_shapes)
    # Put every submodule in eval mode (dropout off, batch norm on running stats) and say whether
    # that changed anything: torchvision builders return training-mode models.
    built.info["switched_to_eval"] = any(m.training for m in built.model.modules())
    built.model.eval()
    built.info["parameters"] = sum(p.numel() for p in built.model.parameters())
    return built


def build_torchvision(name: str, seed: int, input_shapes: Optional[tuple]) -> BuiltSource:
    family_name = torchvision_families().get(name)
    if family_name is None:
        raise SourceError(f"unknown torchvision model '{name}': "
                          "see torchvision.models.list_models()")
    family = FAMILIES[family_name]
    builder = torchvision.models.get_model_builder(name)
    kwargs = {"weights": None, **family.builder_kwargs}
    # Without this, segmentation and detection builders download ImageNet backbone weights.
    if "weights_backbone" in inspect.signature(builder).parameters:
        kwargs["weights_backbone"] = None
    torch.manual_seed(seed)
    model = builder(**kwargs)

    shapes = input_shapes or INPUT_SHAPES_BY_MODEL.get(name) or family.input_shapes
    make_tensor = DISTRIBUTIONS[family.distribution]
    pack = PACKINGS[family.packing]

    def make_args(set_index: int) -> tuple:
        torch.manual_seed(seed + 1 + set_index)
        return pack([make_tensor(*shape) for shape in shapes])

    info = {
        "family": family_name,
        "builder_kwargs": kwargs,
        "inputs_from": "input_shapes" if input_shapes else "family_default",
    }
    return BuiltSource(model, make_args, info)


@functools.lru_cache(maxsize=None)
def torchvision_families() -> dict:
    """Model name -> family name, from the submodule each builder is registered in."""
    families = {}
    for family_name, family in FAMILIES.items():
        if family.module is not None:
            module = getattr(torchvision.models, family.module)
            for name in torchvision.models.list_models(module=module):
                families[name] = family_name
    for name in torchvision.models.list_models():
        families.setdefault(name, "classification")
    return families


def build_python_file(path: str, seed: int, input_shapes: Optional[tuple]) -> BuiltSource:
    if not os.path.isabs(path):
        raise SourceError(f"python source '{path}' must be an absolute path")
    module = import_file(path)
    if not callable(getattr(module, "make_model", None)):
        raise SourceError(f"python source '{path}' does not define make_model()")
    torch.manual_seed(seed)
    model = module.make_model()
    if not isinstance(model, torch.nn.Module):
        raise SourceError(f"make_model() in '{path}' returned {type(model).__name__}, "
                          "not a torch.nn.Module")

    make_inputs = getattr(module, "make_inputs", None)
    if make_inputs is None and not input_shapes:
        raise SourceError(f"python source '{path}' has no make_inputs(); pass --input-shape")

    def make_args(set_index: int) -> tuple:
        torch.manual_seed(seed + 1 + set_index)
        if make_inputs is None:
            return tuple(torch.randn(*shape) for shape in input_shapes)
        inputs = make_inputs()
        return tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)

    info = {
        "family": "python",
        # make_inputs() wins over input_shapes: it may make non-float or structured inputs.
        "inputs_from": "input_shapes" if make_inputs is None else "make_inputs",
    }
    return BuiltSource(model, make_args, info)


_import_counter = itertools.count()


def import_file(path: str):
    """Imports a file as a fresh module; its directory is importable while it runs."""
    stem = os.path.splitext(os.path.basename(path))[0]
    # A new name on every import, so that a changed file is read again and two files with the
    # same stem do not collide.
    module_name = f"convcheck_source_{next(_import_counter)}_{stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None:
        raise SourceError(f"python source '{path}' cannot be imported (not a .py file?)")
    module = importlib.util.module_from_spec(spec)
    # Registered before running, as a normal import does: dataclasses and torch.jit.script look
    # the module up in sys.modules.
    sys.modules[module_name] = module
    sys.path.insert(0, os.path.dirname(path))
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    finally:
        sys.path.remove(os.path.dirname(path))
    return module


def flatten_tensors(value: Any) -> list:
    """Tensors in the order torch.onnx makes graph inputs and outputs of them.

    Depth first through tuples and lists, dict values in insertion order; None, numbers and other
    non-tensors give no graph input or output, so they are dropped.
    """
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        children = value
    elif isinstance(value, dict):
        children = value.values()
    else:
        return []
    return [t for child in children for t in flatten_tensors(child)]


def save_tensors(directory: str, prefix: str, tensors: list) -> list:
    os.makedirs(directory, exist_ok=True)
    meta = []
    for index, tensor in enumerate(tensors):
        array = to_numpy(tensor, f"{prefix} {index}")
        np.save(os.path.join(directory, f"{prefix}_{index}.npy"), array)
        meta.append({"shape": list(array.shape), "dtype": array.dtype.name})
    return meta


def to_numpy(tensor: torch.Tensor, what: str) -> np.ndarray:
    if tensor.is_quantized:
        raise SourceError(f"{what} is a quantized tensor ({tensor.dtype}), which .npy cannot hold")
    try:
        # C order: np.save would otherwise write a transposed view in Fortran order. np.array,
        # not np.ascontiguousarray, which turns a rank-0 tensor into shape [1].
        array = np.array(tensor.detach().cpu().numpy(), order="C")
    except TypeError as e:  # e.g. bfloat16, which NumPy lacks
        raise SourceError(f"{what} has dtype {tensor.dtype}, which .npy cannot hold") from e
    if array.dtype.str not in NPY_DTYPES:
        raise SourceError(f"{what} has dtype {array.dtype.name}, which the protocol does not carry")
    return array


SOURCE_KINDS = {"torchvision": build_torchvision, "python": build_python_file}
