#!/usr/bin/env python3
"""The PyTorch peer for `toolkit benchmark --device cuda`: the same models (the MLP VAE 784-400-20 and the
conv VAE presets celeba64 and vanilla, taken from the parity reference torch_reference.py), the same batch
sizes, the same GPU, timed the way the toolkit times itself:

  train step: the batch is in host memory and copied to the device every step, the noise is drawn on the
              device, zero_grad + forward + loss + backward + Adam step, and the loss is read back (.item(),
              which synchronises); median over the timed steps, images/s = batch / median.
  decoder:    z in host memory, copied in, decoded (eval mode, no grad), the images copied back; median.

    python3 benchmarks/pytorch_gpu_peer.py --device cuda --configs mlp:128,mlp:1024,celeba64:64,vanilla:256

Prints one line per configuration ("mlp b128: train 0.412 ms (310680 img/s), decoder 2143562 img/s") and the
versions; --json writes every number.
"""
import argparse, json, os, platform, statistics, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
for d in (HERE, os.path.join(HERE, '..', 'distribution', 'src', 'test', 'resources', 'parity')):
    if os.path.exists(os.path.join(d, 'torch_reference.py')):
        sys.path.insert(0, d)
        break

import torch  # noqa: E402
from torch.nn import functional as F  # noqa: E402
from torch_reference import ConvVae, MlpVae  # noqa: E402

# Each configuration as the toolkit's architecture defaults and presets define it (ConvVaeArchitecture).
MODELS = {
    'mlp': dict(kind='mlp', hidden=[400], latent=20, shape=(1, 28, 28), lr=1e-3),
    'celeba64': dict(kind='conv', channels=[16, 32, 64, 128, 256], act='relu', out='relu', latent=128,
                     shape=(3, 64, 64), lr=0.005, kl_weight=0.00025),
    'vanilla': dict(kind='conv', channels=[32, 64, 128, 256, 512], act='leaky-relu', out='tanh', latent=128,
                    shape=(3, 64, 64), lr=0.005, kl_weight=0.00025),
}


def build(cfg):
    c, h, w = cfg['shape']
    if cfg['kind'] == 'mlp':
        return MlpVae(cfg['hidden'], cfg['latent'], c * h * w)
    return ConvVae(cfg['channels'], cfg['latent'], cfg['act'], cfg['out'], c, h)


def loss_fn(cfg, model, x, eps):
    y, mu, logvar = model(x, eps)
    if cfg['kind'] == 'mlp':  # bce-kl: BCE and KL summed over the batch
        return F.binary_cross_entropy_with_logits(y, x, reduction='sum') \
            - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    target = 2 * x - 1 if cfg['out'] == 'tanh' else x  # mse-kl: mean MSE + weight * batch mean of the KL
    kld = torch.mean(-0.5 * torch.sum(1 + logvar - mu ** 2 - logvar.exp(), dim=1), dim=0)
    return F.mse_loss(y, target) + cfg['kl_weight'] * kld


def decode(cfg, model, z):
    """The decoder half of the reference forward pass, with the toolkit's image output in [0, 1]."""
    if cfg['kind'] == 'mlp':
        h = z
        for i in range(len(model.hidden)):
            h = F.relu(model.decoder[f'fc{i + 1}'](h))
        return torch.sigmoid(model.decoder['out'](h)).view(-1, *cfg['shape'])
    h = model.decoder['input'](z).view(-1, model.channels[-1], model.side, model.side)
    for i in range(len(model.channels) - 1):
        b = model.decoder[f'block{i + 1}']
        h = model.act(b['bn'](b['deconv'](h)))
    f = model.decoder['final']
    y = f['conv'](model.act(f['bn'](f['deconv'](h))))
    if cfg['out'] == 'tanh':
        return (torch.tanh(y) + 1) / 2
    return torch.clamp(torch.relu(y) if cfg['out'] == 'relu' else torch.sigmoid(y), 0, 1)


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def measure(name, batch, a, device):
    cfg = MODELS[name]
    torch.manual_seed(1)
    model = build(cfg).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg['lr'])
    x_host = torch.randint(0, 256, (batch,) + cfg['shape'], dtype=torch.uint8).float() / 255
    model.train()
    times = []
    for i in range(a.warmup + a.steps):
        sync(device)
        t0 = time.perf_counter()
        x = x_host.to(device)
        eps = torch.randn(batch, cfg['latent'], device=device)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(cfg, model, x, eps)
        loss.backward()
        opt.step()
        loss.item()
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    train_ms = statistics.median(times)

    model.eval()
    z_host = torch.randn(a.decoder_batch, cfg['latent'])
    dtimes = []
    with torch.no_grad():
        for i in range(3 + max(3, min(a.steps, 20))):
            sync(device)
            t0 = time.perf_counter()
            img = decode(cfg, model, z_host.to(device)).cpu()
            if i >= 3:
                dtimes.append((time.perf_counter() - t0) * 1000)
    assert img.shape == (a.decoder_batch,) + cfg['shape'], img.shape
    decode_ms = statistics.median(dtimes)
    return dict(model=name, batch=batch, device=str(device), train_median_ms=train_ms,
                train_mean_ms=statistics.fmean(times), train_images_per_s=batch * 1000 / train_ms,
                decoder_batch=a.decoder_batch, decoder_median_ms=decode_ms,
                decoder_images_per_s=a.decoder_batch * 1000 / decode_ms)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--device', default='cuda', help='cuda, cuda:N or cpu')
    p.add_argument('--configs', default='mlp:128,mlp:1024,celeba64:64,celeba64:256,vanilla:64,vanilla:256',
                   help='MODEL:BATCH,... with MODEL one of ' + ', '.join(MODELS))
    p.add_argument('--steps', type=int, default=100)
    p.add_argument('--warmup', type=int, default=10)
    p.add_argument('--decoder-batch', type=int, default=1024)
    p.add_argument('--threads', type=int, default=0, help='CPU threads (0: torch default)')
    p.add_argument('--json', help='write every number to this file')
    a = p.parse_args()
    device = torch.device(a.device)
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('pytorch_gpu_peer: torch sees no CUDA device (torch %s, built for CUDA %s)'
                         % (torch.__version__, torch.version.cuda))
    if a.threads:
        torch.set_num_threads(a.threads)
    info = dict(torch=torch.__version__, cuda=torch.version.cuda, python=platform.python_version(),
                cudnn=torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
                gpu=torch.cuda.get_device_name(device) if device.type == 'cuda' else 'cpu ' + platform.machine(),
                tf32_matmul=torch.backends.cuda.matmul.allow_tf32, tf32_cudnn=torch.backends.cudnn.allow_tf32,
                threads=torch.get_num_threads())
    print('torch %(torch)s cuda %(cuda)s cudnn %(cudnn)s on %(gpu)s (tf32 matmul %(tf32_matmul)s, cudnn '
          '%(tf32_cudnn)s; python %(python)s, %(threads)s threads)' % info, flush=True)
    results = []
    for spec in a.configs.split(','):
        name, batch = spec.split(':')
        if name not in MODELS:
            raise SystemExit(f'pytorch_gpu_peer: unknown model {name}; known: {", ".join(MODELS)}')
        r = measure(name, int(batch), a, device)
        results.append(r)
        print(f"{name} b{batch}: train {r['train_median_ms']:.3f} ms ({r['train_images_per_s']:.0f} img/s), "
              f"decoder {r['decoder_images_per_s']:.0f} img/s (batch {a.decoder_batch})", flush=True)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(dict(info=info, results=results), f, indent=2)


if __name__ == '__main__':
    main()
