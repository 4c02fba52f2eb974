"""Read and write chainrule checkpoints (safetensors files) in PyTorch, without the safetensors package.

A chainrule checkpoint is a safetensors file: an 8-byte little-endian header length, a JSON header
(name -> dtype, shape, data_offsets, plus "__metadata__" of strings), padded with spaces to 8 bytes,
then the raw little-endian tensor data. The state dict keeps PyTorch's names and layouts ("0.weight"
is [out, in]); the metadata's "chainrule.architecture" is the model.json that `build` turns into the
equivalent torch.nn.Sequential, and "chainrule.input" holds one sample's shape.

    python3 chainrule_torch.py forward model.safetensors inputs.safetensors outputs.safetensors
runs the checkpoint's model in eval mode on the tensor "x" of inputs.safetensors and writes "y".
"""
import json, os, struct, sys
import torch
from torch import nn

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
          "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


def load_safetensors(path):
    """(tensors by name, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        flat = torch.frombuffer(raw, dtype=DTYPES[e["dtype"]]) if raw else torch.empty(0, dtype=DTYPES[e["dtype"]])
        tensors[name] = flat.reshape(e["shape"]).clone()
    return tensors, metadata


def save_safetensors(path, tensors, metadata=None):
    """Writes tensors (in order) and string metadata as safetensors, atomically."""
    names = {v: k for k, v in DTYPES.items()}
    header, chunks, offset = ({"__metadata__": metadata} if metadata else {}), [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))
    os.replace(path + ".tmp", path)


class Residual(nn.Module):
    """chainrule's Residual: x + fn(x) (its parameters are named fn.*)."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return x + self.fn(x)


def build(architecture):
    """The torch.nn.Sequential of a chainrule model.json ({"layers": [{"type": "Linear", "in": 784, "out": 256}, ...]})."""
    def layer(l):
        t, get = l["type"], l.get
        if t == "Linear": return nn.Linear(l["in"], l["out"], bias=get("bias", True))
        if t == "Conv2d": return nn.Conv2d(l["in"], l["out"], l["kernel"], stride=get("stride", 1), padding=get("padding", 0),
                                           dilation=get("dilation", 1), groups=get("groups", 1), bias=get("bias", True))
        if t == "MaxPool2d": return nn.MaxPool2d(l["kernel"], stride=get("stride", l["kernel"]), padding=get("padding", 0),
                                                 dilation=get("dilation", 1), ceil_mode=get("ceilMode", False))
        if t == "LeakyReLU": return nn.LeakyReLU(get("slope", 0.01))
        if t == "Softmax": return nn.Softmax(dim=get("axis", -1))
        if t == "Dropout": return nn.Dropout(get("p", 0.5))
        if t == "Flatten": return nn.Flatten(get("start", 1), get("end", -1))
        if t == "BatchNorm1d": return nn.BatchNorm1d(l["features"])
        if t == "LayerNorm": return nn.LayerNorm(l["shape"])
        if t == "Residual": return Residual(build(l))
        if t in ("ReLU", "Sigmoid", "Tanh", "GELU"): return getattr(nn, t)()
        raise ValueError(f"layer type {t!r} has no PyTorch equivalent here")
    return nn.Sequential(*[layer(l) for l in architecture["layers"]])


def spec_of(model):
    """The chainrule model.json of a torch.nn.Sequential of the layers `build` knows (the inverse of build)."""
    def one(m):
        if isinstance(m, nn.Linear): return {"type": "Linear", "in": m.in_features, "out": m.out_features, "bias": m.bias is not None}
        if isinstance(m, nn.Conv2d): return {"type": "Conv2d", "in": m.in_channels, "out": m.out_channels, "kernel": list(m.kernel_size), "stride": list(m.stride),
                                             "padding": list(m.padding), "dilation": list(m.dilation), "groups": m.groups, "bias": m.bias is not None}
        if isinstance(m, nn.MaxPool2d): return {"type": "MaxPool2d", "kernel": m.kernel_size, "stride": m.stride, "padding": m.padding,
                                                "dilation": m.dilation, "ceilMode": m.ceil_mode}
        if isinstance(m, nn.LeakyReLU): return {"type": "LeakyReLU", "slope": m.negative_slope}
        if isinstance(m, nn.Softmax): return {"type": "Softmax", "axis": m.dim}
        if isinstance(m, nn.Dropout): return {"type": "Dropout", "p": m.p}
        if isinstance(m, nn.Flatten): return {"type": "Flatten", "start": m.start_dim, "end": m.end_dim}
        if isinstance(m, nn.BatchNorm1d): return {"type": "BatchNorm1d", "features": m.num_features}
        if isinstance(m, nn.LayerNorm): return {"type": "LayerNorm", "shape": list(m.normalized_shape)}
        if type(m).__name__ in ("ReLU", "Sigmoid", "Tanh", "GELU"): return {"type": type(m).__name__}
        raise ValueError(f"{type(m).__name__} has no chainrule layer")
    return {"layers": [one(m) for m in model]}


def load_checkpoint(path):
    """(model with the checkpoint's weights, metadata): load_state_dict is strict, so names and shapes must all match."""
    tensors, metadata = load_safetensors(path)
    model = build(json.loads(metadata["chainrule.architecture"]))
    model.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("optimizer.")}, strict=True)
    return model, metadata


def save_checkpoint(path, model, architecture, input_shape, training=None):
    """A checkpoint that chainrule reads (chainrule eval, export, predict): the state dict plus the architecture and input."""
    metadata = {"format": "pt", "chainrule.version": "1", "chainrule.architecture": json.dumps(architecture),
                "chainrule.input": json.dumps({"shape": list(input_shape)})}
    if training is not None: metadata["chainrule.training"] = json.dumps(training)
    save_safetensors(path, model.state_dict(), metadata)


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "forward":
    model, _ = load_checkpoint(sys.argv[2])
    x = load_safetensors(sys.argv[3])[0]["x"]
    with torch.no_grad():
        save_safetensors(sys.argv[4], {"y": model.eval()(x)})
