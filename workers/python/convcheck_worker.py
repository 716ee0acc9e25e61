#!/usr/bin/python3
"""convcheck's Python worker: builds source models and converts them with torch.onnx.

Protocol: workers/README.md. Requests arrive one JSON object a line on stdin; responses leave
one JSON object a line on fd 3, and only there, because torch and its C++ code print to fd 1
and 2. Run it with /usr/bin/python3 (Debian's torch). Environment: CONVCHECK_TORCH_THREADS
(default 1) sets torch's intra-op threads.
"""

import faulthandler
import json
import os
import platform
import sys
import traceback
import warnings

from protocol import ProtocolError, required

RESPONSE_FD = 3


class UnknownConverter(ProtocolError):
    """The export request names a converter this worker does not have."""


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
    # Log lines must reach the log before a crash, not sit in a pipe buffer.
    sys.stdout.reconfigure(line_buffering=True)
    # A segfault in C++ code leaves the Python stack in the log; the process still dies by the
    # signal (faulthandler re-raises it).
    faulthandler.enable()
    with open_response_channel() as channel:
        import numpy
        import onnx
        import torch
        import torchvision

        torch.set_num_threads(int(os.environ.get("CONVCHECK_TORCH_THREADS", "1")))
        versions = {"python": platform.python_version(), "torch": torch.__version__,
                    "torchvision": torchvision.__version__, "onnx": onnx.__version__,
                    "numpy": numpy.__version__}
        ops = make_ops()
        send(channel, {"ready": True, "worker": "python", "versions": versions})
        serve(channel, ops)
    return 0


def make_ops() -> dict:
    """op name -> (function of the request giving the response fields, failure describer)."""
    import export
    import fault_injection
    import sources

    converters = {"torch.onnx": export.export_torch_onnx, **fault_injection.CONVERTERS}

    def export_op(request: dict) -> dict:
        converter = converters.get(required(request, "converter"))
        if converter is None:
            raise UnknownConverter(f"unknown converter '{request['converter']}': expected one of "
                                   + ", ".join(sorted(converters)))
        try:
            loaded = sources.get_loaded(request)
        except ProtocolError:
            raise
        except Exception as e:
            # Rebuilding a source that loaded before failed: not the converter's doing.
            e.convcheck_stage = "source"
            raise
        return converter(loaded, request)

    return {
        "load_source": (sources.load_source, None),
        "list_sources": (sources.list_sources, None),
        "export": (export_op, export.classify_failure),
    }


def serve(channel, ops: dict) -> None:
    """Answers requests in order until shutdown or end of input."""
    for line in sys.stdin:
        if not line.strip():
            continue
        request_id = None
        describe_failure = None
        try:
            request = parse_request(line)
            request_id = request.get("id")
            op = required(request, "op")
            if op == "shutdown":
                send(channel, {"id": request_id, "ok": True})
                return
            if op not in ops:
                raise ProtocolError(f"unknown op '{op}': expected one of "
                                 + ", ".join(sorted(ops) + ["shutdown"]))
            run, describe_failure = ops[op]
            response = {"id": request_id, "ok": True, **run(request)}
        except (Exception, SystemExit) as e:  # SystemExit: a user's file may call sys.exit()
            error = describe_error(e)
            if describe_failure is not None:
                error.update(describe_failure(e))
            response = {"id": request_id, "ok": False, "error": error}
        send(channel, response)


def parse_request(line: str) -> dict:
    try:
        request = json.loads(line)
    except json.JSONDecodeError as e:
        raise ProtocolError(f"request is not JSON: {e}") from None
    if not isinstance(request, dict):
        raise ProtocolError(f"request is not a JSON object: {line.strip()[:100]}")
    return request


def describe_error(error: BaseException) -> dict:
    full_message = str(error)
    lines = full_message.strip().splitlines()
    return {
        "type": type(error).__name__,
        "message": (lines[0] if lines else "")[:500],
        "full_message": full_message,
        "traceback": "".join(traceback.format_exception(error)),
    }


def send(channel, message: dict) -> None:
    channel.write(json.dumps(message, default=str) + "\n")


if __name__ == "__main__":
    # Library warnings go to stderr (the log), once per place; export records its own.
    warnings.simplefilter("default")
    sys.exit(main())
