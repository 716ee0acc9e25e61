"""Checks the TensorFlow emitter against the PyTorch one, in two steps (two environments).

`tf DIR` (run with the tf2 environment's python): for every gen-SEED_tf.py in DIR, builds the
model, makes its inputs (NumPy seeded with 1), runs it, and writes the inputs and outputs as .npy
under DIR/tf/gen-SEED/. Prints one line per model that fails or gives a NaN or Inf, then
"N/M models ran in TensorFlow, K with NaN or Inf".

`torch DIR` (run with a torch environment's python): feeds the same inputs to every gen-SEED.py
and compares its outputs with TensorFlow's: shape, dtype class and values within
|a - b| <= 1e-4 + 1e-3 * |b| (float32 computed by two libraries). Prints one line per
disagreement, then "N/M models agree between TensorFlow and PyTorch".

Exit status 1 when any model fails or disagrees.
"""
import glob
import importlib.util
import os
import sys

import numpy as np


def load(path):
    name = "m_" + os.path.splitext(os.path.basename(path))[0].replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def first_line(error):
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


def run_tf(directory):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    paths = sorted(glob.glob(os.path.join(directory, "gen-*_tf.py")))
    ran = nonfinite = 0
    for path in paths:
        stem = os.path.basename(path)[:-len("_tf.py")]
        try:
            module = load(path)
            np.random.seed(1)
            inputs = module.make_inputs()
            outputs = module.make_model()(*[tf.constant(x) for x in inputs])
            outputs = outputs if isinstance(outputs, tuple) else (outputs,)
            outputs = [o.numpy() for o in outputs]
        except Exception as e:  # noqa: BLE001 - any failure is what this reports
            print(f"{stem}: tensorflow: {first_line(e)}")
            continue
        ran += 1
        if any(o.dtype.kind == "f" and not np.isfinite(o).all() for o in outputs):
            nonfinite += 1
            print(f"{stem}: an output holds NaN or Inf")
        out = os.path.join(directory, "tf", stem)
        os.makedirs(out, exist_ok=True)
        for kind, arrays in (("input", inputs), ("output", outputs)):
            for k, a in enumerate(arrays):
                np.save(os.path.join(out, f"{kind}_{k}.npy"), np.asarray(a))
    print(f"{ran}/{len(paths)} models ran in TensorFlow, {nonfinite} with NaN or Inf")
    return 0 if ran == len(paths) and nonfinite == 0 else 1


def compare_torch(directory):
    import torch

    torch.set_num_threads(1)
    cases = sorted(glob.glob(os.path.join(directory, "tf", "gen-*")))
    agree = 0
    for case in cases:
        stem = os.path.basename(case)
        inputs = [np.load(p) for p in sorted(glob.glob(os.path.join(case, "input_*.npy")),
                                             key=lambda p: int(p.rsplit("_", 1)[1][:-4]))]
        expected = [np.load(p) for p in sorted(glob.glob(os.path.join(case, "output_*.npy")),
                                               key=lambda p: int(p.rsplit("_", 1)[1][:-4]))]
        try:
            model = load(os.path.join(directory, stem + ".py")).make_model()
            with torch.no_grad():
                outputs = model(*[torch.from_numpy(np.array(x)) for x in inputs])
            outputs = outputs if isinstance(outputs, tuple) else (outputs,)
            outputs = [o.numpy() for o in outputs]
        except Exception as e:  # noqa: BLE001
            print(f"{stem}: torch: {first_line(e)}")
            continue
        problem = None
        if len(outputs) != len(expected):
            problem = f"{len(outputs)} outputs in torch, {len(expected)} in TensorFlow"
        for k, (a, b) in enumerate(zip(outputs, expected)):
            if problem:
                break
            if a.shape != b.shape:
                problem = f"output {k}: shape {list(a.shape)} in torch, {list(b.shape)} in TF"
            elif (a.dtype.kind == "f") != (b.dtype.kind == "f") or (a.dtype == bool) != (
                    b.dtype == bool):
                problem = f"output {k}: dtype {a.dtype} in torch, {b.dtype} in TF"
            elif a.dtype.kind == "f":
                err = np.abs(a.astype(np.float64) - b.astype(np.float64))
                bound = 1e-4 + 1e-3 * np.abs(b.astype(np.float64))
                if not (err <= bound).all():
                    problem = f"output {k}: max |torch - tf| {err.max():.3g}"
            elif not np.array_equal(a, b):
                problem = f"output {k}: {int((a != b).sum())} elements differ"
        if problem:
            print(f"{stem}: {problem}")
        else:
            agree += 1
    print(f"{agree}/{len(cases)} models agree between TensorFlow and PyTorch")
    return 0 if cases and agree == len(cases) else 1


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("tf", "torch"):
        sys.exit("usage: tf_emitter_check.py tf|torch DIR")
    sys.exit(run_tf(sys.argv[2]) if sys.argv[1] == "tf" else compare_torch(sys.argv[2]))
