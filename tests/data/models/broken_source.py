"""A source model that fails in PyTorch itself (shape error in forward): source_error."""
import torch
from torch import nn


def make_model():
    return nn.Linear(8, 4).eval()


def make_inputs():
    return (torch.randn(2, 5),)
