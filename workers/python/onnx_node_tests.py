"""Writes the ONNX node backend-test cases of the installed onnx package to a folder.

The PyPI onnx wheel does not ship data/node; it ships the generators
(onnx.backend.test.case.node). This script runs them and writes every case in the ONNX
backend-test layout that `convcheck conformance` reads:

    OUT/<case>/model.onnx
    OUT/<case>/test_data_set_N/input_K.pb, output_K.pb

Tensors are TensorProto files, sequences SequenceProto, optionals OptionalProto and maps
MapProto, each chosen by the model's declared input or output type, as onnx's own data is.

Idempotent: OUT/.stamp holds the onnx version; when it matches, nothing is written. The cases
are written into a temporary sibling folder and renamed into place, so an interrupted run leaves
no half-written suite behind.

Usage: python onnx_node_tests.py --out DIR [--force]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile

STAMP = ".stamp"


def encode(value, value_info, numpy_helper, TensorProto):
    """Serializes one input or output by the kind the model declares for it."""
    kind = value_info.type.WhichOneof("value")
    name = value_info.name
    if kind == "sequence_type":
        return numpy_helper.from_list(value, name).SerializeToString()
    if kind == "optional_type":
        return numpy_helper.from_optional(value, name).SerializeToString()
    if kind == "map_type":
        return numpy_helper.from_dict(value, name).SerializeToString()
    if isinstance(value, TensorProto):
        return value.SerializeToString()
    return numpy_helper.from_array(value, name).SerializeToString()


def write_case(case, root, numpy_helper, TensorProto):
    case_dir = os.path.join(root, case.name)
    os.makedirs(case_dir)
    with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    graph = case.model.graph
    for n, (inputs, outputs) in enumerate(case.data_sets):
        set_dir = os.path.join(case_dir, f"test_data_set_{n}")
        os.makedirs(set_dir)
        for prefix, values, infos in (("input", inputs, graph.input), ("output", outputs, graph.output)):
            for k, value in enumerate(values):
                with open(os.path.join(set_dir, f"{prefix}_{k}.pb"), "wb") as f:
                    f.write(encode(value, infos[k], numpy_helper, TensorProto))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write the cases into")
    parser.add_argument("--force", action="store_true", help="rewrite even if the stamp matches")
    args = parser.parse_args()

    import onnx
    from onnx import TensorProto, numpy_helper
    from onnx.backend.test.case import node as node_cases

    out = os.path.abspath(args.out)
    stamp = os.path.join(out, STAMP)
    if not args.force and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read().strip() == onnx.__version__:
                print(f"{out}: onnx {onnx.__version__} node tests already written")
                return 0

    cases = [c for c in node_cases.collect_testcases() if c.kind == "node" and c.model is not None]
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".onnx-node-tests-", dir=parent)
    try:
        for case in cases:
            write_case(case, tmp, numpy_helper, TensorProto)
        with open(os.path.join(tmp, STAMP), "w") as f:
            f.write(onnx.__version__ + "\n")
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"{out}: wrote {len(cases)} onnx {onnx.__version__} node tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
