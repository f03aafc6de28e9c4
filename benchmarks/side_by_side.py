#!/usr/bin/python3
"""Side-by-side speed of the toolkit and its PyTorch peer (Debian python3-torch with OpenBLAS) on this machine.

Runs ours and the peer alternately, ROUNDS times, so that both see the same load; records the load average
before each pair; prints every measurement and, per case, the ratio of ours to the peer's best configuration
(the faster of 1 and 2 threads; for the training loop also with and without torch.set_flush_denormal, since
the toolkit flushes subnormals by default) measured in the same round. Cases (choose with --cases):

  epoch   the MLP VAE's training loop on Fashion-MNIST (images/s of the training steps, median over epochs),
          from the 10-epoch runs of `e2e`
  e2e     end-to-end wall time and peak memory (max RSS) of `./toolkit train --epochs E` against the PyTorch
          script with the same data and model, E = 1 and 10
  batch   the MLP VAE's training step at batch sizes 32..1024 (batch in memory; `./toolkit benchmark`
          against the peer's --bench-steps mode, which runs 3-4x slower than the peer's own training loop for a
          reason not traced: read these ratios with that caveat; `epoch` is the fair comparison)
  conv    both conv VAE presets, training step (batch 64) and decoder (batch 256)

    python3 benchmarks/side_by_side.py [--rounds 2] [--cases epoch,e2e,batch,conv] [--e2e-epochs 1,10]

The peer runs with OMP_WAIT_POLICY=passive and without the machine's OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
(both slow it here). Needs ./toolkit built (it builds itself on first use) and /usr/share/datasets/fashion-mnist.
"""
import argparse
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOLKIT = os.path.join(ROOT, 'toolkit')
PY = '/usr/bin/python3'
PEER_ENV = {k: v for k, v in os.environ.items() if k not in ('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE')}
PEER_ENV['OMP_WAIT_POLICY'] = 'passive'


def run(cmd, env=None):
    """Runs a command under /usr/bin/time; returns (stdout, wall seconds, max RSS in MiB)."""
    with tempfile.NamedTemporaryFile('r', suffix='.time') as t:
        start = time.perf_counter()
        p = subprocess.run(['/usr/bin/time', '-f', '%M', '-o', t.name] + cmd, capture_output=True, text=True,
                           env=env, cwd=ROOT)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f'failed ({p.returncode}): {" ".join(cmd)}\n{p.stdout}\n{p.stderr}')
        rss = int(t.read().strip().splitlines()[-1]) / 1024
    return p.stdout, wall, rss


def load():
    return os.getloadavg()[0]


def ours_train(epochs, threads):
    out = tempfile.mkdtemp(prefix='sbs-run-')
    shutil.rmtree(out)
    try:
        _, wall, rss = run([TOOLKIT, 'train', '--arch', 'mlp-vae', '--dataset', 'fashion-mnist', '--epochs',
                            str(epochs), '--threads', str(threads), '--out', out])
        with open(os.path.join(out, 'metrics.csv')) as f:
            rows = list(csv.DictReader(f))
        ips = statistics.median(float(r['images_per_s']) for r in rows)
        elbo = float(rows[-1]['test_elbo'])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return dict(wall=wall, rss=rss, ips=ips, elbo=elbo)


def peer_train(epochs, threads, flush):
    text, wall, rss = run([PY, os.path.join(HERE, 'pytorch_mlp_vae.py'), '--epochs', str(epochs), '--threads',
                           str(threads)] + (['--flush-denormal'] if flush else []), env=PEER_ENV)
    rows = [l.split(',') for l in text.splitlines() if re.match(r'^\d+,', l)]
    return dict(wall=wall, rss=rss, ips=statistics.median(float(r[3]) for r in rows), elbo=float(rows[-1][2]))


def ours_bench(args):
    text, _, _ = run([TOOLKIT, 'benchmark'] + args)
    step = re.search(r'train step .*?median ([\d.]+) ms', text)
    dec = re.search(r'decoder \(batch (\d+)\): median ([\d.]+) ms', text)
    return dict(step_ms=float(step.group(1)), decoder_ms=float(dec.group(2)))


def peer_bench(script, args):
    text, _, _ = run([PY, os.path.join(HERE, script)] + args, env=PEER_ENV)
    step = re.search(r'train step median ([\d.]+) ms', text)
    dec = re.search(r'decoder \(batch \d+\) median ([\d.]+) ms', text)
    return dict(step_ms=float(step.group(1)), decoder_ms=float(dec.group(1)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--rounds', type=int, default=2)
    p.add_argument('--cases', default='epoch,e2e,batch,conv')
    p.add_argument('--e2e-epochs', default='1,10', help='the epoch counts of the e2e case (default 1,10)')
    a = p.parse_args()
    cases = set(a.cases.split(','))
    print(f'# side by side: {a.rounds} rounds, cases {sorted(cases)}, {os.cpu_count()} CPUs, '
          f'{time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}')
    for r in range(1, a.rounds + 1):
        if cases & {'epoch', 'e2e'}:
            for epochs in ([int(e) for e in a.e2e_epochs.split(',')] if 'e2e' in cases else [10]):
                la = load()
                res = {}
                for t in (1, 2):
                    res[('ours', t, '')] = ours_train(epochs, t)
                    res[('peer', t, '')] = peer_train(epochs, t, False)
                    res[('peer', t, ' flush-denormal')] = peer_train(epochs, t, True)
                peers = [v for k, v in res.items() if k[0] == 'peer']
                peer_wall = min(v['wall'] for v in peers)
                peer_ips = max(v['ips'] for v in peers)
                for (who, t, how), v in sorted(res.items()):
                    print(f'round {r} load {la:.2f} train --epochs {epochs:2d} {who} threads {t}{how}: wall'
                          f' {v["wall"]:.2f} s, max RSS {v["rss"]:.0f} MiB, epoch loop {v["ips"]:.0f} images/s,'
                          f' test neg ELBO {v["elbo"]:.2f}')
                for t in (1, 2):
                    o = res[('ours', t, '')]
                    line = f'round {r} RATIO epochs {epochs:2d} ours threads {t} vs peer best:'
                    if 'e2e' in cases:
                        line += f' wall {peer_wall / o["wall"]:.2f}x faster,'
                    if epochs == 10 and 'epoch' in cases:
                        line += f' epoch loop {o["ips"] / peer_ips:.2f}x'
                    print(line)
        if 'batch' in cases:
            for b in (32, 128, 512, 1024):
                la = load()
                ours = {t: ours_bench(['--batch-size', str(b), '--threads', str(t), '--steps', '200'])
                        for t in (1, 2)}
                peer = {t: peer_bench('pytorch_mlp_vae.py', ['--bench-steps', '200', '--batch-size', str(b),
                                                             '--threads', str(t)]) for t in (1, 2)}
                best = min(v['step_ms'] for v in peer.values())
                for t in (1, 2):
                    print(f'round {r} load {la:.2f} mlp batch {b:4d} threads {t}: ours {ours[t]["step_ms"]:.3f} ms'
                          f' ({b * 1000 / ours[t]["step_ms"]:.0f} img/s), peer {peer[t]["step_ms"]:.3f} ms'
                          f' ({b * 1000 / peer[t]["step_ms"]:.0f} img/s)')
                print(f'round {r} RATIO mlp batch {b:4d}: ours best {best / min(v["step_ms"] for v in ours.values()):.2f}x'
                      f' the peer best in its bench mode (slower than its training loop; see the docstring)')
        if 'conv' in cases:
            for preset in ('celeba64', 'vanilla'):
                la = load()
                common = ['--batch-size', '64', '--decoder-batch', '256', '--steps', '10', '--warmup', '2']
                ours = {t: ours_bench(['--arch', 'conv-vae', '--preset', preset, '--threads', str(t)] + common)
                        for t in (1, 2)}
                peer = {t: peer_bench('pytorch_conv_vae.py', ['--preset', preset, '--threads', str(t)] + common)
                        for t in (1, 2)}
                for t in (1, 2):
                    print(f'round {r} load {la:.2f} conv {preset} threads {t}: ours step {ours[t]["step_ms"]:.1f} ms,'
                          f' decoder {ours[t]["decoder_ms"]:.1f} ms; peer step {peer[t]["step_ms"]:.1f} ms,'
                          f' decoder {peer[t]["decoder_ms"]:.1f} ms')
                ps = min(v['step_ms'] for v in peer.values())
                pd = min(v['decoder_ms'] for v in peer.values())
                os_ = min(v['step_ms'] for v in ours.values())
                od = min(v['decoder_ms'] for v in ours.values())
                print(f'round {r} RATIO conv {preset}: training {ps / os_:.2f}x, decoder {pd / od:.2f}x the peer best'
                      f' ({64 * 1000 / os_:.0f} vs {64 * 1000 / ps:.0f} train img/s)')


if __name__ == '__main__':
    main()
