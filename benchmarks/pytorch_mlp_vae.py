#!/usr/bin/python3
"""The PyTorch peer for the MLP VAE benchmark: PyTorch's MNIST VAE example (784-400-20, ReLU, sigmoid
output, BCE(sum) + KL, Adam) on IDX files, printing per epoch the test negative ELBO in nats per image,
the training images/s (training steps only) and the epoch time.

Run with Debian's python3-torch and OpenBLAS (libopenblas0-pthread selected as libblas.so.3), for example:
    OMP_WAIT_POLICY=passive /usr/bin/python3 benchmarks/pytorch_mlp_vae.py --epochs 10 --threads 2
"""
import argparse, gzip, os, struct, time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


def read_idx(path):
    opener = gzip.open if open(path, 'rb').read(2) == b'\x1f\x8b' else open
    with opener(path, 'rb') as f:
        data = f.read()
    zero, dtype, rank = data[0:2], data[2], data[3]
    assert zero == b'\x00\x00' and dtype == 8, path
    dims = struct.unpack('>' + 'I' * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def find(d, stem):
    for name in (stem, stem + '.gz'):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    raise SystemExit(f'missing {stem} in {d}')


class VAE(nn.Module):
    def __init__(self, hidden, latent):
        super().__init__()
        dims = [784] + hidden
        self.enc = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:]))
        self.mu = nn.Linear(dims[-1], latent)
        self.logvar = nn.Linear(dims[-1], latent)
        rdims = [latent] + hidden[::-1]
        self.dec = nn.ModuleList(nn.Linear(a, b) for a, b in zip(rdims, rdims[1:]))
        self.out = nn.Linear(rdims[-1], 784)

    def forward(self, x):
        h = x
        for l in self.enc:
            h = F.relu(l(h))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        h = z
        for l in self.dec:
            h = F.relu(l(h))
        return self.out(h), mu, logvar


def loss_fn(logits, x, mu, logvar):
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction='sum')
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data-dir', default='/usr/share/datasets/fashion-mnist')
    p.add_argument('--epochs', type=int, default=10)
    p.add_argument('--batch-size', type=int, default=128)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--hidden', default='400')
    p.add_argument('--latent', type=int, default=20)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--flush-denormal', action='store_true',
                   help='torch.set_flush_denormal(True): subnormal floats become zero, as the toolkit does by default')
    p.add_argument('--bench-steps', type=int, default=0,
                   help='instead of training on the data: time this many steps on random images (after 10 warm-up '
                        'steps) and the decoder at batch 1024, like ./toolkit benchmark')
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    if a.flush_denormal and not torch.set_flush_denormal(True):
        raise SystemExit('--flush-denormal: this CPU does not support flushing subnormals')
    if a.bench_steps:
        bench(a)
        return
    train = torch.from_numpy(read_idx(find(a.data_dir, 'train-images-idx3-ubyte')).reshape(-1, 784).astype(np.float32) / 255)
    test = torch.from_numpy(read_idx(find(a.data_dir, 't10k-images-idx3-ubyte')).reshape(-1, 784).astype(np.float32) / 255)
    model = VAE([int(h) for h in a.hidden.split(',')], a.latent)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    print(f'torch {torch.__version__} threads {torch.get_num_threads()} flush_denormal {a.flush_denormal} blas {torch.__config__.show().count("BLAS")}')
    print('epoch,train_loss,test_elbo,images_per_s,seconds')
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(len(train))
        total, steps_time = 0.0, 0.0
        for i in range(0, len(train), a.batch_size):
            x = train[perm[i:i + a.batch_size]]
            s = time.perf_counter()
            opt.zero_grad()
            logits, mu, logvar = model(x)
            loss = loss_fn(logits, x, mu, logvar)
            loss.backward()
            opt.step()
            steps_time += time.perf_counter() - s
            total += loss.item()
        model.eval()
        test_total = 0.0
        with torch.no_grad():
            for i in range(0, len(test), a.batch_size):
                x = test[i:i + a.batch_size]
                logits, mu, logvar = model(x)
                test_total += loss_fn(logits, x, mu, logvar).item()
        print(f'{epoch},{total / len(train):.4f},{test_total / len(test):.4f},{len(train) / steps_time:.1f},'
              f'{time.perf_counter() - t0:.2f}', flush=True)


def bench(a):
    model = VAE([int(h) for h in a.hidden.split(',')], a.latent)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    x = torch.randint(0, 256, (a.batch_size, 784)).float() / 255
    times = []
    for i in range(10 + a.bench_steps):
        s = time.perf_counter()
        opt.zero_grad()
        logits, mu, logvar = model(x)
        loss_fn(logits, x, mu, logvar).backward()
        opt.step()
        if i >= 10:
            times.append(time.perf_counter() - s)
    times.sort()
    med = times[len(times) // 2]
    z = torch.randn(1024, a.latent)
    dec = []
    with torch.no_grad():
        for i in range(23):
            s = time.perf_counter()
            h = z
            for l in model.dec:
                h = F.relu(l(h))
            torch.sigmoid(model.out(h))
            if i >= 3:
                dec.append(time.perf_counter() - s)
    dec.sort()
    print(f'pytorch threads {a.threads}: train step median {med * 1000:.3f} ms, {a.batch_size / med:.0f} images/s; '
          f'decoder (batch 1024) median {dec[len(dec) // 2] * 1000:.3f} ms, {1024 / dec[len(dec) // 2]:.0f} images/s')


if __name__ == '__main__':
    main()
