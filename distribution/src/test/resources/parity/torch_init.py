#!/usr/bin/python3
"""PyTorch side of the initialisation test: the reference conv VAE (torch_reference.ConvVae, built with
torch.nn's default initialisation) for the given settings, its initial parameters and buffers, and for every
parameter the bound PyTorch's default initialisation draws from (1/sqrt(fan_in) with fan_in from
torch.nn.init._calculate_fan_in_and_fan_out of the layer's weight; 0 for BatchNorm, which starts at constants).

    torch_init.py DIR
DIR/index.json holds the settings (as torch_reference.py reads them) and "image" C,H,W; the script writes
DIR/out/index.json with every tensor under its toolkit name and "bound:NAME" scalars.
"""
import json, math, os, sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import ConvVae, save  # noqa: E402


def main():
    d = sys.argv[1]
    s = json.load(open(os.path.join(d, 'index.json')))['settings']
    c, h, w = (int(v) for v in s['image_chw'].split(','))
    torch.manual_seed(int(s['seed']))
    model = ConvVae([int(v) for v in s['channels'].split(',')], int(s['latent']), s['activation'], s['output'], c, h)
    out = {}
    for name, module in model.named_modules():
        for pname, p in list(module.named_parameters(recurse=False)) + list(module.named_buffers(recurse=False)):
            if pname == 'num_batches_tracked':
                continue
            key = (name + '.' + pname).replace('.', '/')
            out[key] = p.detach().clone()
            if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(module.weight)
                bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) for weights, U(+-1/sqrt(fan_in)) for biases
            else:
                bound = 0.0
            out['bound:' + key] = torch.tensor(bound)
            if isinstance(module, nn.BatchNorm2d):
                out['eps:' + key] = torch.tensor(module.eps)
                out['momentum:' + key] = torch.tensor(module.momentum)
    save(os.path.join(d, 'out'), out)


if __name__ == '__main__':
    main()
