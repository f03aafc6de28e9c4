"""Writes models the importer must refuse (and one it must accept), for OnnxImportIT.

Usage: malformed_models.py OUT_DIR MLP_ONNX
  unsupported.onnx        Sin, Cos and Erf nodes (three unsupported operator types)
  dynamic.onnx            a CNN exported with dynamic height and width (only the batch may be dynamic)
  inside/mlp.onnx         MLP_ONNX with its initializers as external data in inside/weights.bin (accepted)
  outside/mlp.onnx        the same model whose external data points at ../inside/weights.bin (refused)
"""
import os
import sys

import onnx
import onnx.external_data_helper as ext
import torch
import torch.nn as nn

out, mlp = sys.argv[1], sys.argv[2]


class Odd(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        h = self.fc(x)
        return torch.sin(h) + torch.cos(h) + torch.erf(h)


torch.onnx.export(Odd(), (torch.randn(2, 4),), out + "/unsupported.onnx", opset_version=17, input_names=["x"],
                  output_names=["y"])


class Conv(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)

    def forward(self, x):
        return self.conv(x)


torch.onnx.export(Conv(), (torch.randn(2, 1, 8, 8),), out + "/dynamic.onnx", opset_version=17,
                  input_names=["image"], output_names=["y"],
                  dynamic_axes={"image": {0: "batch", 2: "height", 3: "width"}, "y": {0: "batch"}})

for d in ("inside", "outside"):
    os.makedirs(out + "/" + d, exist_ok=True)
m = onnx.load(mlp)
ext.convert_model_to_external_data(m, all_tensors_to_one_file=True, location="weights.bin", size_threshold=0)
onnx.save(m, out + "/inside/mlp.onnx")
m = onnx.load(out + "/inside/mlp.onnx", load_external_data=False)
for t in m.graph.initializer:
    for e in t.external_data:
        if e.key == "location":
            e.value = "../inside/weights.bin"
onnx.save(m, out + "/outside/mlp.onnx")
print("ok")
