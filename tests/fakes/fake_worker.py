#!/usr/bin/env python3
"""Fake worker (a test double): speaks the worker protocol of workers/README.md and misbehaves
on request, so that the supervisor's handling of hangs, crashes, memory blow-ups and protocol
violations can be tested without torch or ONNX Runtime. Standard library only.

Ops: echo (answers with the request), sleep (seconds), segfault, exit (code), garbage (writes a
non-JSON line on fd 3), alloc (MiB, then sleeps), stdout_noise (prints on fd 1 then answers).
Start-up modes via argv[1]: "normal", "no-ready" (never says ready), "die-at-start".
"""
import json
import os
import signal
import sys
import time

mode = sys.argv[1] if len(sys.argv) > 1 else "normal"
out = os.fdopen(3, "w", buffering=1)

if mode == "die-at-start":
    print("fake worker: dying at start on purpose", file=sys.stderr)
    sys.exit(3)
if mode == "no-ready":
    time.sleep(3600)

out.write(json.dumps({"ready": True, "worker": "fake", "versions": {"fake": "1"}}) + "\n")
hoard = []
for line in sys.stdin:
    req = json.loads(line)
    op = req.get("op")
    rid = req.get("id")
    if op == "shutdown":
        break
    if op == "sleep":
        time.sleep(float(req["seconds"]))
    elif op == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif op == "exit":
        sys.exit(int(req["code"]))
    elif op == "garbage":
        out.write("this is not json\n")
        continue
    elif op == "alloc":
        hoard.append(bytearray(int(req["mib"]) * 1024 * 1024))
        for i in range(0, len(hoard[-1]), 4096):
            hoard[-1][i] = 1
        time.sleep(float(req.get("seconds", 60)))
    elif op == "stdout_noise":
        print("noise on stdout that must not reach the protocol")
        sys.stdout.flush()
        os.write(1, b"raw noise on fd 1\n")
    out.write(json.dumps({"id": rid, "ok": True, "echo": req}) + "\n")
