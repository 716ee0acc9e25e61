"""A two-layer LSTM over a sequence, returning the sequence output and the final states."""
import torch
from torch import nn


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=12, hidden_size=16, num_layers=2, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        seq, (h, c) = self.lstm(x)
        return self.head(seq), h, c


def make_model():
    return Model().eval()


def make_inputs():
    return (torch.randn(2, 7, 12),)
