"""TensorFlow sources: Keras applications, SavedModels, Hugging Face (TF classes), python files.

Used in the tf2 environment (convcheck_worker.py); workers/README.md describes the kinds.
`keras` is Keras 3 (what `tf.keras` is since TF 2.16). transformers 4.57's TF classes are built
on tf-keras (Keras 2): importing transformers sets TF_USE_LEGACY_KERAS=1 itself, which changes
only what `tf.keras` means, so it is imported on the first `hf:` source and nowhere else.
"""

import functools
import inspect
import os
import sys
from typing import Optional

import keras
import numpy as np
import tensorflow as tf

import hf_models
import sources
from protocol import SourceError
from sources import BuiltSource, SourceKind


class TfFramework(sources.Framework):
    name = "tf"
    model_description = "a keras.Model or a callable tf.Module"

    def seed(self, seed: int) -> None:
        # Python's, NumPy's and TensorFlow's global seeds, and Keras 3's own seed generator.
        keras.utils.set_random_seed(seed % 2**32)
        if "tf_keras" in sys.modules:  # Keras 2, for transformers' TF classes
            sys.modules["tf_keras"].utils.set_random_seed(seed % 2**32)

    def random_inputs(self, shapes: tuple) -> tuple:
        return tuple(tf.constant(np.random.standard_normal(shape).astype(np.float32))
                     for shape in shapes)

    def from_value(self, value):
        if isinstance(value, np.ndarray):
            return tf.constant(value)
        return value

    def run(self, call, args: tuple):
        return call(*args)

    def flatten(self, value) -> list:
        """Tensors in tf.nest's order (dicts by sorted key), which tf2onnx's graph follows."""
        return sources.flatten_nested(value, tf.is_tensor, sort_dicts=True)

    def to_numpy(self, tensor, what: str) -> np.ndarray:
        if not hasattr(tensor, "numpy"):
            raise SourceError(f"{what} is a {type(tensor).__name__}, not an eager tensor")
        if tensor.dtype in (tf.bfloat16, tf.string, tf.resource, tf.variant) \
                or tensor.dtype.is_complex or tensor.dtype.is_quantized:
            raise SourceError(f"{what} has dtype {tensor.dtype.name}, which .npy cannot hold here")
        return np.array(tensor.numpy(), order="C")

    def count_parameters(self, model) -> int:
        return count_variables(model.variables)

    def release(self) -> None:
        # Keras keeps every layer ever built in its global graph state, which grows over a
        # campaign; clearing it also restarts layer names, so that a source gets the same names
        # in a fresh worker and after others.
        keras.backend.clear_session()
        if "tf_keras" in sys.modules:
            sys.modules["tf_keras"].backend.clear_session()
        super().release()

    def adopt(self, model, path: str) -> tuple:
        if is_keras_model(model):
            # A subclassed model has no weights before its first call: counted after it then.
            info = {"model_type": "keras.Model"}
            if model.built:
                info["parameters"] = int(model.count_params())
            return keras_call(model), info
        if not callable(model):
            raise SourceError(f"make_model() in '{path}' returned a {type(model).__name__} that "
                              "is not callable; a tf.Module needs a __call__ (a tf.function)")
        return model, {"model_type": "tf.Module", "parameters": count_variables(model.variables)}


FRAMEWORK = TfFramework()


def is_keras_model(model) -> bool:
    if isinstance(model, keras.Model):
        return True
    tf_keras = sys.modules.get("tf_keras")
    return tf_keras is not None and isinstance(model, tf_keras.Model)


def keras_call(model):
    return lambda *args: model(*args, training=False)


def count_variables(variables) -> int:
    return int(sum(v.shape.num_elements() or 0 for v in variables))


# --- Keras applications ----------------------------------------------------------------------

OPEN_IMAGE_SIZE = 224  # for builders whose model accepts any size (MobileNetV3)


@functools.lru_cache(maxsize=None)
def keras_builders() -> dict:
    """Builder name -> family (the keras.applications submodule that defines it)."""
    return {name: builder.__module__.rsplit(".", 1)[-1]
            for name, builder in inspect.getmembers(keras.applications, inspect.isfunction)
            if name[:1].isupper()}


def build_keras(name: str, seed: int, input_shapes: Optional[tuple], env) -> BuiltSource:
    if name not in keras_builders():
        raise SourceError(f"unknown keras application '{name}': expected one of "
                          + ", ".join(sorted(keras_builders())))
    builder = getattr(keras.applications, name)
    FRAMEWORK.seed(seed)
    model = builder(weights=None)
    default_shape = (1, *model.input_shape[1:])
    inputs_from = "builder_default"
    if None in default_shape:
        # MobileNetV3 builds for any image size; its documentation names 224x224 the default.
        default_shape = tuple(OPEN_IMAGE_SIZE if d is None else d for d in default_shape)
        inputs_from = "documented_default"
    shapes = input_shapes or (default_shape,)

    def make_args(set_index: int) -> tuple:
        FRAMEWORK.seed(seed + 1 + set_index)
        return FRAMEWORK.random_inputs(shapes)

    info = {"family": keras_builders()[name], "builder_kwargs": {"weights": None},
            "inputs_from": "input_shapes" if input_shapes else inputs_from,
            "parameters": int(model.count_params()), "keras": keras.__version__}
    return BuiltSource(model, keras_call(model), make_args, info, FRAMEWORK)


def list_keras(request: dict, env) -> list:
    return list(keras_builders().items())


KERAS = SourceKind(build_keras, list_keras)


# --- SavedModel directories ------------------------------------------------------------------

def build_savedmodel(path: str, seed: int, input_shapes: Optional[tuple], env) -> BuiltSource:
    """`savedmodel:DIR`: its serving_default signature, inputs random from the signature's specs.

    The signature takes keyword arguments: the inputs are its arguments in sorted name order
    (tf.nest's), which is also the order tf2onnx gives the graph inputs.
    """
    if not os.path.isdir(path):
        raise SourceError(f"savedmodel source '{path}' is not a directory")
    loaded = tf.saved_model.load(path)
    signature = loaded.signatures.get("serving_default")
    if signature is None:
        raise SourceError(f"savedmodel '{path}' has no serving_default signature; it has "
                          + (", ".join(sorted(loaded.signatures)) or "none"))
    specs = signature.structured_input_signature[1]
    names = sorted(specs)
    if input_shapes and len(input_shapes) != len(names):
        raise SourceError(f"savedmodel '{path}' takes {len(names)} inputs ({', '.join(names)}) "
                          f"but {len(input_shapes)} input shapes were given")
    shapes = [fill_shape(path, n, specs[n].shape.as_list(),
                         input_shapes[i] if input_shapes else None)
              for i, n in enumerate(names)]
    dtypes = [specs[n].dtype for n in names]

    def make_args(set_index: int) -> tuple:
        FRAMEWORK.seed(seed + 1 + set_index)
        return tuple(random_tensor(shape, dtype) for shape, dtype in zip(shapes, dtypes))

    def call(*args):
        return signature(**dict(zip(names, args)))

    info = {"family": "savedmodel", "input_names": names,
            "inputs_from": "input_shapes" if input_shapes else "signature",
            "parameters": count_variables(signature.variables)}
    return BuiltSource(loaded, call, make_args, info, FRAMEWORK)


def fill_shape(path: str, name: str, spec_shape: list, given: Optional[tuple]) -> tuple:
    """The signature's shape with unknown dimensions filled: from `given`, or a batch of 1."""
    if given is not None:
        if len(given) != len(spec_shape) or any(s is not None and s != g
                                                for s, g in zip(spec_shape, given)):
            raise SourceError(f"savedmodel '{path}' input '{name}' has shape {spec_shape}; the "
                              f"given shape {list(given)} does not fit it")
        return tuple(given)
    shape = [1 if i == 0 and s is None else s for i, s in enumerate(spec_shape)]
    if None in shape:
        raise SourceError(f"savedmodel '{path}' input '{name}' has shape {spec_shape} with "
                          "unknown dimensions beyond the batch; pass --input-shape")
    return tuple(shape)


def random_tensor(shape: tuple, dtype: tf.DType):
    if dtype.is_floating:
        return tf.constant(np.random.standard_normal(shape), dtype=dtype)
    if dtype.is_bool:
        return tf.constant(np.random.random_sample(shape) < 0.5)
    if dtype.is_integer:
        return tf.constant(np.random.randint(0, 100, size=shape), dtype=dtype)
    raise SourceError(f"no random inputs of dtype {dtype.name}")


SAVEDMODEL = SourceKind(build_savedmodel)


# --- Hugging Face ----------------------------------------------------------------------------

def hf_backend():
    import transformers
    from transformers.models.auto.modeling_tf_auto import TF_MODEL_MAPPING_NAMES

    def make_model(model_class, config, seed):
        FRAMEWORK.seed(seed)
        model = model_class(config)
        # TF models create their weights on a first call with dummy inputs: counted after it.
        model.build_in_name_scope()
        return model

    def wrap(model, names):
        def call(*inputs):
            output = model(dict(zip(names, inputs)), training=False)
            # The model output's field order (it is a dict, which tf.nest would sort).
            return tuple(output.to_tuple() if hasattr(output, "to_tuple") else output)
        return model, call

    return hf_models.HfBackend(
        framework=FRAMEWORK, class_names=TF_MODEL_MAPPING_NAMES, make_model=make_model,
        parameters=lambda model: hf_models.signature_parameters(model.call),
        count=lambda model: int(model.count_params()), estimate=lambda cls, config: None,
        wrap=wrap, version=transformers.__version__)


def build_hf(name: str, seed: int, input_shapes: Optional[tuple], env) -> BuiltSource:
    return hf_models.build(name, seed, input_shapes, hf_backend())


HF = SourceKind(build_hf, hf_models.list_types)


# --- python files ----------------------------------------------------------------------------

def build_python(path: str, seed: int, input_shapes: Optional[tuple], env) -> BuiltSource:
    return sources.build_python_file(path, seed, input_shapes, env, FRAMEWORK)


PYTHON = SourceKind(build_python)
