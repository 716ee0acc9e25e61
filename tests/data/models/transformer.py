"""One transformer encoder block (self-attention, layer norm, feed-forward)."""
import torch
from torch import nn


def make_model():
    return nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64,
                                      batch_first=True, dropout=0.0).eval()


def make_inputs():
    return (torch.randn(2, 10, 32),)
