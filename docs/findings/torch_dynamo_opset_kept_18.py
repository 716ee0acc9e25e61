# torch.onnx.export(dynamo=True, opset_version=17) returns an opset-18 model: the exporter writes
# opset 18 and asks onnx's version converter for 17, which fails on ReduceMean-18 (axes as an
# input: "No initializer or constant input to node found"); the exporter then keeps the opset-18
# model with only a logged warning. A user who asked for 17 (say, for a runtime that stops at 17)
# gets a model that runtime refuses. convcheck records opset_exported=18 and a note.
import torch


class MeanOverChannels(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = torch.nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return torch.relu(self.conv(x)).mean(dim=(2, 3))


def make_model():
    return MeanOverChannels().eval()


def make_inputs():
    return (torch.randn(1, 3, 8, 8),)
