#!/usr/bin/python3
"""Checks the generator's two emitters against each other.

For every gen-SEED.py with a gen-SEED.onnx next to it (convcheck gen --out DIR --onnx), runs the
python module in PyTorch and writes the case in the ONNX backend-test layout (model.onnx,
test_data_set_0/{input,output}_K.pb) under DIR/cases/gen-SEED, so that
`convcheck check DIR/cases/gen-SEED/model.onnx --backend ort,ref` compares the directly written
ONNX model with PyTorch. Prints one line per model whose PyTorch run fails or gives a NaN or Inf; exits 1 if any
does.

usage: gen_selfcheck.py DIR
"""
import glob
import importlib.util
import os
import shutil
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch


def main() -> int:
    directory = sys.argv[1]
    failures = 0
    nonfinite = 0  # The generator's range rules should make this impossible.
    total = 0
    for path in sorted(glob.glob(os.path.join(directory, "gen-*.py"))):
        stem = os.path.splitext(os.path.basename(path))[0]
        onnx_path = os.path.join(directory, stem + ".onnx")
        total += 1
        try:
            spec = importlib.util.spec_from_file_location(stem.replace("-", "_"), path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            torch.manual_seed(1)
            model = module.make_model()
            inputs = module.make_inputs()
            with torch.no_grad():
                outputs = model(*inputs)
            if isinstance(outputs, torch.Tensor):
                outputs = (outputs,)
        except Exception as e:  # noqa: BLE001 - any failure is what we report
            failures += 1
            print(f"{stem}: torch: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
            continue
        if any(t.is_floating_point() and not bool(torch.isfinite(t).all()) for t in outputs):
            nonfinite += 1
            print(f"{stem}: an output holds NaN or Inf")
        if not os.path.exists(onnx_path):
            continue
        case = os.path.join(directory, "cases", stem)
        data = os.path.join(case, "test_data_set_0")
        os.makedirs(data, exist_ok=True)
        shutil.copy(onnx_path, os.path.join(case, "model.onnx"))
        for kind, tensors in (("input", inputs), ("output", outputs)):
            for k, t in enumerate(tensors):
                proto = onnx.numpy_helper.from_array(np.array(t.numpy(), order="C"))
                with open(os.path.join(data, f"{kind}_{k}.pb"), "wb") as f:
                    f.write(proto.SerializeToString())
    print(f"{total - failures}/{total} models ran in PyTorch, {nonfinite} with NaN or Inf outputs")
    return 1 if failures or nonfinite else 0


if __name__ == "__main__":
    sys.exit(main())
