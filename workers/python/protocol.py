"""What the worker's modules share: the environment, request fields, errors and their signatures.

The protocol itself is described in workers/README.md. Nothing here imports a framework: this
module is loaded in every environment before anything else.
"""

import dataclasses
import re
import traceback
import warnings
from typing import Optional


class ProtocolError(Exception):
    """The request is not JSON, lacks a field, or asks for something that does not exist.

    Named as in the Node worker. A failed `export` for this reason has stage `request`.
    """

    convcheck_stage = "request"


class UnknownConverter(ProtocolError):
    """The export request names a converter this environment does not have."""


class SourceError(Exception):
    """The request names a source that cannot be built as asked."""


class FrameworkMismatch(SourceError):
    """The source is a model of another framework than the one this environment runs."""


@dataclasses.dataclass
class Environment:
    """The converter environment this worker runs in and what it offers (convcheck_worker.py)."""

    name: str  # torch1.13, torch2, tf2, onnx
    framework: Optional[str]  # "torch", "tf" or "onnx" (ONNX files, for the ONNX-to-ONNX tools)
    threads: int
    source_kinds: dict = dataclasses.field(default_factory=dict)  # kind -> sources.SourceKind
    converters: dict = dataclasses.field(default_factory=dict)  # name -> converters.Converter
    aliases: dict = dataclasses.field(default_factory=dict)  # old converter name -> name
    # What the other environments offer, for errors that say where something runs.
    converter_environments: dict = dataclasses.field(default_factory=dict)  # name -> {env}
    kind_environments: dict = dataclasses.field(default_factory=dict)  # kind -> {env}
    kind_frameworks: dict = dataclasses.field(default_factory=dict)  # kind -> {framework}


FRAMEWORK_NAMES = {"torch": "PyTorch", "tf": "TensorFlow", "onnx": "ONNX"}


def required(request: dict, field: str):
    if field not in request:
        raise ProtocolError(f"request has no '{field}'")
    return request[field]


def check_type(what: str, value, expected: type, expected_name: str):
    """`value` if it has the type; a ProtocolError naming `what` otherwise (bool is no int)."""
    if isinstance(value, bool) and expected is not bool:
        ok = False
    else:
        ok = isinstance(value, expected)
    if not ok:
        raise ProtocolError(f"{what} must be {expected_name}, got {value!r}")
    return value


def annotate(error: BaseException, **fields) -> BaseException:
    """Attaches protocol fields (stage, signature, code) to an error on its way to the loop.

    Fields already attached by a more specific handler win.
    """
    existing = getattr(error, "convcheck_fields", {})
    error.convcheck_fields = {**fields, **existing}
    return error


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def first_line(text: str, limit: int = 500) -> str:
    lines = ANSI_ESCAPE.sub("", text).strip().splitlines()
    return (lines[0] if lines else "")[:limit]


def describe_error(error: BaseException) -> dict:
    full_message = ANSI_ESCAPE.sub("", str(error))
    described = {
        "type": type(error).__name__,
        "message": first_line(full_message),
        "full_message": full_message,
        "traceback": ANSI_ESCAPE.sub("", "".join(traceback.format_exception(error))),
    }
    described.update(getattr(error, "convcheck_fields", {}))
    if "stage" not in described and getattr(error, "convcheck_stage", None):
        described["stage"] = error.convcheck_stage
    chain = exception_chain(error)
    if len(chain) > 1:  # what the outer error wraps, e.g. torch's step wrappers
        described["cause"] = f"{type(chain[-1]).__name__}: {first_line(str(chain[-1]))}"
    return described


# Parts of a message that differ between occurrences of the same failure. Applied in order.
SIGNATURE_NORMALIZATIONS = [
    (re.compile(r"\b[a-z]+://\S+"), "<url>"),
    (re.compile(r"(?<![\w.])(?:/[\w.+@-]+)+"), "<path>"),
    (re.compile(r"0x[0-9a-fA-F]+"), "0xADDR"),
    (re.compile(r"%[\w.:]+"), "%V"),  # TorchScript and FX value names: %123, %x.1, %onnx::Add_7
    (re.compile(r"(?<=_)\d+\b"), "N"),  # numbered names: onnx::Add_123, keras_tensor_12
    (re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b"), "N"),
]


def failure_signature(error: BaseException, limit: int = 200) -> str:
    """`Type: first message line`, with what varies between occurrences normalised."""
    text = f"{type(error).__name__}: {first_line(str(error))}"
    for pattern, replacement in SIGNATURE_NORMALIZATIONS:
        text = pattern.sub(replacement, text)
    return text[:limit]


def exception_chain(error: BaseException) -> list:
    """The error and its causes, outermost first (`raise ... from`, then implicit context)."""
    chain = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return chain


def summarize_warnings(caught: list, limit: int = 10) -> list:
    """First lines of the converter's warnings, deduplicated; each is also logged to stderr."""
    summary = []
    for w in caught:
        text = f"{w.category.__name__}: {first_line(str(w.message), 300)}"
        if text not in summary:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
            summary.append(text)
    return summary[:limit]


@dataclasses.dataclass(frozen=True)
class Option:
    """One converter option: its JSON type and default (the keys are fixed by the contract)."""

    default: object
    choices: Optional[tuple] = None  # allowed values of a string option

    def check(self, converter: str, key: str, value):
        if self.choices is not None:
            if value not in self.choices:
                raise ProtocolError(f"option '{key}' of converter {converter} must be one of "
                                    + ", ".join(repr(c) for c in self.choices)
                                    + f", got {value!r}")
            return value
        kind = type(self.default)
        return check_type(f"option '{key}' of converter {converter}", value, kind, kind.__name__)


def resolve_options(converter: str, spec: dict, request: dict) -> dict:
    """The converter's options: `options` if the request has it, else the legacy top-level keys.

    Unknown keys in `options` are a ProtocolError; the old top-level fields (constant_folding,
    dynamic_batch, mode) are read only when `options` is absent, and only those the converter
    knows, so that the torch 1.13 supervisor keeps working unchanged.
    """
    given = request.get("options")
    if given is None:
        given = {key: request[key] for key in spec if key in request and request[key] is not None}
    elif not isinstance(given, dict):
        raise ProtocolError(f"options must be a JSON object, got {given!r}")
    unknown = sorted(set(given) - set(spec))
    if unknown:
        raise ProtocolError(f"unknown option(s) {', '.join(repr(k) for k in unknown)} for "
                            f"converter {converter}: expected "
                            + (", ".join(sorted(spec)) if spec else "none"))
    return {key: option.check(converter, key, given[key]) if key in given else option.default
            for key, option in spec.items()}
