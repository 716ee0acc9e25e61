"""The `export` op: converter lookup, options, timing, warnings and the facts of the written file.

A converter is a `Converter` (torch_export.py, tf_export.py, fault_injection.py) listed in
convcheck_worker.py's table for the environments that run it. Its `run` writes the model to
`out_path` and returns the names of the graph's inputs and outputs in the source's order and
notes; everything else the response carries is added here. workers/README.md has the contract.
"""

import dataclasses
import logging
import os
import re
import time
import traceback
import warnings
from typing import Callable, Optional

import onnx

import sources
from protocol import (FRAMEWORK_NAMES, Environment, FrameworkMismatch, ProtocolError,
                      UnknownConverter, annotate, exception_chain, failure_signature, required,
                      resolve_options, summarize_warnings)


@dataclasses.dataclass(frozen=True)
class Converter:
    name: str
    framework: str  # "torch" or "tf": the sources it converts
    # (loaded source, request, options, opset, out_path) -> {"input_names", "output_names",
    # "notes", ...}; raises on failure.
    run: Callable
    options: dict  # key -> protocol.Option
    stage_of: Callable  # exception -> study stage (workers/README.md, stage maps)
    signature_of: Callable = failure_signature
    opsets: Optional[tuple] = None  # (lowest, highest) the converter writes; None: not checked
    opset_reason: str = ""  # why, for the ProtocolError
    # Loggers whose records of this level or above become notes (e.g. tf2onnx's errors about
    # unsupported ops, which it logs but does not raise).
    logged_notes: tuple = ()  # ((logger name, level), ...)


def lookup(name: str, env: Environment) -> Converter:
    converter = env.converters.get(env.aliases.get(name, name))
    if converter is not None:
        return converter
    target = env.aliases.get(name, name)
    elsewhere = env.converter_environments.get(target)
    if elsewhere:
        raise UnknownConverter(f"converter '{name}' runs in environment "
                               f"{', '.join(sorted(elsewhere))}, not {env.name}")
    raise UnknownConverter(f"unknown converter '{name}': expected one of "
                           + ", ".join(sorted(env.converters)))


def export(request: dict, env: Environment) -> dict:
    """The `export` op. Every failure has a stage and a signature."""
    try:
        return export_unchecked(request, env)
    except Exception as e:
        fields = getattr(e, "convcheck_fields", {})
        raise annotate(e, stage=fields.get("stage") or getattr(e, "convcheck_stage", None)
                       or "unknown", signature=failure_signature(e))


def export_unchecked(request: dict, env: Environment) -> dict:
    converter = lookup(required(request, "converter"), env)
    try:
        opset = int(required(request, "opset"))
    except (TypeError, ValueError):
        raise ProtocolError(f"opset must be an integer, got {request['opset']!r}") from None
    out_path = required(request, "out_path")
    options = resolve_options(converter.name, converter.options, request)
    if converter.opsets and not converter.opsets[0] <= opset <= converter.opsets[1]:
        raise ProtocolError(f"converter {converter.name} cannot write opset {opset}: "
                            f"{converter.opset_reason}")

    try:
        loaded = sources.get_loaded(request, env)
    except ProtocolError:
        raise
    except Exception as e:
        # Rebuilding a source that loaded before failed: not the converter's doing.
        raise annotate(e, stage="source", signature=failure_signature(e))
    if loaded.framework.name != converter.framework:
        raise annotate(FrameworkMismatch(
            f"converter {converter.name} converts {FRAMEWORK_NAMES[converter.framework]} "
            f"models; source '{request['source']}' is "
            f"{FRAMEWORK_NAMES[loaded.framework.name]}"), stage="request")
    # A missing directory is the caller's problem, not an exporter failure at serialisation.
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)

    records = LogCapture(converter.logged_notes)
    start = time.perf_counter()
    caught = []
    try:
        with warnings.catch_warnings(record=True) as caught, records:
            warnings.simplefilter("always")
            result = converter.run(loaded, request, options, opset, out_path)
    except Exception as e:
        raise annotate(e, stage=converter.stage_of(e), signature=converter.signature_of(e))
    finally:
        # Outside the catch_warnings block, which would record the logged copies again.
        converter_warnings = summarize_warnings(caught)
    elapsed = time.perf_counter() - start
    notes = list(result.pop("notes", [])) + records.notes()
    return {
        "elapsed_s": {"export": round(elapsed, 4)},
        **result,
        "warnings": converter_warnings,
        **model_facts(out_path),
        "notes": notes,
    }


def graph_names(out_path: str, input_names: list, output_names: list) -> dict:
    """The names to return: ours, or the file's own when the converter did not use ours.

    Converters may also add or drop graph inputs (an unused input dropped, a captured tensor
    made an input): the response then carries the graph's names, and a note says so.
    """
    graph = onnx.load(out_path, load_external_data=False).graph
    initializers = {t.name for t in graph.initializer}
    actual_inputs = [v.name for v in graph.input if v.name not in initializers]
    actual_outputs = [v.name for v in graph.output]
    notes = []
    if sorted(actual_inputs) != sorted(input_names):
        notes.append(f"graph inputs are {actual_inputs}, not the {len(input_names)} inputs "
                     "named input_K: names returned as in the graph")
        input_names = actual_inputs
    if sorted(actual_outputs) != sorted(output_names):
        notes.append(f"graph outputs are {actual_outputs}, not the {len(output_names)} outputs "
                     "named output_K: names returned as in the graph")
        output_names = actual_outputs
    return {"input_names": input_names, "output_names": output_names, "notes": notes}


def model_facts(path: str) -> dict:
    """The written model's default-domain opset and IR version."""
    model = onnx.load(path, load_external_data=False)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    return {"opset": opset, "ir_version": model.ir_version}


@dataclasses.dataclass(frozen=True)
class StageMap:
    """Reads a failure's stage off its traceback, through the chain of wrapped exceptions.

    `steps` are statements of the converter's driver functions that start a step: (file pattern,
    function name or None for any, fragment of the statement, stage). They are checked from the
    outermost frame inwards, so that whatever a step calls counts for that step; a converter that
    wraps a step's failure and re-raises it `from` the cause leaves the cause's traceback
    starting at the statement of the step, and `raise` statements themselves are skipped. When no
    step matches, `files` (file pattern, stage) decide from the innermost frame outwards.
    """

    steps: list
    files: list

    def stage(self, error: BaseException) -> Optional[str]:
        frames = [f for e in exception_chain(error)
                  for f in traceback.extract_tb(e.__traceback__)]
        for frame in frames:
            filename = frame.filename.replace(os.sep, "/")
            line = (frame.line or "").strip()
            if line.startswith("raise"):
                continue
            for pattern, function, fragment, stage in self.steps:
                if pattern.search(filename) and function in (None, frame.name) \
                        and fragment in line:
                    return stage
        for frame in reversed(frames):
            filename = frame.filename.replace(os.sep, "/")
            for pattern, stage in self.files:
                if pattern.search(filename):
                    return stage
        return None


class LogCapture(logging.Handler):
    """Collects log records of some loggers while a conversion runs (they still reach the log)."""

    def __init__(self, loggers: tuple):
        super().__init__()
        self.loggers = loggers
        self.messages = []
        self.keys = set()

    def __enter__(self):
        for name, level in self.loggers:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc):
        for name, _ in self.loggers:
            logging.getLogger(name).removeHandler(self)
        return False

    def emit(self, record: logging.LogRecord) -> None:
        wanted = dict(self.loggers)
        for name, level in wanted.items():
            if (record.name == name or record.name.startswith(name + ".")) \
                    and record.levelno >= level:
                text = f"{record.name}: {record.getMessage()}".strip().splitlines()[0][:300]
                # One note for messages that differ only in numbers (one per layer, say).
                key = re.sub(r"\d+", "N", text)
                if key not in self.keys:
                    self.keys.add(key)
                    self.messages.append(text)
                return

    def notes(self) -> list:
        return self.messages[:20]
