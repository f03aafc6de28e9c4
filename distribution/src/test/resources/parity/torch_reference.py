#!/usr/bin/python3
"""PyTorch side of the parity test: the reference VAEs written as the reference notebooks compute them,
with module names that mirror the toolkit's parameter names ("encoder/block1/conv/weight" is
encoder.block1.conv.weight), so one set of initial parameters serves both.

    torch_reference.py DIR
DIR/index.json describes float32 little-endian tensors in DIR ("params", "x", "noise", "settings"); the
script writes DIR/out/index.json with the loss and every parameter's gradient.
"""
import json, os, sys

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


def load(d):
    index = json.load(open(os.path.join(d, 'index.json')))
    tensors = {}
    for name, meta in index['tensors'].items():
        a = np.fromfile(os.path.join(d, meta['file']), dtype='<f4').reshape(meta['shape'])
        tensors[name] = torch.from_numpy(a.copy())
    return index['settings'], tensors


def save(d, tensors):
    os.makedirs(d, exist_ok=True)
    index = {}
    for i, (name, t) in enumerate(tensors.items()):
        f = f't{i}.f32'
        t.detach().numpy().astype('<f4').tofile(os.path.join(d, f))
        index[name] = {'file': f, 'shape': list(t.shape)}
    json.dump({'tensors': index}, open(os.path.join(d, 'index.json'), 'w'))


class MlpVae(nn.Module):
    """PyTorch's MNIST VAE example, generalised to several hidden layers (decoder mirrors the encoder)."""

    def __init__(self, hidden, latent, pixels):
        super().__init__()
        dims = [pixels] + hidden
        enc = {f'fc{i + 1}': nn.Linear(a, b) for i, (a, b) in enumerate(zip(dims, dims[1:]))}
        enc['mu'] = nn.Linear(dims[-1], latent)
        enc['logvar'] = nn.Linear(dims[-1], latent)
        self.encoder = nn.ModuleDict(enc)
        rdims = [latent] + hidden[::-1]
        dec = {f'fc{i + 1}': nn.Linear(a, b) for i, (a, b) in enumerate(zip(rdims, rdims[1:]))}
        dec['out'] = nn.Linear(rdims[-1], pixels)
        self.decoder = nn.ModuleDict(dec)
        self.hidden = hidden

    def forward(self, x, eps):
        h = x.flatten(1)
        for i in range(len(self.hidden)):
            h = F.relu(self.encoder[f'fc{i + 1}'](h))
        mu, logvar = self.encoder['mu'](h), self.encoder['logvar'](h)
        z = mu + torch.exp(0.5 * logvar) * eps
        h = z
        for i in range(len(self.hidden)):
            h = F.relu(self.decoder[f'fc{i + 1}'](h))
        return self.decoder['out'](h).view_as(x), mu, logvar


class ConvVae(nn.Module):
    """PyTorch-VAE's VanillaVAE (and the blog notebook's variant with ReLU): Conv-BN-act blocks, linear
    heads, linear projection, ConvTranspose-BN-act blocks, a final ConvTranspose-BN-act and Conv."""

    def __init__(self, channels, latent, act, out, image_channels, size):
        super().__init__()
        self.act = (lambda t: F.relu(t)) if act == 'relu' else (lambda t: F.leaky_relu(t, 0.01))
        self.out = out
        self.channels = channels
        self.side = size >> len(channels)
        enc, cin = {}, image_channels
        for i, c in enumerate(channels):
            enc[f'block{i + 1}'] = nn.ModuleDict({'conv': nn.Conv2d(cin, c, 3, stride=2, padding=1),
                                                  'bn': nn.BatchNorm2d(c)})
            cin = c
        flat = channels[-1] * self.side * self.side
        enc['mu'] = nn.Linear(flat, latent)
        enc['logvar'] = nn.Linear(flat, latent)
        self.encoder = nn.ModuleDict(enc)
        dec = {'input': nn.Linear(latent, flat)}
        rev = channels[::-1]
        for i in range(len(rev) - 1):
            dec[f'block{i + 1}'] = nn.ModuleDict({
                'deconv': nn.ConvTranspose2d(rev[i], rev[i + 1], 3, stride=2, padding=1, output_padding=1),
                'bn': nn.BatchNorm2d(rev[i + 1])})
        dec['final'] = nn.ModuleDict({
            'deconv': nn.ConvTranspose2d(rev[-1], rev[-1], 3, stride=2, padding=1, output_padding=1),
            'bn': nn.BatchNorm2d(rev[-1]),
            'conv': nn.Conv2d(rev[-1], image_channels, 3, padding=1)})
        self.decoder = nn.ModuleDict(dec)

    def forward(self, x, eps):
        h = x
        for i in range(len(self.channels)):
            b = self.encoder[f'block{i + 1}']
            h = self.act(b['bn'](b['conv'](h)))
        h = h.flatten(1)
        mu, logvar = self.encoder['mu'](h), self.encoder['logvar'](h)
        z = mu + torch.exp(0.5 * logvar) * eps
        h = self.decoder['input'](z).view(-1, self.channels[-1], self.side, self.side)
        for i in range(len(self.channels) - 1):
            b = self.decoder[f'block{i + 1}']
            h = self.act(b['bn'](b['deconv'](h)))
        f = self.decoder['final']
        h = self.act(f['bn'](f['deconv'](h)))
        y = f['conv'](h)
        y = {'relu': F.relu, 'tanh': torch.tanh, 'sigmoid': torch.sigmoid}[self.out](y)
        return y, mu, logvar


def main():
    d = sys.argv[1]
    s, t = load(d)
    torch.manual_seed(0)
    x, eps = t.pop('x'), t.pop('noise')
    if s['architecture'] == 'mlp-vae':
        model = MlpVae([int(h) for h in s['hidden'].split(',')], int(s['latent']), x[0].numel())
    else:
        model = ConvVae([int(c) for c in s['channels'].split(',')], int(s['latent']), s['activation'], s['output'],
                        x.shape[1], x.shape[2])
    params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    with torch.no_grad():
        for name, value in t.items():
            key = name.replace('/', '.')
            target = params.get(key, buffers.get(key))
            if target is None:
                raise SystemExit(f'no torch parameter for {name}')
            target.copy_(value)
    missing = set(params) - {n.replace('/', '.') for n in t}
    if missing:
        raise SystemExit(f'parameters not provided: {sorted(missing)}')
    model.train()
    y, mu, logvar = model(x, eps)
    if s['objective'] == 'bce-kl':
        # PyTorch's example: BCE and KLD summed over the batch.
        loss = F.binary_cross_entropy_with_logits(y, x, reduction='sum') \
            - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    else:
        # PyTorch-VAE's loss_function: mean MSE + kld_weight * batch mean of the per-image KL.
        target = 2 * x - 1 if s['output'] == 'tanh' else x
        kld = torch.mean(-0.5 * torch.sum(1 + logvar - mu ** 2 - logvar.exp(), dim=1), dim=0)
        loss = F.mse_loss(y, target) + float(s['kl_weight']) * kld
    loss.backward()
    out = {'loss': loss.detach().reshape(())}
    for name, p in model.named_parameters():
        out['grad:' + name.replace('.', '/')] = p.grad
    save(os.path.join(d, 'out'), out)


if __name__ == '__main__':
    main()
