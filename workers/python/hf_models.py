"""Hugging Face sources (`hf:TYPE`): transformers models from their default configuration.

Framework-neutral: torch_sources.py and tf_sources.py pass a `HfBackend` that knows their
framework's model classes. A model is `ModelClass(Config(**overrides))`: random weights, no
download. Its inputs are made from the model's forward signature and configuration (token ids,
attention mask, decoder ids, bounding boxes, pixel values, audio), seeded with NumPy so that both
frameworks get the same arrays. Outputs are the model output's tensors in field order
(`last_hidden_state`, `pooler_output`, ...); caches are switched off (`use_cache=False`), and a
cache object a model still returns is dropped. workers/README.md has the contract.
"""

import dataclasses
import inspect
from typing import Callable, Optional

import numpy as np

from protocol import SourceError

TEXT_LENGTH = 16  # tokens of the (encoder) text input
DECODER_LENGTH = 8  # tokens of the decoder input of encoder-decoder models
AUDIO_SAMPLES = 16000  # one second at 16 kHz (wav2vec2, hubert)
SPEECH_FRAMES = 64  # filter-bank frames of speech_to_text (subsampled by 4 inside)
TOKEN_ID_LIMIT = 1000  # ids drawn from [0, min(vocab, 1000)): ordinary tokens in every vocabulary
PARAMETER_LIMIT = 500_000_000  # defaults above this are shrunk (overrides below)

# Shrinking configurations over PARAMETER_LIMIT: fewer layers and a smaller width, the
# architecture kept (attention kind, grouped KV heads, rotary embeddings, ...).
SMALL_DECODER = {"hidden_size": 512, "intermediate_size": 1408, "num_hidden_layers": 4,
                 "num_attention_heads": 8}


@dataclasses.dataclass(frozen=True)
class HfType:
    family: str  # encoder, decoder, encoder-decoder, vision, audio, multimodal
    # Configuration keys changed from the default, each for a reason given in the table. They
    # are reported in info.config_overrides together with the worker's own use_cache=False.
    overrides: dict = dataclasses.field(default_factory=dict)


HF_TYPES = {
    # Encoders.
    "albert": HfType("encoder"),
    "bert": HfType("encoder"),
    "camembert": HfType("encoder"),
    "convbert": HfType("encoder"),
    "deberta": HfType("encoder"),
    # 878M parameters by default (deberta-v2-xlarge's width with a 128k vocabulary).
    "deberta-v2": HfType("encoder", {"hidden_size": 768, "num_hidden_layers": 6,
                                     "num_attention_heads": 12, "intermediate_size": 3072}),
    "distilbert": HfType("encoder"),
    "electra": HfType("encoder"),
    # The default has no vocabulary (vocab_size=None); ESM-2's is 33 tokens, padding id 1.
    "esm": HfType("encoder", {"vocab_size": 33, "pad_token_id": 1, "mask_token_id": 32}),
    # 667M by default (2048 wide); xlm-mlm-en-2048's layout at a quarter of the width.
    "flaubert": HfType("encoder", {"emb_dim": 512, "n_layers": 6, "n_heads": 8}),
    "funnel": HfType("encoder"),
    "layoutlm": HfType("encoder"),
    "longformer": HfType("encoder"),
    "mobilebert": HfType("encoder"),
    "mpnet": HfType("encoder"),
    # 576M by default (32 layers).
    "rembert": HfType("encoder", {"num_hidden_layers": 4}),
    "roberta": HfType("encoder"),
    "roformer": HfType("encoder"),
    "squeezebert": HfType("encoder"),
    "xlm": HfType("encoder", {"emb_dim": 512, "n_layers": 6, "n_heads": 8}),  # as flaubert
    "xlm-roberta": HfType("encoder"),
    # XLNet returns its memory (a cache) by default.
    "xlnet": HfType("encoder", {"use_mems_eval": False}),
    # Decoders.
    "bloom": HfType("decoder"),
    # 1.6B by default (48 layers, 1280 wide, 246k vocabulary).
    "ctrl": HfType("decoder", {"n_embd": 512, "n_layer": 4, "n_head": 8, "dff": 2048}),
    "falcon": HfType("decoder", {"hidden_size": 512, "num_hidden_layers": 4,
                                 "num_attention_heads": 8}),  # 6.9B by default
    "gemma": HfType("decoder", {**SMALL_DECODER, "num_key_value_heads": 1,
                                "head_dim": 64}),  # 8.5B by default
    "gpt2": HfType("decoder"),
    # 1.3B by default; attention_types must add up to the layer count.
    "gpt_neo": HfType("decoder", {"hidden_size": 512, "num_layers": 4, "num_heads": 8,
                                  "attention_types": [[["global", "local"], 2]]}),
    "gpt_neox": HfType("decoder", {**SMALL_DECODER, "intermediate_size": 2048}),  # 20B
    "gptj": HfType("decoder", {"n_embd": 512, "n_layer": 4, "n_head": 8,
                               "rotary_dim": 32}),  # 5.8B by default
    "llama": HfType("decoder", {**SMALL_DECODER, "num_key_value_heads": 4}),  # 6.6B
    "mistral": HfType("decoder", {**SMALL_DECODER, "num_key_value_heads": 2}),  # 7.1B
    "openai-gpt": HfType("decoder"),
    "opt": HfType("decoder"),
    "phi": HfType("decoder", {**SMALL_DECODER, "intermediate_size": 2048}),  # 1.3B
    "qwen2": HfType("decoder", {**SMALL_DECODER, "num_key_value_heads": 4}),  # 11.4B
    # 564M by default, mostly its 256k-token embedding at 1024 wide.
    "xglm": HfType("decoder", {"d_model": 512, "ffn_dim": 2048, "num_layers": 6,
                               "attention_heads": 8}),
    # Encoder-decoders.
    "bart": HfType("encoder-decoder"),
    # 2.7B by default (blenderbot-3B's shape).
    "blenderbot": HfType("encoder-decoder", {"d_model": 512, "encoder_layers": 2,
                                             "decoder_layers": 4, "encoder_attention_heads": 8,
                                             "decoder_attention_heads": 8,
                                             "encoder_ffn_dim": 2048, "decoder_ffn_dim": 2048}),
    "blenderbot-small": HfType("encoder-decoder"),
    "led": HfType("encoder-decoder"),
    "marian": HfType("encoder-decoder"),
    "mbart": HfType("encoder-decoder"),
    "mt5": HfType("encoder-decoder"),
    "pegasus": HfType("encoder-decoder"),
    "t5": HfType("encoder-decoder"),
    # Vision.
    "beit": HfType("vision"),
    "convnext": HfType("vision"),
    "convnextv2": HfType("vision"),
    "cvt": HfType("vision"),
    "data2vec-vision": HfType("vision"),
    "deit": HfType("vision"),
    "dinov2": HfType("vision"),
    "efficientnet": HfType("vision"),
    "levit": HfType("vision"),
    "mobilenet_v2": HfType("vision"),
    "mobilevit": HfType("vision"),
    "poolformer": HfType("vision"),
    "regnet": HfType("vision"),
    "resnet": HfType("vision"),
    "segformer": HfType("vision"),
    "swin": HfType("vision"),
    "vit": HfType("vision"),
    # Audio.
    "hubert": HfType("audio"),
    "speech_to_text": HfType("audio"),
    "wav2vec2": HfType("audio"),
    "whisper": HfType("audio"),
    # Text and image together.
    "blip": HfType("multimodal"),
    "clip": HfType("multimodal"),
}


@dataclasses.dataclass(frozen=True)
class HfBackend:
    """What a framework module provides for Hugging Face models."""

    framework: object  # sources.Framework
    class_names: dict  # model type -> class name or tuple of names (transformers' auto tables)
    make_model: Callable  # (class, config, seed) -> model
    parameters: Callable  # model -> forward/call parameter names
    count: Callable  # model -> parameter count
    # (class, config) -> parameter count without allocating the weights, or None if the
    # framework cannot tell before building
    estimate: Callable
    wrap: Callable  # (model, input names) -> (model for converters, call of positional tensors)
    version: str  # transformers version, for messages


def list_types(request: dict, env) -> list:
    return [(name, hf_type.family) for name, hf_type in HF_TYPES.items()]


def build(name: str, seed: int, input_shapes: Optional[tuple], backend: HfBackend):
    """The BuiltSource of `hf:NAME`."""
    import transformers
    from sources import BuiltSource

    framework_name = {"torch": "PyTorch", "tf": "TensorFlow"}[backend.framework.name]
    if name not in transformers.CONFIG_MAPPING:
        raise SourceError(f"unknown hf model type '{name}': transformers {backend.version} has "
                          "no such configuration (see transformers.CONFIG_MAPPING)")
    class_name = backend.class_names.get(name)
    if class_name is None:
        raise SourceError(f"hf model type '{name}' has no {framework_name} class in "
                          f"transformers {backend.version}")
    # Some types map to several classes (funnel: FunnelModel, FunnelBaseModel); the first is the
    # full model. Taken by name: AutoModel.from_config fails on such tuples in transformers 5.
    if isinstance(class_name, (tuple, list)):
        class_name = class_name[0]
    model_class = getattr(transformers, class_name)

    hf_type = HF_TYPES.get(name, HfType("unlisted"))
    default = transformers.CONFIG_MAPPING[name]()
    overrides = dict(hf_type.overrides)
    if getattr(default, "use_cache", False):
        overrides["use_cache"] = False  # no past_key_values among the outputs
    config = transformers.CONFIG_MAPPING[name](**overrides)
    if name not in HF_TYPES:
        # An untried type's default may have billions of parameters: counted before building.
        estimate = backend.estimate(model_class, config)
        if estimate is not None and estimate > PARAMETER_LIMIT:
            raise SourceError(f"hf model type '{name}' has {estimate} parameters in its default "
                              f"configuration, over this worker's limit of {PARAMETER_LIMIT}; "
                              "add overrides for it to hf_models.py")
    model = backend.make_model(model_class, config, seed)
    parameters = backend.count(model)

    names = input_names(model, config, backend.parameters(model))
    shapes = default_shapes(names, config)
    if input_shapes:
        if len(input_shapes) != len(names):
            raise SourceError(f"hf:{name} takes {len(names)} inputs ({', '.join(names)}) but "
                              f"{len(input_shapes)} input shapes were given")
        shapes = [tuple(s) for s in input_shapes]
    exportable, call = backend.wrap(model, names)

    def make_args(set_index: int) -> tuple:
        rng = np.random.default_rng(seed + 1 + set_index)
        return tuple(backend.framework.from_value(make_input(n, s, config, rng))
                     for n, s in zip(names, shapes))

    info = {
        "family": hf_type.family,
        "model_class": class_name,
        "config_overrides": overrides,
        "input_names": names,
        "inputs_from": "input_shapes" if input_shapes else "model_default",
        "parameters": parameters,
        "transformers": backend.version,
    }
    attention = getattr(config, "_attn_implementation", None)
    if attention:
        info["attn_implementation"] = attention
    return BuiltSource(exportable, call, make_args, info, backend.framework)


def input_names(model, config, parameters: list) -> list:
    """The inputs the model gets, in this order, from its forward (or call) parameters."""
    main = getattr(model, "main_input_name", "input_ids")
    names = [main]
    if main == "input_ids":
        for extra in ("bbox", "attention_mask", "pixel_values"):
            if extra in parameters:
                names.append(extra)
    if getattr(config, "is_encoder_decoder", False) and "decoder_input_ids" in parameters:
        names.append("decoder_input_ids")
    return names


def sub_config(config, name: str):
    """A configuration field, looked up in the text or vision sub-configuration if need be."""
    for holder in (config, getattr(config, "text_config", None),
                   getattr(config, "vision_config", None)):
        value = getattr(holder, name, None) if holder is not None else None
        if value is not None:
            return value
    return None


def default_shapes(names: list, config) -> list:
    shapes = []
    for name in names:
        if name in ("input_ids", "attention_mask"):
            shapes.append((1, TEXT_LENGTH))
        elif name == "bbox":
            shapes.append((1, TEXT_LENGTH, 4))
        elif name == "decoder_input_ids":
            shapes.append((1, DECODER_LENGTH))
        elif name == "pixel_values":
            vision = getattr(config, "vision_config", None) or config
            size = getattr(vision, "image_size", None) or 224
            height, width = (size, size) if isinstance(size, int) else tuple(size)[-2:]
            shapes.append((1, getattr(vision, "num_channels", 3), height, width))
        elif name == "input_values":
            shapes.append((1, AUDIO_SAMPLES))
        elif name == "input_features":
            if getattr(config, "num_mel_bins", None):  # whisper: a fixed 30 s window
                shapes.append((1, config.num_mel_bins, 2 * config.max_source_positions))
            else:  # speech_to_text: frames x (features per channel x channels)
                features = config.input_feat_per_channel * config.input_channels
                shapes.append((1, SPEECH_FRAMES, features))
        else:
            raise SourceError(f"no input maker for '{name}'")
    return shapes


def make_input(name: str, shape: tuple, config, rng: np.random.Generator) -> np.ndarray:
    if name in ("input_ids", "decoder_input_ids"):
        vocab = sub_config(config, "vocab_size") or TOKEN_ID_LIMIT
        return rng.integers(0, min(vocab, TOKEN_ID_LIMIT), size=shape, dtype=np.int64)
    if name == "attention_mask":
        return np.ones(shape, dtype=np.int64)
    if name == "bbox":  # boxes (x0, y0, x1, y1) in [0, 1000] with x0 <= x1, y0 <= y1
        corners = np.sort(rng.integers(0, 1001, size=shape[:-1] + (2, 2)), axis=-2)
        return np.concatenate([corners[..., 0, :], corners[..., 1, :]], axis=-1).astype(np.int64)
    return rng.standard_normal(shape).astype(np.float32)


def signature_parameters(function) -> list:
    return list(inspect.signature(function).parameters)
