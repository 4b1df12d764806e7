// train_ddp.py, written by `shadergrad export --torch`: loads the exported weights into the twin
// (model.py) and keeps training under DistributedDataParallel. Runs under `torchrun --nproc_per_node=N`,
// with ranks started by hand (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT set), with `--nproc N` (it starts
// N local ranks itself: torchrun of Debian's python3-torch 1.13 fails on Python 3.11), or as plain
// `python3 train_ddp.py` (one process, no process group). The loss is the model's training loss.

/** How a model's training loss is computed from (outputs, targets) in PyTorch. */
export type TorchLoss = 'cross_entropy' | 'mse';

export function trainScript(modelName: string, loss: TorchLoss): string {
  return `# Continue training a shadergrad ${modelName} in PyTorch, on one process or many (DDP, gloo on CPU, nccl on GPUs).
#   python3 train_ddp.py --data data.safetensors                 one process
#   torchrun --nproc_per_node=2 train_ddp.py --data ...           DDP
#   python3 train_ddp.py --nproc 2 --data ...                     DDP, ranks started here (no torchrun needed)
# data.safetensors holds 'inputs' and 'targets' (first dimension: samples); each step takes --batch of them,
# split between the ranks. Prints one JSON line per step: {"step", "loss"} (the loss averaged over ranks).
import argparse
import json
import os
import subprocess
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

from model import build_model, load_safetensors, load_weights, save_safetensors

LOSS = ${JSON.stringify(loss)}


def loss_of(outputs, targets):
    if LOSS == 'cross_entropy':
        return F.cross_entropy(outputs.reshape(-1, outputs.shape[-1]), targets.reshape(-1).long())
    return F.mse_loss(outputs, targets)


def launch(nproc, argv):
    """Starts nproc local ranks of this script (what torchrun does), waits, returns the worst exit code."""
    env = dict(os.environ, MASTER_ADDR='127.0.0.1', MASTER_PORT=os.environ.get('MASTER_PORT', '29511'), WORLD_SIZE=str(nproc))
    procs = [subprocess.Popen([sys.executable, __file__, *argv], env=dict(env, RANK=str(r), LOCAL_RANK=str(r))) for r in range(nproc)]
    return max(p.wait() for p in procs)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--weights', default=os.path.join(here, 'model.safetensors'))
    ap.add_argument('--data', required=True)
    ap.add_argument('--steps', type=int, default=100)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--out', default=os.path.join(here, 'trained.safetensors'))
    ap.add_argument('--nproc', type=int, default=0, help='start this many local ranks (instead of torchrun)')
    args, _ = ap.parse_known_args()
    if args.nproc and 'RANK' not in os.environ:
        argv, skip = [], False
        for a in sys.argv[1:]:
            if skip or a == '--nproc' or a.startswith('--nproc='):
                skip = a == '--nproc'
                continue
            argv.append(a)
        sys.exit(launch(args.nproc, argv))

    distributed = 'RANK' in os.environ
    if distributed:
        dist.init_process_group('nccl' if torch.cuda.is_available() else 'gloo')
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    device = torch.device(f'cuda:{int(os.environ.get("LOCAL_RANK", 0))}') if torch.cuda.is_available() else torch.device('cpu')

    model = load_weights(build_model(), args.weights).to(device)
    model.train()
    net = DDP(model, device_ids=[device.index] if device.type == 'cuda' else None) if distributed else model
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    data = load_safetensors(args.data)
    inputs, targets = data['inputs'], data['targets']
    if inputs.dtype == torch.int32:
        inputs = inputs.long()
    n = inputs.shape[0]
    per_rank = args.batch // world
    for step in range(args.steps):
        start = (step * args.batch + rank * per_rank) % n
        idx = torch.arange(start, start + per_rank) % n
        x, y = inputs[idx].to(device), targets[idx].to(device)
        loss = loss_of(net(x), y)
        opt.zero_grad()
        loss.backward()  # DDP averages the gradients over ranks
        opt.step()
        mean = loss.detach().clone()
        if distributed:
            dist.all_reduce(mean)
            mean /= world
        if rank == 0:
            print(json.dumps({'step': step, 'loss': mean.item()}), flush=True)
    if rank == 0:
        save_safetensors(args.out, model.state_dict())
    if distributed:
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
`;
}
