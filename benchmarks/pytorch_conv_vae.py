#!/usr/bin/python3
"""The PyTorch peer for the conv VAE benchmark: the reference models of the parity test
(distribution/src/test/resources/parity/torch_reference.py), timed like ./toolkit benchmark: training steps
(zero_grad, forward, MSE + KL, backward, Adam step) on random 64x64 RGB batches, and the decoder alone.

    OMP_WAIT_POLICY=passive /usr/bin/python3 benchmarks/pytorch_conv_vae.py --preset celeba64 --threads 2
"""
import argparse, os, sys, time

import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'distribution', 'src', 'test', 'resources', 'parity'))
from torch_reference import ConvVae  # noqa: E402

PRESETS = {'celeba64': ([16, 32, 64, 128, 256], 'relu', 'relu'), 'vanilla': ([32, 64, 128, 256, 512], 'leaky-relu', 'tanh')}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--preset', default='celeba64', choices=PRESETS)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--decoder-batch', type=int, default=256)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--device', default='cpu')
    a = p.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(a.threads)
    channels, act, out = PRESETS[a.preset]
    dev = torch.device(a.device)
    model = ConvVae(channels, 128, act, out, 3, 64).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=0.005)
    x = torch.rand(a.batch_size, 3, 64, 64, device=dev)
    sync = (lambda: torch.cuda.synchronize()) if dev.type == 'cuda' else (lambda: None)
    times = []
    for i in range(a.warmup + a.steps):
        sync()
        s = time.perf_counter()
        opt.zero_grad()
        y, mu, logvar = model(x, torch.randn(a.batch_size, 128, device=dev))
        target = 2 * x - 1 if out == 'tanh' else x
        kld = torch.mean(-0.5 * torch.sum(1 + logvar - mu ** 2 - logvar.exp(), dim=1), dim=0)
        (F.mse_loss(y, target) + 0.00025 * kld).backward()
        opt.step()
        sync()
        if i >= a.warmup:
            times.append(time.perf_counter() - s)
    times.sort()
    med = times[len(times) // 2]
    model.eval()
    z = torch.randn(a.decoder_batch, 128, device=dev)
    dec = []
    with torch.no_grad():
        for i in range(a.warmup + max(3, a.steps)):
            sync()
            s = time.perf_counter()
            h = model.decoder['input'](z).view(-1, channels[-1], 2, 2)
            for j in range(len(channels) - 1):
                b = model.decoder[f'block{j + 1}']
                h = model.act(b['bn'](b['deconv'](h)))
            f = model.decoder['final']
            f['conv'](model.act(f['bn'](f['deconv'](h))))
            sync()
            if i >= a.warmup:
                dec.append(time.perf_counter() - s)
    dec.sort()
    dmed = dec[len(dec) // 2]
    print(f'pytorch {a.preset} threads {a.threads}: train step median {med * 1000:.1f} ms, {a.batch_size / med:.0f} images/s;'
          f' decoder (batch {a.decoder_batch}) median {dmed * 1000:.1f} ms, {a.decoder_batch / dmed:.0f} images/s')


if __name__ == '__main__':
    main()
