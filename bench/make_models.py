"""Exports the models convcheck_bench times (see bench/README.md), with PyTorch's own output.

    python make_models.py OUT_DIR NAME...

For every NAME, writes OUT_DIR/NAME_opset17/ with
  model.onnx          torch.onnx.export (TorchScript exporter, opset 17, batch 1, random weights)
  input_0.npy         the one input both engines get
  torch_output_0.npy  PyTorch's output 0 for that input (eval mode), to check ref against
and leaves a folder that already has all three alone. NAME is a torchvision classifier
(resnet18, mobilenet_v3_small, ...) or `bert` (transformers.BertModel(BertConfig()), random
weights, input_ids [1, 128], output last_hidden_state). Seeds are fixed, so a model made twice is
the same model. Run by make_models.sh, which picks the Python for each NAME.
"""

import os
import sys

import numpy as np
import torch

OPSET = 17
BERT_SEQUENCE = 128


class LastHiddenState(torch.nn.Module):
    """BertModel called with input_ids only, returning last_hidden_state: one input, one output,
    and no keyword handling for the tracer to trip over (transformers 5's forward wrappers)."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids):
        return self.bert(input_ids=input_ids).last_hidden_state


def build(name):
    """(model in eval mode, input tensor) for NAME."""
    torch.manual_seed(0)
    if name == "bert":
        import transformers

        config = transformers.BertConfig()
        model = LastHiddenState(transformers.BertModel(config))
        torch.manual_seed(1)
        x = torch.randint(0, config.vocab_size, (1, BERT_SEQUENCE), dtype=torch.int64)
    else:
        import torchvision

        builder = getattr(torchvision.models, name, None)
        if builder is None:
            raise SystemExit(f"make_models.py: '{name}' is neither bert nor a torchvision model")
        model = builder(weights=None)
        torch.manual_seed(1)
        x = torch.randn(1, 3, 224, 224)
    return model.eval(), x


def export(name, out_dir):
    folder = os.path.join(out_dir, f"{name}_opset{OPSET}")
    files = [os.path.join(folder, f) for f in ("model.onnx", "input_0.npy", "torch_output_0.npy")]
    if all(os.path.exists(f) for f in files):
        return
    os.makedirs(folder, exist_ok=True)
    model, x = build(name)
    with torch.no_grad():
        y = model(x)
    if isinstance(y, (tuple, list)):
        y = y[0]
    kwargs = {}
    # torch 2.9+ defaults to the dynamo exporter; the TorchScript one is what campaigns use with
    # torch 1.13 and it keeps opset 17, which every engine here runs.
    if "dynamo" in torch.onnx.export.__code__.co_varnames:
        kwargs["dynamo"] = False
    tmp = files[0] + ".tmp"
    torch.onnx.export(model, (x,), tmp, opset_version=OPSET, input_names=["input_0"],
                      output_names=["output_0"], do_constant_folding=True, **kwargs)
    os.replace(tmp, files[0])
    np.save(files[1], x.numpy())
    np.save(files[2], y.detach().numpy())
    print(f"made {folder} (torch {torch.__version__})", file=sys.stderr)


def main():
    if len(sys.argv) < 3:
        raise SystemExit("usage: make_models.py OUT_DIR NAME...")
    for name in sys.argv[2:]:
        export(name, sys.argv[1])


if __name__ == "__main__":
    main()
