#!/usr/bin/python3
"""PyTorch side of the likelihood parity test: the negative ELBO and the importance-weighted estimate of
-log p(x) (Burda et al. 2016) of a run's exported encoder.onnx and decoder.onnx, computed with PyTorch from
the models' weights (a small interpreter of the ONNX operators the toolkit exports) and the noise the toolkit
drew, so that the two computations share weights, images and noise and nothing else.

    torch_likelihood.py DIR
DIR/index.json describes float32 little-endian tensors in DIR ("x" [N, C, H, W] in [0, 1], "noise"
[N, K, latent]) and the settings (encoder, decoder: model paths; objective: bce-kl or mse-kl). The script
writes DIR/out/index.json with "iw" and "neg_elbo", one value per image, in nats.
"""
import json, math, os, sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch
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


def symmetric(pads):
    half = len(pads) // 2
    assert list(pads[:half]) == list(pads[half:]), f'asymmetric pads {pads}'
    return tuple(pads[:half])


def run(model, feeds):
    """Every tensor of the graph, computed in float32 with PyTorch's functional operators."""
    env = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}
    env.update(feeds)
    for n in model.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in n.attribute}
        i = [env[k] if k else None for k in n.input]
        op = n.op_type
        if op == 'Gemm':
            A = i[0].T if a.get('transA', 0) else i[0]
            B = i[1].T if a.get('transB', 0) else i[1]
            y = a.get('alpha', 1.0) * (A @ B)
            if len(i) > 2 and i[2] is not None:
                y = y + a.get('beta', 1.0) * i[2]
        elif op == 'MatMul':
            y = i[0] @ i[1]
        elif op == 'Relu':
            y = F.relu(i[0])
        elif op == 'LeakyRelu':
            y = F.leaky_relu(i[0], a.get('alpha', 0.01))
        elif op == 'Sigmoid':
            y = torch.sigmoid(i[0])
        elif op == 'Tanh':
            y = torch.tanh(i[0])
        elif op == 'Exp':
            y = torch.exp(i[0])
        elif op == 'Identity':
            y = i[0]
        elif op == 'Add':
            y = i[0] + i[1]
        elif op == 'Sub':
            y = i[0] - i[1]
        elif op == 'Mul':
            y = i[0] * i[1]
        elif op == 'Reshape':
            shape = [int(v) for v in i[1]]
            shape = [i[0].shape[k] if v == 0 else v for k, v in enumerate(shape)]
            y = i[0].reshape(shape)
        elif op == 'Flatten':
            axis = a.get('axis', 1)
            y = i[0].reshape(int(np.prod(i[0].shape[:axis])), -1)
        elif op == 'Conv':
            y = F.conv2d(i[0], i[1], i[2] if len(i) > 2 else None, stride=tuple(a.get('strides', [1, 1])),
                         padding=symmetric(a.get('pads', [0, 0, 0, 0])), dilation=tuple(a.get('dilations', [1, 1])),
                         groups=a.get('group', 1))
        elif op == 'ConvTranspose':
            y = F.conv_transpose2d(i[0], i[1], i[2] if len(i) > 2 else None, stride=tuple(a.get('strides', [1, 1])),
                                   padding=symmetric(a.get('pads', [0, 0, 0, 0])),
                                   output_padding=tuple(a.get('output_padding', [0, 0])), groups=a.get('group', 1),
                                   dilation=tuple(a.get('dilations', [1, 1])))
        elif op == 'BatchNormalization':
            y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], training=False, eps=a.get('epsilon', 1e-5))
        else:
            raise SystemExit(f'operator {op} is not interpreted here')
        env[n.output[0]] = y
    return env


def producer(model, name):
    for n in model.graph.node:
        if name in n.output:
            return producer(model, n.input[0]) if n.op_type == 'Identity' else n
    return None


def decoder_value(model, env):
    """('sigmoid', logits), ('tanh', tanh output) or ('relu', output before the clamp to [0, 1])."""
    last = producer(model, 'image')
    if last.op_type == 'Sigmoid':
        return 'sigmoid', env[last.input[0]], env[last.output[0]]
    if last.op_type == 'Mul':
        add = next(p for p in (producer(model, k) for k in last.input) if p is not None and p.op_type == 'Add')
        tanh = next(p for p in (producer(model, k) for k in add.input) if p is not None and p.op_type == 'Tanh')
        return 'tanh', None, env[tanh.output[0]]
    # 1 - relu(1 - relu(y)): the inner Relu's input is the decoder's output
    outer = next(p for p in (producer(model, k) for k in last.input) if p is not None and p.op_type == 'Relu')
    sub = producer(model, outer.input[0])
    inner = next(p for p in (producer(model, k) for k in sub.input) if p is not None and p.op_type == 'Relu')
    return 'relu', None, env[inner.input[0]]


def main():
    d = sys.argv[1]
    settings, t = load(d)
    torch.set_num_threads(2)
    encoder = onnx.load(settings['encoder'])
    decoder = onnx.load(settings['decoder'])
    x, noise = t['x'], t['noise']
    n, k, latent = noise.shape
    pixels = int(np.prod(x.shape[1:]))
    iw, neg_elbo = [], []
    with torch.no_grad():
        enc = run(encoder, {'x': x})
        mu, logvar = enc['mu'], enc['logvar']
        for i in range(n):
            z = mu[i] + torch.exp(0.5 * logvar[i]) * noise[i]  # [K, latent], float32 as the decoder's input
            kind, logits, out = decoder_value(decoder, run(decoder, {'z': z}))
            xi = x[i].reshape(1, pixels).double().expand(k, pixels)
            if settings['objective'] == 'bce-kl':
                assert kind == 'sigmoid'
                log_px = -F.binary_cross_entropy_with_logits(logits.reshape(k, pixels).double(), xi,
                                                              reduction='none').sum(1)
            else:
                target = 2 * xi - 1 if kind == 'tanh' else xi
                log_px = -0.5 * ((out.reshape(k, pixels).double() - target) ** 2).sum(1) \
                    - 0.5 * pixels * math.log(2 * math.pi)
            zd = z.double()
            prior = torch.distributions.Normal(torch.zeros_like(zd), torch.ones_like(zd))
            posterior = torch.distributions.Normal(mu[i].double(), torch.exp(0.5 * logvar[i].double()))
            log_w = log_px + prior.log_prob(zd).sum(1) - posterior.log_prob(zd).sum(1)
            iw.append(-(torch.logsumexp(log_w, 0) - math.log(k)).item())
            lv, m = logvar[i].double(), mu[i].double()
            kl = -0.5 * (1 + lv - m * m - lv.exp()).sum()
            neg_elbo.append((-log_px.mean() + kl).item())
    save(os.path.join(d, 'out'), {'iw': torch.tensor(iw, dtype=torch.float64),
                                  'neg_elbo': torch.tensor(neg_elbo, dtype=torch.float64)})


if __name__ == '__main__':
    main()
