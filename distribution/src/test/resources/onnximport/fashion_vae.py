"""Exports the VAE of PyTorch's MNIST example (784-400-20, sigmoid output) as two ONNX models, for OnnxVaeIT.

Usage: fashion_vae.py OUT_DIR   writes OUT_DIR/encoder.onnx (x -> mu, logvar) and OUT_DIR/decoder.onnx (z -> image)
"""
import sys

import torch
import torch.nn as nn

torch.manual_seed(0)
out = sys.argv[1]


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)

    def forward(self, x):
        h = torch.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc21(h), self.fc22(h)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def forward(self, z):
        return torch.sigmoid(self.fc4(torch.relu(self.fc3(z)))).view(-1, 1, 28, 28)


torch.onnx.export(Encoder(), (torch.rand(2, 1, 28, 28),), out + "/encoder.onnx", opset_version=17,
                  input_names=["x"], output_names=["mu", "logvar"],
                  dynamic_axes={"x": {0: "batch"}, "mu": {0: "batch"}, "logvar": {0: "batch"}})
torch.onnx.export(Decoder(), (torch.randn(2, 20),), out + "/decoder.onnx", opset_version=17,
                  input_names=["z"], output_names=["image"], dynamic_axes={"z": {0: "batch"}, "image": {0: "batch"}})
print("ok")
