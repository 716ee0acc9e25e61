#!/usr/bin/python3
"""convcheck's Python worker: one script for every converter environment.

Started as `ENV_PYTHON workers/python/convcheck_worker.py` with CONVCHECK_ENV naming the
environment (torch1.13 when unset); it imports only what that environment has and offers the
ops, converters and source kinds the tables below give it. Requests arrive one JSON object a
line on stdin; responses leave one JSON object a line on fd 3, and only there, because the
frameworks and their C++ code print to fd 1 and 2 (the log). Protocol: workers/README.md.

CONVCHECK_THREADS (alias CONVCHECK_TORCH_THREADS, default 1): torch's intra-op threads,
TensorFlow's intra- and inter-op threads, OpenVINO's INFERENCE_NUM_THREADS.
"""

import faulthandler
import gc
import importlib
import importlib.metadata
import json
import os
import platform
import sys
import warnings

from protocol import Environment, ProtocolError, describe_error, required

RESPONSE_FD = 3

# Environment -> (framework of its sources, packages whose versions the ready line reports).
ENVIRONMENTS = {
    "torch1.13": ("torch", ("torch", "torchvision", "onnx", "numpy")),
    "torch2": ("torch", ("torch", "torchvision", "onnx", "onnxscript", "transformers", "timm",
                         "numpy")),
    "tf2": ("tf", ("tensorflow", "keras", "tf_keras", "tf2onnx", "transformers", "onnx",
                   "numpy")),
    "onnx": ("onnx", ("onnx", "onnxruntime", "openvino", "onnxsim", "onnxoptimizer", "numpy")),
}
DEFAULT_ENVIRONMENT = "torch1.13"  # what the worker was before environments existed
TORCH = ("torch1.13", "torch2")
BUILDERS = ("torch1.13", "torch2", "tf2")

# What each environment offers: (name, environments, "module:attribute"). A module is imported
# only by the environments of its lines, so the tf2 worker never imports torch and vice versa.
# Adding a converter or a source kind is one module plus one line here.
OPS = [
    ("list_sources", BUILDERS, "sources:list_sources"),
    ("load_source", BUILDERS, "sources:load_source"),
    ("export", BUILDERS + ("onnx",), "converters:export"),
    ("check_model", ("onnx",), "onnx_tools:check_model"),
    ("run", ("onnx",), "onnx_tools:run"),
]
SOURCE_KINDS = [
    ("torchvision", TORCH, "torch_sources:TORCHVISION"),
    ("timm", ("torch2",), "torch_sources:TIMM"),
    ("hf", ("torch2",), "torch_sources:HF"),
    ("python", TORCH, "torch_sources:PYTHON"),
    ("hf", ("tf2",), "tf_sources:HF"),
    ("keras", ("tf2",), "tf_sources:KERAS"),
    ("python", ("tf2",), "tf_sources:PYTHON"),
    ("savedmodel", ("tf2",), "tf_sources:SAVEDMODEL"),
    # Only for `export`: the ONNX-to-ONNX tools read the file; C++ computes the reference.
    ("onnx", ("onnx",), "onnx_converters:ONNX_SOURCE"),
]
CONVERTERS = [
    ("torch.onnx@1.13", ("torch1.13",), "torch_export:TORCHSCRIPT_113"),
    ("torch.onnx.torchscript", ("torch2",), "torch_export:TORCHSCRIPT"),
    ("torch.onnx.dynamo", ("torch2",), "torch_export:DYNAMO"),
    ("tf2onnx", ("tf2",), "tf_export:TF2ONNX"),
    ("onnx.version_converter", ("onnx",), "onnx_converters:VERSION_CONVERTER"),
    ("ort.optimizer", ("onnx",), "onnx_converters:ORT_OPTIMIZER"),
    ("onnxsim", ("onnx",), "onnx_converters:ONNXSIM"),
    ("onnxoptimizer", ("onnx",), "onnx_converters:ONNXOPTIMIZER"),
]
# The fault-injection test doubles export with their environment's base converter.
FAULT_INJECTION_BASE = {"torch1.13": "torch.onnx@1.13", "torch2": "torch.onnx.dynamo",
                        "tf2": "tf2onnx", "onnx": "onnx.version_converter"}
ALIASES = {"torch.onnx": "torch.onnx@1.13"}  # names in stores and reproducers of torch 1.13 days


def load(reference: str):
    module, attribute = reference.split(":")
    return getattr(importlib.import_module(module), attribute)


def threads_setting() -> int:
    value = os.environ.get("CONVCHECK_THREADS") or os.environ.get("CONVCHECK_TORCH_THREADS")
    return int(value) if value else 1


def make_environment(name: str) -> tuple:
    """(Environment, versions, ops): imports the environment's frameworks and modules."""
    framework, packages = ENVIRONMENTS[name]
    threads = threads_setting()
    setup_framework(framework, threads)
    env = Environment(name, framework, threads, aliases=dict(ALIASES))
    for kind, envs, reference in SOURCE_KINDS:
        env.kind_environments.setdefault(kind, set()).update(envs)
        env.kind_frameworks.setdefault(kind, set()).update(ENVIRONMENTS[e][0] for e in envs)
        if name in envs:
            env.source_kinds[kind] = load(reference)
    for converter, envs, reference in CONVERTERS:
        env.converter_environments[converter] = set(envs)
        if name in envs:
            env.converters[converter] = load(reference)
    if name in FAULT_INJECTION_BASE:
        import fault_injection

        env.converters.update(fault_injection.doubles(env.converters[FAULT_INJECTION_BASE[name]]))
    ops = {op: load(reference) for op, envs, reference in OPS if name in envs}
    versions = {"python": platform.python_version(), **package_versions(packages)}
    return env, versions, ops


def setup_framework(framework, threads: int) -> None:
    """Imports the framework before the ready line, so that a broken install fails at start."""
    if framework == "torch":
        import torch

        torch.set_num_threads(threads)
    elif framework == "tf":
        # TensorFlow's C++ INFO and WARNING lines (oneDNN, CUDA probing) are noise in the log;
        # errors stay. Must be set before the import.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


def package_versions(packages: tuple) -> dict:
    """Versions from the installed distributions: no import (transformers alone takes seconds)."""
    distributions = {"tensorflow": ("tensorflow", "tensorflow-cpu"), "tf_keras": ("tf-keras",)}
    versions = {}
    for package in packages:
        module = sys.modules.get(package)
        version = getattr(module, "__version__", None)
        for distribution in distributions.get(package, (package,)):
            if version:
                break
            try:
                version = importlib.metadata.version(distribution)
            except importlib.metadata.PackageNotFoundError:
                pass
        versions[package] = version
    return versions


def open_response_channel():
    try:
        channel = os.fdopen(RESPONSE_FD, "w", buffering=1, encoding="utf-8")
    except OSError as e:
        sys.exit(f"convcheck_worker: fd {RESPONSE_FD} is not open for responses ({e}); "
                 "see workers/README.md")
    # A subprocess started by a user's model must not inherit the protocol channel.
    os.set_inheritable(RESPONSE_FD, False)
    return channel


def main() -> int:
    name = os.environ.get("CONVCHECK_ENV") or DEFAULT_ENVIRONMENT
    if name not in ENVIRONMENTS:
        print(f"convcheck_worker: unknown CONVCHECK_ENV '{name}': expected one of "
              + ", ".join(ENVIRONMENTS), file=sys.stderr)
        return 2
    # Log lines must reach the log before a crash, not sit in a pipe buffer.
    sys.stdout.reconfigure(line_buffering=True)
    # A segfault in C++ code leaves the Python stack in the log; the process still dies by the
    # signal (faulthandler re-raises it).
    faulthandler.enable()
    with open_response_channel() as channel:
        env, versions, ops = make_environment(name)
        # The frameworks' modules (torch alone: about 190,000 objects) live as long as the
        # worker: kept out of the collector's reach, the gc.collect() between sources (release)
        # costs nothing instead of 0.1 s of CPU per job (a fifth of a fuzz job's tool time).
        gc.collect()
        gc.freeze()
        send(channel, {"ready": True, "worker": "python", "env": name, "versions": versions,
                       "ops": sorted(ops) + ["shutdown"], "converters": sorted(env.converters),
                       "source_kinds": sorted(env.source_kinds)})
        serve(channel, ops, env)
    return 0


def serve(channel, ops: dict, env: Environment) -> None:
    """Answers requests in order until shutdown or end of input."""
    for line in sys.stdin:
        if not line.strip():
            continue
        request_id = None
        try:
            request = parse_request(line)
            request_id = request.get("id")
            op = required(request, "op")
            if op == "shutdown":
                send(channel, {"id": request_id, "ok": True})
                return
            if op not in ops:
                raise ProtocolError(f"unknown op '{op}' in environment {env.name}: expected one "
                                    "of " + ", ".join(sorted(ops) + ["shutdown"]))
            response = {"id": request_id, "ok": True, **ops[op](request, env)}
        except (Exception, SystemExit) as e:  # SystemExit: a user's file may call sys.exit()
            response = {"id": request_id, "ok": False, "error": describe_error(e)}
        send(channel, response)


def parse_request(line: str) -> dict:
    try:
        request = json.loads(line)
    except json.JSONDecodeError as e:
        raise ProtocolError(f"request is not JSON: {e}") from None
    if not isinstance(request, dict):
        raise ProtocolError(f"request is not a JSON object: {line.strip()[:100]}")
    return request


def send(channel, message: dict) -> None:
    channel.write(json.dumps(message, default=str) + "\n")


if __name__ == "__main__":
    # Library warnings go to stderr (the log), once per place; export records its own.
    warnings.simplefilter("default")
    sys.exit(main())
