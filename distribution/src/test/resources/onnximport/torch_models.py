"""Exports small PyTorch models with torch.onnx.export and trains them in PyTorch, for OnnxImportIT.

Usage: torch_models.py OUT_DIR

Writes, for each model NAME in (mlp, cnn, vae):
  NAME.onnx                  the model as torch.onnx.export writes it (opset 17, training mode kept so that
                             batch norm and dropout appear in their training form, dynamic batch axis)
  NAME.data.bin              STEPS batches of inputs (float32, little-endian), then targets (float32, or int64
                             for class labels), batch after batch, in the order the Java side feeds them
  NAME.json                  the first step's loss and gradients (by ONNX initializer name), the loss of every
                             step, and the final values of the frozen parameters
The dropout of the CNN is set to p=0 for the comparison (a second export, cnn_dropout.onnx, keeps p=0.25).
The VAE pair (vae_encoder.onnx: x -> mu, logvar; vae_decoder.onnx: z -> logits) is also exported as one model
vae.onnx (x, eps -> logits, with z = mu + eps * exp(logvar / 2)) trained with bce-logits against x.
"""
import json
import struct
import sys

import torch
import torch.nn as nn

STEPS = 100
BATCH = 16
torch.manual_seed(0)
out = sys.argv[1]


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 32)
        self.fc2 = nn.Linear(32, 16)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        return self.head(torch.tanh(self.fc2(torch.relu(self.fc1(x)))))


class Cnn(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout(p)
        self.fc = nn.Linear(16 * 3 * 3, 5)

    def forward(self, x):
        h = self.pool(torch.relu(self.bn1(self.conv1(x))))
        h = self.pool(torch.relu(self.bn2(self.conv2(h))))
        return self.fc(self.drop(torch.flatten(h, 1)))


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(64, 32)
        self.mu = nn.Linear(32, 4)
        self.logvar = nn.Linear(32, 4)

    def forward(self, x):
        h = torch.relu(self.fc(torch.flatten(x, 1)))
        return self.mu(h), self.logvar(h)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 32)
        self.out = nn.Linear(32, 64)

    def forward(self, z):
        return self.out(torch.relu(self.fc(z))).reshape(-1, 1, 8, 8)


class Vae(nn.Module):
    def __init__(self, enc, dec):
        super().__init__()
        self.encoder = enc
        self.decoder = dec

    def forward(self, x, eps):
        mu, logvar = self.encoder(x)
        return self.decoder(mu + eps * torch.exp(0.5 * logvar))


def export(model, args, names, outputs, path):
    axes = {n: {0: "batch"} for n in names + outputs}
    torch.onnx.export(model, args, path, opset_version=17, input_names=names, output_names=outputs,
                      dynamic_axes=axes, training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)


def write_floats(f, t):
    f.write(struct.pack("<%df" % t.numel(), *t.flatten().tolist()))


def write_longs(f, t):
    f.write(struct.pack("<%dq" % t.numel(), *t.flatten().tolist()))


def train(name, model, batches, loss_fn, frozen=()):
    """Adam(lr=1e-3), one step per batch; returns the report."""
    for n, p in model.named_parameters():
        if n in frozen:
            p.requires_grad_(False)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    losses = []
    first = {}
    model.train()
    for i, (inputs, target) in enumerate(batches):
        opt.zero_grad()
        loss = loss_fn(model(*inputs), target)
        loss.backward()
        if i == 0:
            first = {n: p.grad.flatten().tolist() for n, p in model.named_parameters() if p.grad is not None}
        opt.step()
        losses.append(loss.item())
    state = model.state_dict()
    frozen_values = {n: state[n].flatten().tolist() for n in frozen}
    with open("%s/%s.json" % (out, name), "w") as f:
        json.dump({"losses": losses, "first_gradients": first, "frozen": frozen_values}, f)


# MLP regressor: y = sum of sines of the features, MSE; fc1.bias frozen.
mlp = Mlp()
x = torch.randn(1, 8)
export(mlp, (x,), ["x"], ["y"], out + "/mlp.onnx")
batches = []
with open(out + "/mlp.data.bin", "wb") as f:
    for _ in range(STEPS):
        xb = torch.randn(BATCH, 8)
        yb = torch.sin(xb).sum(1, keepdim=True)
        write_floats(f, xb)
        write_floats(f, yb)
        batches.append(((xb,), yb))
train("mlp", mlp, batches, nn.MSELoss(), frozen=("fc1.bias",))

# CNN classifier on 12x12 pictures of 5 classes, cross-entropy on int64 labels; conv1.weight frozen.
cnn = Cnn(0.25)
export(cnn, (torch.randn(2, 1, 12, 12),), ["image"], ["logits"], out + "/cnn_dropout.onnx")
cnn.drop.p = 0.0
export(cnn, (torch.randn(2, 1, 12, 12),), ["image"], ["logits"], out + "/cnn.onnx")
batches = []
with open(out + "/cnn.data.bin", "wb") as f:
    for _ in range(STEPS):
        labels = torch.randint(0, 5, (BATCH,))
        xb = torch.randn(BATCH, 1, 12, 12) * 0.5
        for k in range(BATCH):  # a bright square whose place depends on the class
            c = int(labels[k])
            xb[k, 0, 2 * c:2 * c + 3, 2 * c:2 * c + 3] += 2.0
        write_floats(f, xb)
        write_longs(f, labels)
        batches.append(((xb,), labels))
train("cnn", cnn, batches, nn.CrossEntropyLoss(), frozen=("conv1.weight",))

# VAE pair: encoder and decoder exported on their own, and together as one model of x and the noise.
enc, dec = Encoder(), Decoder()
export(enc, (torch.rand(2, 1, 8, 8),), ["x"], ["mu", "logvar"], out + "/vae_encoder.onnx")
export(dec, (torch.randn(2, 4),), ["z"], ["logits"], out + "/vae_decoder.onnx")
vae = Vae(enc, dec)
export(vae, (torch.rand(2, 1, 8, 8), torch.randn(2, 4)), ["x", "eps"], ["logits"], out + "/vae.onnx")
batches = []
with open(out + "/vae.data.bin", "wb") as f:
    for _ in range(STEPS):
        xb = (torch.rand(BATCH, 1, 8, 8) > 0.7).float()
        eps = torch.randn(BATCH, 4)
        write_floats(f, xb)
        write_floats(f, eps)
        batches.append(((xb, eps), xb))
train("vae", vae, batches, nn.BCEWithLogitsLoss())
print("ok")
