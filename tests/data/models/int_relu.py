"""Relu on int64: torch.onnx exports a valid Relu-14 node (the spec allows int64), but ONNX
Runtime has no int64 Relu kernel on CPU, so it refuses the model (NOT_IMPLEMENTED). A real
runtime_error, not an injected one."""
import torch
from torch import nn


class Model(nn.Module):
    def forward(self, x):
        return torch.relu(x * 3 - 5)


def make_model():
    return Model().eval()


def make_inputs():
    return (torch.randint(-10, 10, (3, 4), dtype=torch.int64),)
