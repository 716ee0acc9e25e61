#!/usr/bin/python3
"""End-to-end self-test of the Python worker in one environment, through its protocol.

Its main worth: the failure stages are read off the converters' internal file and function
names, which a new version may rename; each stage here is provoked by a tiny model and checked.
Also covers the protocol, sources, the fault-injection converters and the onnx environment's
ops. Run it with the environment's interpreter; it needs no test framework:
    /usr/bin/python3 workers/python/selftest.py                  # torch1.13, about 20 s
    /opt/convcheck/envs/torch2/bin/python workers/python/selftest.py --env torch2   # ~2 min
    .../tf2/bin/python workers/python/selftest.py --env tf2      # about 2 min
    .../onnx/bin/python workers/python/selftest.py --env onnx    # about 10 s
Exit status 0 when every check passes. The worker runs under the same interpreter unless
--python names another.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "convcheck_worker.py")


class Worker:
    def __init__(self, python, env, log):
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(
            [python, WORKER], stdin=subprocess.PIPE, stdout=log, stderr=log, pass_fds=(3,),
            preexec_fn=lambda: os.dup2(write_fd, 3), env={**os.environ, "CONVCHECK_ENV": env})
        os.close(write_fd)
        self.responses = os.fdopen(read_fd)
        line = self.responses.readline()
        self.ready = json.loads(line) if line else {}
        self.next_id = 0

    def send(self, **request):
        self.next_id += 1
        self.process.stdin.write((json.dumps({"id": self.next_id, **request}) + "\n").encode())
        self.process.stdin.flush()

    def call(self, **request):
        self.send(**request)
        line = self.responses.readline()
        return json.loads(line) if line else None

    def close(self):
        response = self.call(op="shutdown")
        return response == {"id": self.next_id, "ok": True} and self.process.wait() == 0


class Checks:
    def __init__(self):
        self.failures = 0

    def expect(self, what, condition, detail=""):
        if not condition and not isinstance(detail, str):
            detail = json.dumps(detail, default=str)[:600]
        print(f"{'ok  ' if condition else 'FAIL'} {what}" + ("" if condition else f": {detail}"),
              flush=True)
        self.failures += not condition

    def expect_error(self, what, response, stage=None, error_type=None, signature=None):
        """A failed response with this stage, type and signature prefix (None: any)."""
        error = (response or {}).get("error", {})
        self.expect(what, response is not None and not response.get("ok")
                    and (stage is None or error.get("stage") == stage)
                    and (error_type is None or error.get("type") == error_type)
                    and (signature is None or error.get("signature", "").startswith(signature)),
                    {k: v for k, v in error.items() if k not in ("traceback", "full_message")}
                    if response else "no answer")


class Context:
    """What every environment's checks get: the worker, a scratch folder, helpers."""

    def __init__(self, python, env, directory, log, checks):
        self.python = python
        self.env = env
        self.directory = directory
        self.log = log
        self.checks = checks
        self.worker = Worker(python, env, log)

    def restart(self):
        return Worker(self.python, self.env, self.log)

    def write_source(self, name, body):
        """A python source file; returns its `python:` source string."""
        path = os.path.join(self.directory, f"{name}.py")
        with open(path, "w") as f:
            f.write(textwrap.dedent(body))
        return f"python:{path}"

    def path(self, name):
        return os.path.join(self.directory, name)


def check_ready(ctx, versions, converters, source_kinds):
    ready = ctx.worker.ready
    ctx.checks.expect(f"ready line of {ctx.env}", ready.get("ready") and ready.get("env") == ctx.env
                      and set(ready.get("versions", {})) == {"python", *versions}
                      and all(ready["versions"].values())
                      and set(converters) <= set(ready.get("converters", []))
                      and sorted(ready.get("source_kinds", [])) == sorted(source_kinds), ready)


def check_protocol(ctx):
    worker = ctx.worker
    response = worker.call(op="no-such-op")
    ctx.checks.expect("unknown op", response["error"]["type"] == "ProtocolError"
                      and response["error"]["stage"] == "request", response)
    worker.process.stdin.write(b'{"id": 99}\n')  # no op
    worker.process.stdin.flush()
    response = json.loads(worker.responses.readline())
    ctx.checks.expect("a request without op", response["id"] == 99
                      and "has no 'op'" in response["error"]["message"], response)
    worker.process.stdin.write(b"[1, 2]\n")
    worker.process.stdin.flush()
    response = json.loads(worker.responses.readline())
    ctx.checks.expect("a line that is no JSON object", response["id"] is None
                      and response["error"]["type"] == "ProtocolError", response)


def check_deaths(ctx, export_request):
    """fault-inject:hang never answers; fault-inject:segfault kills the worker by SIGSEGV."""
    worker = ctx.restart()
    worker.send(op="export", converter="fault-inject:hang", out_path=ctx.path("hang.onnx"),
                **export_request)
    try:
        worker.process.wait(timeout=3)
    except subprocess.TimeoutExpired:
        pass
    ctx.checks.expect("hang does not answer", worker.process.poll() is None)
    worker.process.kill()
    worker.process.wait()

    worker = ctx.restart()
    response = worker.call(op="export", converter="fault-inject:segfault",
                           out_path=ctx.path("segv.onnx"), **export_request)
    ctx.checks.expect("segfault dies by SIGSEGV",
                      response is None and worker.process.wait() == -signal.SIGSEGV)


def check_unknown_environment(ctx):
    result = subprocess.run([ctx.python, WORKER], env={**os.environ, "CONVCHECK_ENV": "bogus"},
                            stdin=subprocess.DEVNULL, capture_output=True, text=True)
    ctx.checks.expect("unknown CONVCHECK_ENV: exit 2 with a message", result.returncode == 2
                      and "unknown CONVCHECK_ENV 'bogus'" in result.stderr, result.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env", default="torch1.13",
                        choices=["torch1.13", "torch2", "tf2", "onnx"])
    parser.add_argument("--python", default=sys.executable,
                        help="the environment's interpreter (default: this one)")
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if args.env in ("torch1.13", "torch2"):
        import selftest_torch as suite
    elif args.env == "tf2":
        import selftest_tf as suite
    else:
        import selftest_onnx as suite

    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="convcheck-selftest-") as directory:
        log_path = os.path.join(directory, "worker.log")
        with open(log_path, "wb") as log:
            ctx = Context(args.python, args.env, directory, log, checks)
            suite.run(ctx)
            checks.expect("shutdown", ctx.worker.close())
            check_unknown_environment(ctx)
        if checks.failures:
            with open(log_path, errors="replace") as f:
                print("--- worker log (tail) ---\n" + f.read()[-4000:])
    print(f"{checks.failures} failure(s)")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
