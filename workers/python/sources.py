"""Source models, framework-neutral part: the load_source and list_sources ops and the model cache.

A source is `KIND:NAME` (workers/README.md, `load_source`). Each kind is a `SourceKind` in a
framework module (torch_sources.py, tf_sources.py) listed in convcheck_worker.py's table; a
`Framework` object hides how tensors are made, run, flattened and written. The last source
loaded stays in memory so that `export` does not build it again.
"""

import dataclasses
import gc
import importlib.util
import itertools
import os
import sys
import time
from typing import Any, Callable, Optional

import numpy as np

from protocol import (FRAMEWORK_NAMES, Environment, FrameworkMismatch, ProtocolError,
                      SourceError, annotate, failure_signature, required)

# .npy dtypes the other side of the protocol reads (workers/README.md, "Tensors").
NPY_DTYPES = {"<f4", "<f8", "<f2", "|i1", "<i2", "<i4", "<i8", "|u1", "<u2", "<u4", "<u8", "|b1"}

# Top-level packages that give away a model's framework (by a class's module, or by an import
# that fails in an environment without them).
FRAMEWORK_PACKAGES = {
    "torch": "torch", "torchvision": "torch", "timm": "torch",
    "tensorflow": "tf", "keras": "tf", "tf_keras": "tf",
}


class Framework:
    """How one framework makes, runs, flattens and writes tensors (torch_sources, tf_sources)."""

    name = ""  # "torch" or "tf"
    model_description = ""  # what make_model() must return, for error messages

    def seed(self, seed: int) -> None:
        raise NotImplementedError

    def random_inputs(self, shapes: tuple) -> tuple:
        """float32 N(0,1) tensors of the given shapes, from the current seed."""
        raise NotImplementedError

    def from_value(self, value):
        """A make_inputs() value as this framework's tensor (NumPy arrays are converted)."""
        raise NotImplementedError

    def run(self, call: Callable, args: tuple):
        raise NotImplementedError

    def flatten(self, value) -> list:
        raise NotImplementedError

    def to_numpy(self, tensor, what: str) -> np.ndarray:
        raise NotImplementedError

    def copy_args(self, args: tuple) -> tuple:
        return args

    def adopt(self, model, path: str) -> tuple:
        """(call, info) for a python file's model: how to run it, and what to say about it."""
        raise NotImplementedError

    def count_parameters(self, model) -> int:
        raise NotImplementedError

    def release(self) -> None:
        """Frees what the framework keeps after the last model is dropped."""
        gc.collect()


@dataclasses.dataclass(frozen=True)
class SourceKind:
    """One `KIND:` prefix: how to build a source, and how to list them (None: not listable)."""

    build: Callable  # (name, seed, input_shapes, env) -> BuiltSource
    list: Optional[Callable] = None  # (request, env) -> [(name, family)]


@dataclasses.dataclass
class BuiltSource:
    model: Any  # what a converter takes: an nn.Module, a keras.Model, a tf.Module...
    call: Callable  # positional input tensors -> the model's outputs
    make_args: Callable[[int], tuple]  # input set index -> positional input tensors
    info: dict
    framework: Framework


@dataclasses.dataclass
class LoadedSource:
    key: tuple
    model: Any
    call: Callable
    args: tuple  # input set 0, as the model takes it
    num_inputs: int  # flattened
    num_outputs: int  # flattened
    framework: Framework
    info: dict
    # What load_source computed, kept so that the next job on the same source (another opset,
    # other converter options) skips building and running it again: (inputs, outputs) per set.
    sets: Optional[list] = None


_loaded: Optional[LoadedSource] = None


def drop_loaded() -> None:
    """Frees the model in memory before the next one is built (they can be GBs)."""
    global _loaded
    if _loaded is not None:
        framework = _loaded.framework
        _loaded = None
        framework.release()


def source_key(request: dict) -> tuple:
    shapes = request.get("input_shapes")
    shapes = tuple(tuple(s) for s in shapes) if shapes else None
    return (required(request, "source"), int(request.get("seed", 0)), shapes)


def list_sources(request: dict, env: Environment) -> dict:
    """The `list_sources` op: every source of a kind, with its family, sorted by name."""
    kind = required(request, "kind")
    listable = sorted(k for k, v in env.source_kinds.items() if v.list is not None)
    source_kind = env.source_kinds.get(kind)
    if source_kind is None or source_kind.list is None:
        raise ProtocolError(f"list_sources: kind '{kind}' cannot be listed in environment "
                            f"{env.name}: expected one of {', '.join(listable)}")
    framework = env.framework
    return {"sources": [{"source": f"{kind}:{name}", "family": family, "framework": framework}
                        for name, family in sorted(source_kind.list(request, env))]}


def load_source(request: dict, env: Environment) -> dict:
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
    drop_loaded()
    try:
        start = time.perf_counter()
        built = build_source(*key, env)
        build_s = time.perf_counter() - start
        framework = built.framework

        inference_s = 0.0
        sets = []
        for set_index in range(num_sets):
            set_dir = os.path.join(out_dir, f"test_data_set_{set_index}")
            args = built.make_args(set_index)
            if set_index == 0:
                args0 = framework.copy_args(args)
            # Copied and written before the run: a model may modify its inputs in place, and
            # the kept copy must stay as sent.
            flat_inputs = framework.flatten(framework.copy_args(args))
            input_meta = save_tensors(set_dir, "input", flat_inputs, framework)
            start = time.perf_counter()
            outputs = framework.flatten(framework.run(built.call, args))
            inference_s += time.perf_counter() - start
            output_meta = save_tensors(set_dir, "output", outputs, framework)
            sets.append((flat_inputs, outputs))
        if "parameters" not in built.info:  # a model that made its weights on the first call
            built.info["parameters"] = framework.count_parameters(built.model)
    except (Exception, SystemExit) as e:  # SystemExit: a user's file may call sys.exit()
        raise annotate(e, stage="source", signature=failure_signature(e))

    _loaded = LoadedSource(key, built.model, built.call, args0, len(input_meta),
                           len(output_meta), framework, built.info, sets)
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
        input_meta = save_tensors(set_dir, "input", inputs, _loaded.framework)
        output_meta = save_tensors(set_dir, "output", outputs, _loaded.framework)
    return {
        "num_sets": num_sets,
        "inputs": input_meta,
        "outputs": output_meta,
        "info": {**_loaded.info, "reused": True},
        "elapsed_s": {"build": 0.0, "inference": 0.0},
    }


def get_loaded(request: dict, env: Environment) -> LoadedSource:
    """The model `export` converts: the one in memory, or rebuilt after a worker restart."""
    global _loaded
    key = source_key(request)
    if _loaded is None or _loaded.key != key:
        drop_loaded()
        built = build_source(*key, env)
        args = built.make_args(0)
        framework = built.framework
        outputs = framework.run(built.call, framework.copy_args(args))
        _loaded = LoadedSource(key, built.model, built.call, args,
                               len(framework.flatten(args)), len(framework.flatten(outputs)),
                               framework, built.info)
    return _loaded


def build_source(source: str, seed: int, input_shapes: Optional[tuple],
                 env: Environment) -> BuiltSource:
    kind, sep, name = source.partition(":")
    source_kind = env.source_kinds.get(kind) if sep else None
    if source_kind is None:
        raise unavailable_kind(source, kind if sep else None, env)
    built = source_kind.build(name, seed, input_shapes, env)
    built.info.setdefault("framework", built.framework.name)
    return built


def unavailable_kind(source: str, kind: Optional[str], env: Environment) -> Exception:
    """Why this environment cannot build `source`: another framework's, or an unknown kind."""
    frameworks = env.kind_frameworks.get(kind, set()) if kind else set()
    if frameworks and env.framework not in frameworks:
        other = FRAMEWORK_NAMES[sorted(frameworks)[0]]
        return FrameworkMismatch(
            f"source '{source}' is a {other} model; converter environment {env.name} runs "
            f"{FRAMEWORK_NAMES.get(env.framework, 'no')} models only")
    if frameworks:
        return SourceError(f"source kind '{kind}' is not available in environment {env.name} "
                           f"(it is in {', '.join(sorted(env.kind_environments[kind]))})")
    return SourceError(f"unknown source '{source}': expected "
                       + " or ".join(f"'{k}:...'" for k in sorted(env.source_kinds)))


def framework_of(value) -> Optional[str]:
    """"torch" or "tf" by the modules of the value's classes; None for anything else."""
    for cls in type(value).__mro__:
        framework = FRAMEWORK_PACKAGES.get(cls.__module__.split(".")[0])
        if framework:
            return framework
    return None


def mismatch(what: str, found: str, env: Environment) -> FrameworkMismatch:
    return FrameworkMismatch(f"{what} ({FRAMEWORK_NAMES[found]}); converter environment "
                             f"{env.name} runs {FRAMEWORK_NAMES[env.framework]} models only")


def build_python_file(path: str, seed: int, input_shapes: Optional[tuple], env: Environment,
                      framework: Framework) -> BuiltSource:
    """`python:/abs/path.py`: make_model() and optionally make_inputs(), in any framework."""
    if not os.path.isabs(path):
        raise SourceError(f"python source '{path}' must be an absolute path")
    module = import_file(path, env)
    if not callable(getattr(module, "make_model", None)):
        raise SourceError(f"python source '{path}' does not define make_model()")
    framework.seed(seed)
    model = module.make_model()
    found = framework_of(model)
    if found != framework.name:
        if found is None:
            raise SourceError(f"make_model() in '{path}' returned {type(model).__name__}, not "
                              f"{framework.model_description}")
        raise mismatch(f"python source '{os.path.basename(path)}' builds a "
                       f"{type(model).__module__.split('.')[0]}.{type(model).__name__}", found,
                       env)
    call, info = framework.adopt(model, path)

    make_inputs = getattr(module, "make_inputs", None)
    if make_inputs is None and not input_shapes:
        raise SourceError(f"python source '{path}' has no make_inputs(); pass --input-shape")

    def make_args(set_index: int) -> tuple:
        framework.seed(seed + 1 + set_index)
        if make_inputs is None:
            return framework.random_inputs(input_shapes)
        inputs = make_inputs()
        inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
        return tuple(framework.from_value(value) for value in inputs)

    info = {
        "family": "python",
        # make_inputs() wins over input_shapes: it may make non-float or structured inputs.
        "inputs_from": "input_shapes" if make_inputs is None else "make_inputs",
        **info,
    }
    return BuiltSource(model, call, make_args, info, framework)


_import_counter = itertools.count()


def import_file(path: str, env: Environment):
    """Imports a file as a fresh module; its directory is importable while it runs.

    A file that imports another framework's package, which this environment lacks, is a
    FrameworkMismatch rather than a plain import error.
    """
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
    except ModuleNotFoundError as e:
        del sys.modules[module_name]
        package = (e.name or "").split(".")[0]
        found = FRAMEWORK_PACKAGES.get(package)
        if found and env.framework and found != env.framework:
            raise mismatch(f"python source '{os.path.basename(path)}' imports {package}", found,
                           env) from e
        raise
    except BaseException:
        del sys.modules[module_name]
        raise
    finally:
        sys.path.remove(os.path.dirname(path))
    return module


def save_tensors(directory: str, prefix: str, tensors: list, framework: Framework) -> list:
    os.makedirs(directory, exist_ok=True)
    meta = []
    for index, tensor in enumerate(tensors):
        array = framework.to_numpy(tensor, f"{prefix} {index}")
        if array.dtype.str not in NPY_DTYPES:
            raise SourceError(f"{prefix} {index} has dtype {array.dtype.name}, which the protocol "
                              "does not carry")
        np.save(os.path.join(directory, f"{prefix}_{index}.npy"), array)
        meta.append({"shape": list(array.shape), "dtype": array.dtype.name})
    return meta


def flatten_nested(value: Any, is_tensor: Callable, sort_dicts: bool) -> list:
    """Tensors of a nested value, depth first through tuples, lists and dicts.

    torch.onnx takes dict values in insertion order; TensorFlow (tf.nest) in sorted key order.
    Anything else (None, numbers, cache objects) is dropped: it becomes no graph input or output.
    """
    if is_tensor(value):
        return [value]
    if isinstance(value, (tuple, list)):
        children = value
    elif isinstance(value, dict):
        children = [value[k] for k in sorted(value)] if sort_dicts else list(value.values())
    else:
        return []
    return [t for child in children for t in flatten_nested(child, is_tensor, sort_dicts)]
