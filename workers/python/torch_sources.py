"""PyTorch sources: torchvision, timm, Hugging Face (PyTorch classes) and python files.

Used in the torch1.13 and torch2 environments (convcheck_worker.py). The kinds are described in
workers/README.md (`load_source`). timm and transformers are imported on first use: they cost
seconds and most jobs do not need them.
"""

import copy
import dataclasses
import fnmatch
import functools
import inspect
from typing import Optional

import numpy as np
import torch
import torchvision

import hf_models
import sources
from protocol import SourceError
from sources import BuiltSource, SourceKind


class TorchFramework(sources.Framework):
    name = "torch"
    model_description = "a torch.nn.Module"

    def seed(self, seed: int) -> None:
        torch.manual_seed(seed)
        np.random.seed(seed % 2**32)

    def random_inputs(self, shapes: tuple) -> tuple:
        return tuple(torch.randn(*shape) for shape in shapes)

    def from_value(self, value):
        if isinstance(value, np.ndarray):
            return torch.from_numpy(np.array(value, order="C"))
        return value

    def run(self, call, args: tuple):
        with torch.no_grad():
            return call(*args)

    def flatten(self, value) -> list:
        """Tensors in the order torch.onnx makes graph inputs and outputs of them.

        Depth first through tuples and lists, dict values in insertion order; None, numbers and
        other non-tensors give no graph input or output, so they are dropped.
        """
        return sources.flatten_nested(value, lambda v: isinstance(v, torch.Tensor),
                                      sort_dicts=False)

    def to_numpy(self, tensor, what: str) -> np.ndarray:
        if tensor.is_quantized:
            raise SourceError(f"{what} is a quantized tensor ({tensor.dtype}), which .npy cannot "
                              "hold")
        try:
            # C order: np.save would otherwise write a transposed view in Fortran order.
            # np.array, not np.ascontiguousarray, which turns a rank-0 tensor into shape [1].
            return np.array(tensor.detach().cpu().numpy(), order="C")
        except TypeError as e:  # e.g. bfloat16, which NumPy lacks
            raise SourceError(f"{what} has dtype {tensor.dtype}, which .npy cannot hold") from e

    def copy_args(self, args: tuple) -> tuple:
        # Tracing and models may write into their inputs; kept sets must stay as the reference
        # saw them.
        return copy.deepcopy(args)

    def adopt(self, model, path: str) -> tuple:
        return model, eval_mode(model)

    def count_parameters(self, model) -> int:
        return sum(p.numel() for p in model.parameters())


FRAMEWORK = TorchFramework()


def eval_mode(model: torch.nn.Module) -> dict:
    """Puts every submodule in eval mode and says what changed; counts the parameters.

    Dropout off, batch norm on running statistics. torchvision builders return training-mode
    models, so `switched_to_eval` tells them apart from models already in eval mode.
    """
    switched = any(m.training for m in model.modules())
    model.eval()
    return {"switched_to_eval": switched,
            "parameters": sum(p.numel() for p in model.parameters())}


# --- torchvision -----------------------------------------------------------------------------

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


def build_torchvision(name: str, seed: int, input_shapes: Optional[tuple], env) -> BuiltSource:
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
        **eval_mode(model),
    }
    return BuiltSource(model, model, make_args, info, FRAMEWORK)


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


def list_torchvision(request: dict, env) -> list:
    return list(torchvision_families().items())


TORCHVISION = SourceKind(build_torchvision, list_torchvision)


# --- timm ------------------------------------------------------------------------------------

def build_timm(name: str, seed: int, input_shapes: Optional[tuple], env) -> BuiltSource:
    import timm

    if name not in timm_families():
        raise SourceError(f"unknown timm model '{name}': see timm.list_models()")
    torch.manual_seed(seed)
    model = timm.create_model(name, pretrained=False)
    config = getattr(model, "pretrained_cfg", None) or getattr(model, "default_cfg", None) or {}
    input_size = config.get("input_size")
    if not input_shapes and not input_size:
        raise SourceError(f"timm model '{name}' has no input_size in its pretrained_cfg; pass "
                          "--input-shape")
    shapes = input_shapes or ((1, *input_size),)

    def make_args(set_index: int) -> tuple:
        torch.manual_seed(seed + 1 + set_index)
        return tuple(torch.randn(*shape) for shape in shapes)

    info = {"family": timm_families()[name],
            "inputs_from": "input_shapes" if input_shapes else "pretrained_cfg",
            **eval_mode(model)}
    return BuiltSource(model, model, make_args, info, FRAMEWORK)


@functools.lru_cache(maxsize=None)
def timm_families() -> dict:
    """Model name -> the timm module (architecture family) that registers it."""
    import timm

    return {name: module for module in timm.list_modules()
            for name in timm.list_models(module=module)}


def list_timm(request: dict, env) -> list:
    pattern = request.get("filter") or "*"
    return [(name, family) for name, family in timm_families().items()
            if fnmatch.fnmatchcase(name, pattern)]


TIMM = SourceKind(build_timm, list_timm)


# --- Hugging Face ----------------------------------------------------------------------------

class HfAdapter(torch.nn.Module):
    """Takes the inputs positionally, passes them by name, returns the outputs as a flat tuple.

    So that every exporter sees the same plain signature and the outputs keep the model output's
    field order (dict-like ModelOutput objects would otherwise be flattened differently by
    torch.export and the TorchScript exporter).
    """

    def __init__(self, model: torch.nn.Module, names: list):
        super().__init__()
        self.model = model
        self.names = list(names)

    def forward(self, *inputs):
        return tuple(FRAMEWORK.flatten(self.model(**dict(zip(self.names, inputs)))))


def hf_backend():
    import transformers
    from transformers.models.auto.modeling_auto import MODEL_MAPPING_NAMES

    def make_model(model_class, config, seed):
        torch.manual_seed(seed)
        return model_class(config)

    def wrap(model, names):
        adapter = HfAdapter(model, names)
        return adapter, adapter

    def estimate(model_class, config):
        with torch.device("meta"):  # shapes only, no memory
            return FRAMEWORK.count_parameters(model_class(config))

    return hf_models.HfBackend(
        framework=FRAMEWORK, class_names=MODEL_MAPPING_NAMES, make_model=make_model,
        parameters=lambda model: hf_models.signature_parameters(model.forward),
        count=FRAMEWORK.count_parameters, estimate=estimate, wrap=wrap,
        version=transformers.__version__)


def build_hf(name: str, seed: int, input_shapes: Optional[tuple], env) -> BuiltSource:
    built = hf_models.build(name, seed, input_shapes, hf_backend())
    built.info["switched_to_eval"] = eval_mode(built.model)["switched_to_eval"]
    return built


HF = SourceKind(build_hf, hf_models.list_types)


# --- python files ----------------------------------------------------------------------------

def build_python(path: str, seed: int, input_shapes: Optional[tuple], env) -> BuiltSource:
    return sources.build_python_file(path, seed, input_shapes, env, FRAMEWORK)


PYTHON = SourceKind(build_python)
