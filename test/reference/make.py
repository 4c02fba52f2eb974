#!/usr/bin/python3
"""Generates the PyTorch reference fixtures that test/reference/*.test.ts replays.

Run by hand, never in CI, with a Python that has torch (Debian's python3-torch):

    /usr/bin/python3 test/reference/make.py

Every case is seeded from its own name (so adding a case leaves the others unchanged) and computed
in float64 unless its name says float32. Tensors are stored as {"dtype", "shape", "data"} with the
data flat in row-major order; floats are written with repr (which JavaScript parses back exactly),
and non-finite values as the strings "nan", "inf", "-inf".
"""

import json
import math
import os
import sys
import zlib

import torch
import torch.nn as tnn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
F64 = torch.float64
F32 = torch.float32


# ---------------------------------------------------------------------------------------------
# encoding


def enc_float(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(t):
    if t is None:
        return None
    if not isinstance(t, torch.Tensor):
        t = torch.tensor(t)
    t = t.detach()
    flat = t.reshape(-1).tolist()
    if t.dtype in (torch.float64, torch.float32):
        dtype = "float64" if t.dtype == torch.float64 else "float32"
        data = [enc_float(float(v)) for v in flat]
    elif t.dtype == torch.bool:
        dtype, data = "bool", [int(v) for v in flat]
    else:
        dtype, data = "int32", [int(v) for v in flat]
    return {"dtype": dtype, "shape": list(t.shape), "data": data}


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


# ---------------------------------------------------------------------------------------------
# input helpers (call after seed())


def rn(*shape, dtype=F64):
    return torch.randn(tuple(shape), dtype=F64).to(dtype)


def pos(*shape, dtype=F64):
    """Positive values in [0.5, 2): for log, sqrt, the denominator of div and the base of pow."""
    return (torch.rand(tuple(shape), dtype=F64) * 1.5 + 0.5).to(dtype)


def away(*shape, gap=0.1, dtype=F64):
    """Normal values at least `gap` away from 0 (the kink of relu, abs, leakyRelu)."""
    x = torch.randn(tuple(shape), dtype=F64)
    return (torch.sign(x) * (x.abs() + gap)).to(dtype)


def ints(lo, hi, *shape):
    return torch.randint(lo, hi, shape)


def small_ints_float(*shape, hi=3):
    """Float tensors with many exact ties."""
    return torch.randint(0, hi, shape).to(F64)


# ---------------------------------------------------------------------------------------------
# the elementwise-style cases: inputs -> output, and the gradient of Σ w ⊙ output w.r.t. every float
# input. `grad` says which inputs are differentiated (default: every float tensor).

CASES = {}


def add_case(group, case):
    CASES.setdefault(group, []).append(case)


def fn_case(group, name, fn, inputs, grad=None, note=None, zero_grad=False):
    seed(name + "/weights")
    ins = []
    for i, x in enumerate(inputs):
        x = x.detach().clone()
        want = x.is_floating_point() if grad is None else grad[i]
        if want:
            x.requires_grad_(True)
        ins.append(x)
    out = fn(*ins)
    case = {"name": name, "inputs": [enc(x) for x in ins], "out": enc(out)}
    wrt = [x for x in ins if x.requires_grad]
    if out.is_floating_point() and wrt and out.requires_grad:
        w = torch.randn(out.shape, dtype=F64).to(out.dtype)
        loss = (out * w).sum()
        gs = torch.autograd.grad(loss, wrt, allow_unused=True)
        gs = iter(torch.zeros_like(x) if g is None else g for x, g in zip(wrt, gs))
        case["weights"] = enc(w)
        case["grads"] = [enc(next(gs)) if x.requires_grad else None for x in ins]
    if note:
        case["note"] = note
    if zero_grad:
        case["zeroGrad"] = True
    add_case(group, case)


def op(name, fn, make_inputs, **kw):
    seed(name)
    fn_case("ops", name, fn, make_inputs(), **kw)


# ---------------------------------------------------------------------------------------------
# ops

BINARY_SHAPES = {
    "same": ([3, 4], [3, 4]),
    "row": ([3, 4], [4]),
    "col_row": ([3, 1], [1, 4]),
    "3d": ([2, 3, 4], [3, 1]),
    "scalar_tensor": ([], [3, 4]),
}


def binary_ops():
    makers = {
        "add": (torch.add, rn, rn),
        "sub": (torch.sub, rn, rn),
        "mul": (torch.mul, rn, rn),
        "div": (torch.div, rn, pos),
        "pow": (torch.pow, pos, rn),
        "maximum": (torch.maximum, rn, rn),
        "minimum": (torch.minimum, rn, rn),
    }
    for opname, (f, ma, mb) in makers.items():
        for sname, (sa, sb) in BINARY_SHAPES.items():
            op(f"{opname}/{sname}", f, lambda: [ma(*sa), mb(*sb)])
        # a plain number on the right (left for sub/div/pow): it takes the tensor's dtype
        op(f"{opname}/number_right", lambda a, f=f: f(a, torch.tensor(1.5)), lambda: [ma(3, 4)])
    op("sub/number_left", lambda b: 1.5 - b, lambda: [rn(3, 4)])
    op("div/number_left", lambda b: 1.5 / b, lambda: [pos(3, 4)])
    op("pow/number_base", lambda b: torch.pow(1.5, b), lambda: [rn(3, 4)])
    op("mul/float32", torch.mul, lambda: [rn(3, 4, dtype=F32), rn(4, dtype=F32)])
    op("div/float32", torch.div, lambda: [rn(3, 4, dtype=F32), pos(3, 4, dtype=F32)])

    # pow: integer exponents of negative bases (the exponent is not differentiated: log a is NaN)
    op("pow/neg_base_int_exponent", torch.pow, lambda: [rn(3, 4), torch.randint(0, 4, (3, 4)).to(F64)], grad=[True, False])
    op("pow/square", lambda a: torch.pow(a, 2), lambda: [rn(3, 4)])
    op("pow/cube", lambda a: torch.pow(a, 3), lambda: [rn(3, 4)])
    op("pow/sqrt_exponent", lambda a: torch.pow(a, 0.5), lambda: [pos(3, 4)])
    op("pow/negative_exponent", lambda a: torch.pow(a, -1.5), lambda: [pos(3, 4)])
    # PyTorch: at base 0, ∂/∂a = 0 where b = 0 (not 0·0⁻¹ = NaN) and ∂/∂b = 0 where b ≥ 0 (not 0·log 0)
    zb = lambda: [torch.tensor([0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 2.0, 0.0]), torch.tensor([0.0, 1.0, 2.0, 3.0, 2.5, 2.5, 0.0, 4.0])]
    op("pow/zero_base", torch.pow, zb, note="torch: grad 0 at base 0 (∂a where b = 0, ∂b where b ≥ 0)")
    op("pow/zero_base_scalar_exponent_2", lambda a: torch.pow(a, 2), lambda: [torch.tensor([0.0, 1.0, -2.0, 0.0, 0.5])])
    op("pow/zero_base_scalar_exponent_0", lambda a: torch.pow(a, 0), lambda: [torch.tensor([0.0, 1.0, -2.0, 0.0, 0.5])],
       zero_grad=True, note="torch: x⁰ has gradient 0 everywhere, also at x = 0")
    op("pow/zero_base_fractional", lambda a: torch.pow(a, 0.5), lambda: [torch.tensor([0.0, 1.0, 4.0])],
       note="torch: ∂(x^0.5) at 0 is +inf (times the weight's sign)")

    # maximum/minimum ties split the gradient in halves, as PyTorch
    def ties():
        a = small_ints_float(3, 4)
        b = small_ints_float(3, 4)
        return [a, b]
    op("maximum/ties", torch.maximum, ties)
    op("minimum/ties", torch.minimum, ties)
    op("maximum/ties_broadcast", torch.maximum, lambda: [small_ints_float(3, 4), small_ints_float(4)])
    op("maximum/ties_number", lambda a: torch.maximum(a, torch.tensor(0.0)),
       lambda: [torch.tensor([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])], note="a tie with the number 0 sends half the gradient to x")


def compare_ops():
    for name, f in [("gt", torch.gt), ("lt", torch.lt), ("ge", torch.ge), ("le", torch.le), ("eq", torch.eq), ("ne", torch.ne)]:
        op(f"{name}/broadcast", lambda a, b, f=f: f(a, b).to(F64), lambda: [small_ints_float(3, 4), small_ints_float(4)])
        op(f"{name}/number", lambda a, f=f: f(a, 1.0).to(F64), lambda: [small_ints_float(2, 5)])


def unary_ops():
    sh = (2, 3, 4)
    op("neg/basic", torch.neg, lambda: [rn(*sh)])
    op("exp/basic", torch.exp, lambda: [rn(*sh)])
    op("log/basic", torch.log, lambda: [pos(*sh)])
    op("sqrt/basic", torch.sqrt, lambda: [pos(*sh)])
    op("abs/basic", torch.abs, lambda: [away(*sh)])
    op("relu/basic", torch.relu, lambda: [away(*sh)])
    op("leakyRelu/default_slope", F.leaky_relu, lambda: [away(*sh)])
    op("leakyRelu/slope_0.2", lambda x: F.leaky_relu(x, 0.2), lambda: [away(*sh)])
    op("sigmoid/basic", torch.sigmoid, lambda: [rn(*sh) * 3])
    op("tanh/basic", torch.tanh, lambda: [rn(*sh) * 2])
    op("gelu/basic", F.gelu, lambda: [rn(*sh) * 2])
    op("softplus/basic", F.softplus, lambda: [rn(*sh) * 3])
    op("softplus/large", F.softplus, lambda: [torch.tensor([-40.0, -25.0, -5.0, 0.0, 5.0, 25.0, 40.0])])
    op("erf/basic", torch.erf, lambda: [rn(*sh) * 1.5])
    op("exp/float32", torch.exp, lambda: [rn(3, 4, dtype=F32)])
    op("tanh/float32", torch.tanh, lambda: [rn(3, 4, dtype=F32)])
    # sign: the values, and a gradient of zeros (PyTorch differentiates sign to 0 everywhere)
    op("sign/values_and_zero_grad", torch.sign, lambda: [torch.cat([away(7), torch.zeros(3)])], zero_grad=True,
       note="torch: sign has gradient 0 (also at 0)")
    op("cast/float64_to_float32", lambda x: x.to(F32), lambda: [rn(3, 4)])
    op("cast/float32_to_float64", lambda x: x.to(F64), lambda: [rn(3, 4, dtype=F32)])
    op("sign/times_x", lambda x: torch.sign(x) * x, lambda: [away(3, 4)], note="sign contributes 0, x contributes sign(x)")


def where_clamp():
    op("where/same", lambda c, a, b: torch.where(c, a, b), lambda: [torch.rand(3, 4) > 0.5, rn(3, 4), rn(3, 4)])
    op("where/broadcast", lambda c, a, b: torch.where(c, a, b), lambda: [torch.rand(3, 1) > 0.5, rn(3, 4), rn(4)])
    op("where/number_other", lambda c, a: torch.where(c, a, torch.tensor(0.0)), lambda: [torch.rand(3, 4) > 0.5, rn(3, 4)])

    def clamp_input():
        x = torch.randn(4, 5)
        # keep away from the bounds ±0.5
        return [torch.where((x.abs() - 0.5).abs() < 0.05, x + 0.2, x)]
    op("clamp/min_max", lambda x: torch.clamp(x, -0.5, 0.5), clamp_input)
    op("clamp/min_only", lambda x: torch.clamp(x, min=-0.5), clamp_input)
    op("clamp/max_only", lambda x: torch.clamp(x, max=0.5), clamp_input)
    op("clamp/at_bounds", lambda x: torch.clamp(x, -0.5, 0.5), lambda: [torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0])],
       note="torch: the gradient passes at x = min and x = max")


def matmul_ops():
    cases = {
        "2d": ([3, 4], [4, 5]),
        "vec_vec": ([4], [4]),
        "vec_mat": ([4], [4, 5]),
        "mat_vec": ([3, 4], [4]),
        "batched": ([2, 3, 4], [2, 4, 5]),
        "batch_mat": ([2, 3, 4], [4, 5]),
        "mat_batch": ([3, 4], [2, 4, 5]),
        "broadcast_batch": ([2, 1, 3, 4], [3, 4, 2]),
        "vec_batch": ([4], [2, 4, 5]),
        "batch_vec": ([2, 3, 4], [4]),
    }
    for n, (sa, sb) in cases.items():
        op(f"matmul/{n}", torch.matmul, lambda: [rn(*sa), rn(*sb)])
    op("matmul/float32", torch.matmul, lambda: [rn(5, 6, dtype=F32), rn(6, 3, dtype=F32)])


AXES = [None, 0, 1, 2, -1, (0, 2)]


def ax_name(axis, keep):
    a = "all" if axis is None else ",".join(str(v) for v in axis) if isinstance(axis, tuple) else str(axis)
    return f"axis={a},keep={str(keep).lower()}"


def all_dims(x, axis):
    return tuple(range(x.ndim)) if axis is None else axis


def reductions():
    sh = (2, 3, 4)
    for axis in AXES:
        for keep in (False, True):
            an = ax_name(axis, keep)
            op(f"sum/{an}", lambda x, a=axis, k=keep: torch.sum(x, all_dims(x, a), keepdim=k), lambda: [rn(*sh)])
            op(f"mean/{an}", lambda x, a=axis, k=keep: torch.mean(x, all_dims(x, a), keepdim=k), lambda: [rn(*sh)])
            # amax/amin share the gradient evenly between ties (torch.max(x, dim) would pick one index)
            op(f"max/{an}", lambda x, a=axis, k=keep: torch.amax(x, all_dims(x, a), keepdim=k), lambda: [rn(*sh)])
            op(f"min/{an}", lambda x, a=axis, k=keep: torch.amin(x, all_dims(x, a), keepdim=k), lambda: [rn(*sh)])
            op(f"logSumExp/{an}", lambda x, a=axis, k=keep: torch.logsumexp(x, all_dims(x, a), keepdim=k), lambda: [rn(*sh) * 2])
    op("max/ties_axis=1", lambda x: torch.amax(x, 1), lambda: [small_ints_float(3, 5)], note="torch.amax: ties share the gradient evenly")
    op("max/ties_all", lambda x: torch.amax(x), lambda: [small_ints_float(3, 4)])
    op("min/ties_axis=0", lambda x: torch.amin(x, 0), lambda: [small_ints_float(4, 3)])
    op("logSumExp/large_values", lambda x: torch.logsumexp(x, 1), lambda: [rn(3, 4) * 5 + 1000])
    op("logSumExp/neg_inf_entries", lambda x: torch.logsumexp(x, 1),
       lambda: [torch.tensor([[0.5, -math.inf, 1.0], [-math.inf, 2.0, -math.inf]])])
    op("sum/float32_all", lambda x: torch.sum(x), lambda: [rn(4, 5, dtype=F32)])
    for axis in (None, 0, 1, -1):
        for keep in (False, True):
            if axis is None and keep:
                continue
            an = ax_name(axis, keep)
            kw = {} if axis is None else {"dim": axis, "keepdim": keep}
            op(f"argmax/{an}", lambda x, kw=kw: torch.argmax(x, **kw), lambda: [rn(3, 4)])
            op(f"argmin/{an}", lambda x, kw=kw: torch.argmin(x, **kw), lambda: [rn(3, 4)])
    op("argmax/ties_axis=1", lambda x: torch.argmax(x, 1), lambda: [small_ints_float(4, 5)], note="the first maximum wins")
    op("argmin/ties_axis=1", lambda x: torch.argmin(x, 1), lambda: [small_ints_float(4, 5)])


def softmaxes():
    for axis in (0, 1, 2, -1):
        op(f"softmax/axis={axis}", lambda x, a=axis: torch.softmax(x, a), lambda: [rn(2, 3, 4) * 2])
        op(f"logSoftmax/axis={axis}", lambda x, a=axis: torch.log_softmax(x, a), lambda: [rn(2, 3, 4) * 2])
    op("softmax/large_values", lambda x: torch.softmax(x, -1), lambda: [rn(3, 4) * 5 + 1000])
    op("logSoftmax/large_values", lambda x: torch.log_softmax(x, -1), lambda: [rn(3, 4) * 5 - 1000])
    ninf = lambda: [torch.tensor([[0.5, -math.inf, 1.0, 2.0], [-math.inf, 2.0, -math.inf, 0.0]])]
    op("softmax/neg_inf_entries", lambda x: torch.softmax(x, -1), ninf, note="masked logits: 0 probability, 0 gradient")
    op("logSoftmax/neg_inf_entries", lambda x: torch.log_softmax(x, -1), ninf)
    op("softmax/float32", lambda x: torch.softmax(x, -1), lambda: [rn(3, 5, dtype=F32)])


def shape_ops():
    x234 = lambda: [rn(2, 3, 4)]
    op("reshape/[6,4]", lambda x: x.reshape(6, 4), x234)
    op("reshape/[-1]", lambda x: x.reshape(-1), x234)
    op("reshape/[4,-1,2]", lambda x: x.reshape(4, -1, 2), x234)
    op("flatten/default", lambda x: torch.flatten(x), x234)
    op("flatten/start=1", lambda x: torch.flatten(x, 1), x234)
    op("flatten/0..1", lambda x: torch.flatten(x, 0, 1), x234)
    x2131 = lambda: [rn(2, 1, 3, 1)]
    op("squeeze/all", lambda x: torch.squeeze(x), x2131)
    op("squeeze/axis=1", lambda x: torch.squeeze(x, 1), x2131)
    op("squeeze/axis=-1", lambda x: torch.squeeze(x, -1), x2131)
    op("squeeze/axes=1,3", lambda x: torch.squeeze(torch.squeeze(x, 3), 1), x2131)
    op("unsqueeze/axis=0", lambda x: torch.unsqueeze(x, 0), x234)
    op("unsqueeze/axis=2", lambda x: torch.unsqueeze(x, 2), x234)
    op("unsqueeze/axis=-1", lambda x: torch.unsqueeze(x, -1), x234)
    op("transpose/default", lambda x: torch.transpose(x, -2, -1), x234)
    op("transpose/0,2", lambda x: torch.transpose(x, 0, 2), x234)
    op("transpose/2d", lambda x: x.t(), lambda: [rn(3, 5)])
    op("permute/2,0,1", lambda x: x.permute(2, 0, 1), x234)
    op("permute/1,2,0", lambda x: x.permute(1, 2, 0), x234)
    op("expand/[3,1]->[2,3,4]", lambda x: x.expand(2, 3, 4), lambda: [rn(3, 1)])
    op("expand/keep=-1", lambda x: x.expand(3, -1), lambda: [rn(1, 4)])
    op("expand/scalar", lambda x: x.expand(2, 3), lambda: [rn()])
    op("expand/new_leading", lambda x: x.expand(2, 3, 4), lambda: [rn(4)])
    op("slice/axis=0,start=1", lambda x: x[1:], x234)
    op("slice/axis=1,0:2", lambda x: x[:, 0:2], x234)
    op("slice/axis=2,step=2", lambda x: x[:, :, ::2], x234)
    op("slice/axis=2,1:4:2", lambda x: x[:, :, 1:4:2], x234)
    op("slice/axis=-1,negative", lambda x: x[..., -3:-1], x234)
    op("slice/end_past", lambda x: x[:, 1:10], x234)
    op("select/axis=0,index=1", lambda x: x[1], x234)
    op("select/axis=-1,index=-1", lambda x: x[..., -1], x234)
    op("select/axis=1,index=2", lambda x: x[:, 2], x234)
    op("concat/axis=0", lambda a, b, c: torch.cat([a, b, c], 0), lambda: [rn(1, 3), rn(2, 3), rn(3, 3)])
    op("concat/axis=1", lambda a, b, c: torch.cat([a, b, c], 1), lambda: [rn(2, 1), rn(2, 2), rn(2, 3)])
    op("concat/axis=-1", lambda a, b: torch.cat([a, b], -1), lambda: [rn(2, 3, 1), rn(2, 3, 2)])
    for axis in (0, 1, -1):
        op(f"stack/axis={axis}", lambda a, b, c, ax=axis: torch.stack([a, b, c], ax), lambda: [rn(2, 3), rn(2, 3), rn(2, 3)])


def index_ops():
    op("gather/axis=1", lambda x, i: torch.gather(x, 1, i), lambda: [rn(3, 4), ints(0, 4, 3, 2)])
    op("gather/axis=0", lambda x, i: torch.gather(x, 0, i), lambda: [rn(3, 4), ints(0, 3, 2, 4)])
    op("gather/repeated", lambda x, i: torch.gather(x, 1, i), lambda: [rn(2, 3), torch.tensor([[0, 0, 2, 0], [1, 1, 1, 2]])],
       note="repeated indices accumulate the gradient")
    op("gather/3d_axis=1", lambda x, i: torch.gather(x, 1, i), lambda: [rn(2, 3, 4), ints(0, 3, 2, 5, 4)])
    op("gather/index_smaller_outside_axis", lambda x, i: torch.gather(x, 1, i), lambda: [rn(3, 4), ints(0, 4, 2, 3)],
       note="torch allows index.size(d) <= input.size(d) for d != axis")
    op("gather/3d_index_smaller", lambda x, i: torch.gather(x, 2, i), lambda: [rn(3, 4, 5), ints(0, 5, 2, 3, 2)])
    op("scatterAdd/axis=0", lambda s, i: torch.zeros(4, 3).scatter_add(0, i, s), lambda: [rn(2, 3), ints(0, 4, 2, 3)])
    op("scatterAdd/axis=1", lambda s, i: torch.zeros(2, 5).scatter_add(1, i, s), lambda: [rn(2, 4), ints(0, 5, 2, 4)])
    op("scatterAdd/3d_axis=2", lambda s, i: torch.zeros(2, 3, 2).scatter_add(2, i, s), lambda: [rn(2, 3, 4), ints(0, 2, 2, 3, 4)])
    op("indexSelect/axis=0", lambda x: torch.index_select(x, 0, torch.tensor([2, 0, 2])), lambda: [rn(4, 3)])
    op("indexSelect/axis=1", lambda x: torch.index_select(x, 1, torch.tensor([1])), lambda: [rn(4, 3)])
    op("indexSelect/axis=-1", lambda x: torch.index_select(x, -1, torch.tensor([3, 1, 1, 0])), lambda: [rn(2, 3, 4)])
    op("oneHot/numClasses=5", lambda y: F.one_hot(y, 5).to(F64), lambda: [torch.tensor([0, 3, 1, 4])])
    op("oneHot/inferred", lambda y: F.one_hot(y).to(F64), lambda: [torch.tensor([2, 0, 1, 2])])
    op("oneHot/2d_labels", lambda y: F.one_hot(y, 3).to(F64), lambda: [ints(0, 3, 2, 3)])


# ---------------------------------------------------------------------------------------------
# losses


def loss(name, fn, make_inputs, **kw):
    seed(name)
    fn_case("losses", name, fn, make_inputs(), **kw)


def probs(*shape, dim=1):
    return torch.softmax(torch.randn(*shape) * 2, dim)


def labels_with(n, c, ignore, count=2):
    y = torch.randint(0, c, (n,))
    y[torch.randperm(n)[:count]] = ignore
    return y


def losses():
    N, C = 6, 4
    for red in ("mean", "sum", "none"):
        loss(f"crossEntropy/labels,{red}", lambda h, y, r=red: F.cross_entropy(h, y, reduction=r), lambda: [rn(N, C), ints(0, C, N)])
        loss(f"crossEntropy/probs,{red}", lambda h, p, r=red: F.cross_entropy(h, p, reduction=r), lambda: [rn(N, C), probs(N, C)])
        loss(f"crossEntropy/labelSmoothing,{red}", lambda h, y, r=red: F.cross_entropy(h, y, reduction=r, label_smoothing=0.1),
             lambda: [rn(N, C), ints(0, C, N)])
        loss(f"crossEntropy/weight,{red}", lambda h, y, w, r=red: F.cross_entropy(h, y, weight=w, reduction=r),
             lambda: [rn(N, C), ints(0, C, N), pos(C)], grad=[True, False, False])
        loss(f"crossEntropy/ignoreIndex,{red}", lambda h, y, r=red: F.cross_entropy(h, y, reduction=r),
             lambda: [rn(N, C), labels_with(N, C, -100)], note="labels -100 (PyTorch's default ignore_index) are ignored")
        loss(f"crossEntropy/nd,{red}", lambda h, y, r=red: F.cross_entropy(h, y, reduction=r), lambda: [rn(2, 3, 2, 2), ints(0, 3, 2, 2, 2)],
             note="logits [N, C, d1, d2], labels [N, d1, d2]")
        loss(f"nllLoss/basic,{red}", lambda lp, y, r=red: F.nll_loss(lp, y, reduction=r), lambda: [torch.log_softmax(rn(N, C), 1), ints(0, C, N)])
        loss(f"nllLoss/weight,{red}", lambda lp, y, w, r=red: F.nll_loss(lp, y, weight=w, reduction=r),
             lambda: [torch.log_softmax(rn(N, C), 1), ints(0, C, N), pos(C)], grad=[True, False, False])
        loss(f"mse/{red}", lambda a, b, r=red: F.mse_loss(a, b, reduction=r), lambda: [rn(3, 4), rn(3, 4)])
        loss(f"l1/{red}", lambda a, b, r=red: F.l1_loss(a, b, reduction=r), lambda: [rn(3, 4), rn(3, 4)])
        loss(f"bceWithLogits/{red}", lambda x, y, r=red: F.binary_cross_entropy_with_logits(x, y, reduction=r),
             lambda: [rn(4, 3) * 2, torch.rand(4, 3)])
        loss(f"bceWithLogits/posWeight_tensor,{red}",
             lambda x, y, p, r=red: F.binary_cross_entropy_with_logits(x, y, pos_weight=p, reduction=r),
             lambda: [rn(4, 3) * 2, torch.rand(4, 3), pos(3) * 2], grad=[True, True, False])
    loss("crossEntropy/unbatched", lambda h, y: F.cross_entropy(h, y), lambda: [rn(C), torch.tensor(2)], note="logits [C], label []")
    loss("crossEntropy/unbatched_probs", lambda h, p: F.cross_entropy(h, p), lambda: [rn(C), probs(C, dim=0)])
    loss("crossEntropy/probs_not_normalized", lambda h, p: F.cross_entropy(h, p), lambda: [rn(N, C), torch.rand(N, C) * 0.8],
         note="torch: −Σ y log softmax(h) as is; ∂h = softmax(h)·Σy − y")
    loss("crossEntropy/probs_not_normalized,none", lambda h, p: F.cross_entropy(h, p, reduction="none"), lambda: [rn(N, C), torch.rand(N, C) * 1.5])
    loss("crossEntropy/probs,labelSmoothing", lambda h, p: F.cross_entropy(h, p, label_smoothing=0.2), lambda: [rn(N, C), probs(N, C)])
    loss("crossEntropy/probs,weight", lambda h, p, w: F.cross_entropy(h, p, weight=w), lambda: [rn(N, C), probs(N, C), pos(C)],
         grad=[True, True, False], note="torch: with probabilities the mean divides by N, not by the weights")
    loss("crossEntropy/ignoreIndex_default", lambda h, y: F.cross_entropy(h, y), lambda: [rn(N, C), labels_with(N, C, -100)],
         note="no ignoreIndex option: PyTorch's default -100 applies")
    loss("crossEntropy/ignoreIndex=2", lambda h, y: F.cross_entropy(h, y, ignore_index=2), lambda: [rn(N, C), torch.tensor([2, 0, 2, 1, 3, 2])])
    loss("crossEntropy/weight,ignoreIndex", lambda h, y, w: F.cross_entropy(h, y, weight=w), lambda: [rn(N, C), labels_with(N, C, -100), pos(C)],
         grad=[True, False, False], note="the mean divides by the weights of the labels that are not ignored")
    loss("crossEntropy/labelSmoothing,weight", lambda h, y, w: F.cross_entropy(h, y, weight=w, label_smoothing=0.1),
         lambda: [rn(N, C), ints(0, C, N), pos(C)], grad=[True, False, False])
    loss("crossEntropy/labelSmoothing,weight,sum", lambda h, y, w: F.cross_entropy(h, y, weight=w, label_smoothing=0.1, reduction="sum"),
         lambda: [rn(N, C), ints(0, C, N), pos(C)], grad=[True, False, False])
    loss("crossEntropy/labelSmoothing,ignoreIndex", lambda h, y: F.cross_entropy(h, y, label_smoothing=0.2),
         lambda: [rn(N, C), labels_with(N, C, -100)])
    loss("crossEntropy/nd,weight", lambda h, y, w: F.cross_entropy(h, y, weight=w), lambda: [rn(2, 3, 2, 2), ints(0, 3, 2, 2, 2), pos(3)],
         grad=[True, False, False])
    loss("crossEntropy/nd,ignoreIndex", lambda h, y: F.cross_entropy(h, y),
         lambda: [rn(2, 3, 2, 2), torch.tensor([[[0, -100], [2, 1]], [[-100, 1], [1, 0]]])])
    loss("crossEntropy/nd,labelSmoothing", lambda h, y: F.cross_entropy(h, y, label_smoothing=0.1), lambda: [rn(2, 3, 4), ints(0, 3, 2, 4)])
    loss("crossEntropy/nd,probs", lambda h, p: F.cross_entropy(h, p), lambda: [rn(2, 3, 2, 2), probs(2, 3, 2, 2)])
    loss("crossEntropy/float32", lambda h, y: F.cross_entropy(h, y), lambda: [rn(N, C, dtype=F32), ints(0, C, N)])
    loss("nllLoss/ignoreIndex", lambda lp, y: F.nll_loss(lp, y), lambda: [torch.log_softmax(rn(N, C), 1), labels_with(N, C, -100)])
    loss("nllLoss/weight,ignoreIndex", lambda lp, y, w: F.nll_loss(lp, y, weight=w),
         lambda: [torch.log_softmax(rn(N, C), 1), labels_with(N, C, -100), pos(C)], grad=[True, False, False])
    loss("nllLoss/unbatched", lambda lp, y: F.nll_loss(lp, y), lambda: [torch.log_softmax(rn(C), 0), torch.tensor(1)])
    loss("nllLoss/nd", lambda lp, y: F.nll_loss(lp, y), lambda: [torch.log_softmax(rn(2, 3, 4), 1), ints(0, 3, 2, 4)])
    loss("bceWithLogits/weight", lambda x, y, w: F.binary_cross_entropy_with_logits(x, y, weight=w),
         lambda: [rn(4, 3) * 2, torch.rand(4, 3), pos(4, 3)], grad=[True, True, False])
    loss("bceWithLogits/weight_broadcast,sum", lambda x, y, w: F.binary_cross_entropy_with_logits(x, y, weight=w, reduction="sum"),
         lambda: [rn(4, 3) * 2, torch.rand(4, 3), pos(3)], grad=[True, True, False])
    loss("bceWithLogits/weight,posWeight,none", lambda x, y, w, p: F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=p, reduction="none"),
         lambda: [rn(4, 3) * 2, torch.rand(4, 3), pos(4, 1), pos(3) * 2], grad=[True, True, False, False])
    loss("bceWithLogits/posWeight_number", lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=torch.tensor(3.0)),
         lambda: [rn(4, 3) * 2, torch.rand(4, 3)])
    loss("bceWithLogits/large_logits", lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none"),
         lambda: [torch.tensor([-60.0, -30.0, -1.0, 0.0, 1.0, 30.0, 60.0]), torch.tensor([0.0, 1.0, 0.3, 0.5, 0.7, 0.0, 1.0])])
    loss("bceWithLogits/posWeight,large_logits", lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=torch.tensor(2.0), reduction="none"),
         lambda: [torch.tensor([-60.0, -30.0, -1.0, 0.0, 1.0, 30.0, 60.0]), torch.tensor([0.0, 1.0, 0.3, 0.5, 0.7, 0.0, 1.0])])

    # the loss modules pass their options through
    loss("CrossEntropyLoss/weight,labelSmoothing,ignoreIndex", tnn.CrossEntropyLoss(weight=torch.tensor([0.5, 2.0, 1.0, 1.5]), label_smoothing=0.1, ignore_index=1),
         lambda: [rn(N, C), ints(0, C, N)])
    loss("NLLLoss/weight,sum", tnn.NLLLoss(weight=torch.tensor([0.5, 2.0, 1.0, 1.5]), reduction="sum"), lambda: [torch.log_softmax(rn(N, C), 1), ints(0, C, N)])
    loss("MSELoss/sum", tnn.MSELoss(reduction="sum"), lambda: [rn(3, 4), rn(3, 4)])
    loss("L1Loss/none", tnn.L1Loss(reduction="none"), lambda: [rn(3, 4), rn(3, 4)])
    loss("BCEWithLogitsLoss/posWeight", tnn.BCEWithLogitsLoss(pos_weight=torch.tensor(2.5)), lambda: [rn(4, 3), torch.rand(4, 3)])

    def l2(params, lam, biases):
        s = sum((p * p).sum() for p in params if biases or p.ndim > 1)
        return s * (lam / 2)
    loss("l2Penalty/weights_only", lambda w1, b1, w2: l2([w1, b1, w2], 0.01, False), lambda: [rn(3, 4), rn(3), rn(2, 3)])
    loss("l2Penalty/includeBiases", lambda w1, b1, w2: l2([w1, b1, w2], 0.3, True), lambda: [rn(3, 4), rn(3), rn(2, 3)])


# ---------------------------------------------------------------------------------------------
# modules: the same weights in both (made here, carried in the fixture, loaded by loadStateDict)


class Residual(tnn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return x + self.fn(x)


def module_case(name, make, input_shape, steps=("train",), dtype=F64, inputs=None, randomize=True):
    """Runs `steps` ("train"/"eval") on fresh random inputs (or the given ones); after each step stores
    the output, the gradient of Σ w ⊙ out w.r.t. the input and every parameter, and the buffers."""
    seed(name)
    m = make().to(dtype)
    if randomize:
        with torch.no_grad():
            for k, p in m.named_parameters():
                p.copy_(torch.randn(p.shape, dtype=F64).to(dtype) * 0.5 + (1.0 if k.endswith("weight") and p.ndim == 1 else 0.0))
    state = {k: enc(v.to(torch.int32) if not v.is_floating_point() else v) for k, v in m.state_dict().items()}
    out_steps = []
    for i, mode in enumerate(steps):
        m.train(mode == "train")
        x = inputs[i] if inputs is not None else torch.randn(*input_shape, dtype=F64).to(dtype)
        x = x.detach().clone().requires_grad_(True)
        y = m(x)
        w = torch.randn(y.shape, dtype=F64).to(dtype)
        params = list(m.named_parameters())
        gs = torch.autograd.grad((y * w).sum(), [x] + [p for _, p in params], allow_unused=True)
        gs = [torch.zeros_like(p) if g is None else g for g, p in zip(gs, [x] + [p for _, p in params])]
        out_steps.append({
            "mode": mode,
            "input": enc(x),
            "out": enc(y),
            "weights": enc(w),
            "gradInput": enc(gs[0]),
            "gradParams": {k: enc(g) for (k, _), g in zip(params, gs[1:])},
            "buffers": {k: enc(v.to(torch.int32) if not v.is_floating_point() else v) for k, v in m.named_buffers()},
        })
    add_case("modules", {"name": name, "state": state, "steps": out_steps})


def modules():
    module_case("Linear/bias", lambda: tnn.Linear(4, 3), (5, 4))
    module_case("Linear/no_bias", lambda: tnn.Linear(4, 3, bias=False), (5, 4))
    module_case("Linear/3d_input", lambda: tnn.Linear(4, 3), (2, 3, 4))
    module_case("Linear/1d_input", lambda: tnn.Linear(4, 3), (4,))
    module_case("Linear/float32", lambda: tnn.Linear(6, 5), (4, 6), dtype=F32)
    module_case("Conv2d/float32", lambda: tnn.Conv2d(2, 4, 3, padding=1, groups=2), (2, 2, 4, 4), dtype=F32)
    module_case("BatchNorm1d/float32", lambda: tnn.BatchNorm1d(3), (5, 3), steps=("train", "train", "eval"), dtype=F32)

    conv = {
        "basic": (dict(in_channels=2, out_channels=3, kernel_size=3), (2, 2, 5, 5)),
        "stride=2": (dict(in_channels=2, out_channels=3, kernel_size=3, stride=2), (2, 2, 7, 7)),
        "padding=1": (dict(in_channels=2, out_channels=3, kernel_size=3, padding=1), (2, 2, 5, 5)),
        "kernel=2x3,stride=2x1,padding=1x2": (dict(in_channels=2, out_channels=2, kernel_size=(2, 3), stride=(2, 1), padding=(1, 2)), (1, 2, 5, 6)),
        "dilation=2": (dict(in_channels=2, out_channels=3, kernel_size=3, dilation=2), (1, 2, 7, 7)),
        "stride=2,padding=2,dilation=2": (dict(in_channels=1, out_channels=2, kernel_size=3, stride=2, padding=2, dilation=2), (2, 1, 6, 7)),
        "no_bias": (dict(in_channels=2, out_channels=3, kernel_size=3, bias=False), (2, 2, 4, 4)),
        "padding=3": (dict(in_channels=1, out_channels=2, kernel_size=3, padding=3), (1, 1, 3, 4)),
        "1x1": (dict(in_channels=3, out_channels=2, kernel_size=1), (2, 3, 3, 3)),
        "unbatched": (dict(in_channels=2, out_channels=3, kernel_size=2), (2, 4, 4)),
        "groups=2": (dict(in_channels=4, out_channels=6, kernel_size=3, groups=2), (2, 4, 5, 5)),
        "depthwise": (dict(in_channels=3, out_channels=3, kernel_size=3, groups=3, padding=1), (2, 3, 4, 4)),
        "depthwise_multiplier=2": (dict(in_channels=2, out_channels=4, kernel_size=3, groups=2), (1, 2, 5, 5)),
        "groups=2,stride=2,padding=1,no_bias": (dict(in_channels=4, out_channels=2, kernel_size=3, groups=2, stride=2, padding=1, bias=False), (2, 4, 6, 5)),
    }
    for n, (kw, shape) in conv.items():
        module_case(f"Conv2d/{n}", lambda kw=kw: tnn.Conv2d(**kw), shape)

    pools = {
        "k=2": ((2,), (2, 2, 4, 6)),
        "k=3,s=2": ((3, 2), (1, 2, 7, 7)),
        "k=3,s=2,p=1": ((3, 2, 1), (1, 2, 6, 6)),
        "k=2x3,s=1x2": (((2, 3), (1, 2)), (1, 1, 4, 7)),
        "k=3,s=1_overlap": ((3, 1), (1, 1, 5, 5)),
    }
    for n, (args, shape) in pools.items():
        module_case(f"MaxPool2d/{n}", lambda a=args: tnn.MaxPool2d(*a), shape)
    module_case("MaxPool2d/unbatched", lambda: tnn.MaxPool2d(2, 1), (2, 3, 4))

    def ties(tag, *s):
        seed("input/" + tag)
        return [torch.randint(0, 3, s).to(F64)]
    # PyTorch sends a window's gradient to its first maximum (row-major within the window)
    module_case("MaxPool2d/ties_k=2", lambda: tnn.MaxPool2d(2), None, inputs=ties("a", 1, 2, 4, 4))
    module_case("MaxPool2d/ties_k=3,s=1", lambda: tnn.MaxPool2d(3, 1), None, inputs=ties("b", 1, 1, 5, 5))
    module_case("MaxPool2d/ties_k=3,s=2,p=1", lambda: tnn.MaxPool2d(3, 2, 1), None, inputs=ties("c", 1, 1, 5, 5))
    module_case("MaxPool2d/ceilMode,k=2", lambda: tnn.MaxPool2d(2, 2, 0, ceil_mode=True), (1, 2, 5, 5))
    module_case("MaxPool2d/ceilMode,k=3,s=2", lambda: tnn.MaxPool2d(3, 2, 0, ceil_mode=True), (1, 1, 6, 6))
    module_case("MaxPool2d/ceilMode,k=3,s=2,p=1", lambda: tnn.MaxPool2d(3, 2, 1, ceil_mode=True), (1, 1, 6, 6))
    module_case("MaxPool2d/ceilMode_no_effect", lambda: tnn.MaxPool2d(2, 2, 0, ceil_mode=True), (1, 1, 4, 4))
    module_case("MaxPool2d/ceilMode,ties", lambda: tnn.MaxPool2d(2, 2, 0, ceil_mode=True), None, inputs=ties("d", 1, 1, 5, 5))
    module_case("MaxPool2d/dilation=2", lambda: tnn.MaxPool2d(2, 1, 0, dilation=2), (1, 2, 5, 5))
    module_case("MaxPool2d/k=3,s=2,p=1,dilation=2,ceilMode", lambda: tnn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True), (1, 1, 8, 8))

    tr3 = ("train", "train", "train", "eval")
    module_case("BatchNorm1d/train_eval", lambda: tnn.BatchNorm1d(4), (6, 4), steps=tr3)
    module_case("BatchNorm1d/momentum=0.3,eps=1e-3", lambda: tnn.BatchNorm1d(3, momentum=0.3, eps=1e-3), (5, 3), steps=tr3)
    module_case("BatchNorm1d/momentum=null", lambda: tnn.BatchNorm1d(3, momentum=None), (4, 3), steps=tr3)
    module_case("BatchNorm1d/no_affine", lambda: tnn.BatchNorm1d(3, affine=False), (5, 3), steps=tr3)
    module_case("BatchNorm1d/3d_input", lambda: tnn.BatchNorm1d(3), (4, 3, 5), steps=tr3)
    module_case("BatchNorm1d/no_running_stats", lambda: tnn.BatchNorm1d(3, track_running_stats=False), (5, 3), steps=("train", "eval"))
    module_case("BatchNorm1d/eval_first", lambda: tnn.BatchNorm1d(3), (4, 3), steps=("eval", "train", "eval"))

    module_case("LayerNorm/last", lambda: tnn.LayerNorm(4), (2, 3, 4), steps=("train", "eval"))
    module_case("LayerNorm/last_two", lambda: tnn.LayerNorm([3, 4]), (2, 3, 4), steps=("train", "eval"))
    module_case("LayerNorm/no_affine", lambda: tnn.LayerNorm(5, elementwise_affine=False), (3, 5), steps=("train", "eval"))
    module_case("LayerNorm/eps=1e-2", lambda: tnn.LayerNorm(5, eps=1e-2), (3, 5))

    def ln_no_bias():
        m = tnn.LayerNorm(4)
        m.bias = None
        return m
    module_case("LayerNorm/no_bias", ln_no_bias, (3, 4))

    module_case("Dropout/eval", lambda: tnn.Dropout(0.5), (3, 4), steps=("eval",))
    module_case("Dropout/p=0_train", lambda: tnn.Dropout(0.0), (3, 4), steps=("train",))
    acts = {
        "ReLU": (lambda: tnn.ReLU(), True),
        "LeakyReLU": (lambda: tnn.LeakyReLU(), True),
        "LeakyReLU_0.2": (lambda: tnn.LeakyReLU(0.2), True),
        "Sigmoid": (lambda: tnn.Sigmoid(), False),
        "Tanh": (lambda: tnn.Tanh(), False),
        "GELU": (lambda: tnn.GELU(), False),
        "Softmax_axis=1": (lambda: tnn.Softmax(1), False),
        "Softmax_axis=-1": (lambda: tnn.Softmax(-1), False),
        "LogSoftmax_axis=1": (lambda: tnn.LogSoftmax(1), False),
        "Identity": (lambda: tnn.Identity(), False),
    }
    for n, (mk, kink) in acts.items():
        seed("input/" + n)
        module_case(f"{n}/basic", mk, None, inputs=[away(3, 4, 2) if kink else torch.randn(3, 4, 2) * 2])
    module_case("Flatten/default", lambda: tnn.Flatten(), (2, 3, 4))
    module_case("Flatten/0..1", lambda: tnn.Flatten(0, 1), (2, 3, 4))

    module_case("Sequential/mlp", lambda: tnn.Sequential(tnn.Linear(4, 5), tnn.Tanh(), tnn.Linear(5, 3)), (6, 4))
    module_case("Residual/mlp", lambda: Residual(tnn.Sequential(tnn.Linear(4, 4), tnn.Tanh(), tnn.Linear(4, 4))), (3, 4))
    module_case("Sequential/residual_blocks",
                lambda: tnn.Sequential(tnn.Linear(3, 4), Residual(tnn.Sequential(tnn.Linear(4, 4), tnn.GELU())), tnn.LayerNorm(4), tnn.Linear(4, 2)), (5, 3))
    module_case("Sequential/cnn",
                lambda: tnn.Sequential(tnn.Conv2d(1, 2, 3, padding=1), tnn.Tanh(), tnn.MaxPool2d(2), tnn.Flatten(), tnn.Linear(8, 3)), (2, 1, 4, 4))
    module_case("Sequential/batchnorm",
                lambda: tnn.Sequential(tnn.Linear(4, 3), tnn.BatchNorm1d(3), tnn.Sigmoid(), tnn.Linear(3, 2)), (6, 4),
                steps=("train", "train", "eval"))
    module_case("Sequential/dropout_eval", lambda: tnn.Sequential(tnn.Linear(4, 3), tnn.Dropout(0.5), tnn.Linear(3, 2)), (6, 4), steps=("eval",))


# ---------------------------------------------------------------------------------------------
# optimizers: least squares through tanh, loss = mean((tanh(X·Wᵀ + b) − Y)²); the parameters after
# each of 6 steps


def optim_loss(W, b, X, Y):
    return ((torch.tanh(X @ W.t() + b) - Y) ** 2).mean()


def optim_case(name, make, clip=None, steps=6):
    seed(name)
    W = torch.randn(3, 4) * 0.5
    b = torch.randn(3) * 0.5
    X = torch.randn(5, 4)
    Y = torch.randn(5, 3) * 0.5
    case = {"name": name, "params": [enc(W), enc(b)], "X": enc(X), "Y": enc(Y), "steps": []}
    W.requires_grad_(True)
    b.requires_grad_(True)
    opt = make([W, b])
    for _ in range(steps):
        opt.zero_grad()
        L = optim_loss(W, b, X, Y)
        L.backward()
        rec = {"loss": L.item()}
        if clip is not None:
            rec["norm"] = float(clip([W, b]))
            rec["grads"] = [enc(W.grad), enc(b.grad)]
        opt.step()
        rec["params"] = [enc(W), enc(b)]
        case["steps"].append(rec)
    add_case("optim", case)


def optimizers():
    optim_case("SGD/plain", lambda p: torch.optim.SGD(p, lr=0.1))
    optim_case("SGD/momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9))
    optim_case("SGD/momentum,dampening", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.8, dampening=0.3))
    optim_case("SGD/nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True))
    optim_case("SGD/weightDecay", lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.05))
    optim_case("SGD/momentum,weightDecay,nesterov", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.7, weight_decay=0.1, nesterov=True))
    optim_case("SGD/param_groups", lambda p: torch.optim.SGD([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.01, "momentum": 0.5}], lr=0.1, momentum=0.9))
    optim_case("Adam/default", lambda p: torch.optim.Adam(p))
    optim_case("Adam/lr,betas,eps", lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.9), eps=1e-6))
    optim_case("Adam/weightDecay", lambda p: torch.optim.Adam(p, lr=0.02, weight_decay=0.1))
    optim_case("Adam/amsgrad", lambda p: torch.optim.Adam(p, lr=0.05, amsgrad=True))
    optim_case("Adam/amsgrad,weightDecay", lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.5, 0.6), weight_decay=0.2, amsgrad=True), steps=8)
    optim_case("Adam/param_groups", lambda p: torch.optim.Adam([{"params": [p[0]], "lr": 0.05}, {"params": [p[1]], "betas": (0.5, 0.7), "amsgrad": True}], lr=0.01))
    optim_case("AdamW/default", lambda p: torch.optim.AdamW(p))
    optim_case("AdamW/weightDecay", lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.3))
    optim_case("AdamW/amsgrad", lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.7, 0.8), weight_decay=0.1, amsgrad=True), steps=8)
    optim_case("RMSprop/default", lambda p: torch.optim.RMSprop(p))
    optim_case("RMSprop/alpha,eps", lambda p: torch.optim.RMSprop(p, lr=0.02, alpha=0.9, eps=1e-4))
    optim_case("RMSprop/centered", lambda p: torch.optim.RMSprop(p, lr=0.01, centered=True))
    optim_case("RMSprop/momentum", lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.8))
    optim_case("RMSprop/weightDecay", lambda p: torch.optim.RMSprop(p, lr=0.01, weight_decay=0.2))
    optim_case("RMSprop/centered,momentum,weightDecay", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.95, momentum=0.5, centered=True, weight_decay=0.1))
    clip = lambda mx, nt: (lambda ps: torch.nn.utils.clip_grad_norm_(ps, mx, nt))
    optim_case("clipGradNorm/l2", lambda p: torch.optim.SGD(p, lr=0.5), clip=clip(0.05, 2.0))
    optim_case("clipGradNorm/l1", lambda p: torch.optim.SGD(p, lr=0.5), clip=clip(0.1, 1.0))
    optim_case("clipGradNorm/inf", lambda p: torch.optim.SGD(p, lr=0.5), clip=clip(0.02, math.inf))
    optim_case("clipGradNorm/not_active", lambda p: torch.optim.SGD(p, lr=0.5), clip=clip(100.0, 2.0))
    optim_case("clipGradNorm/norm=3", lambda p: torch.optim.SGD(p, lr=0.5), clip=clip(0.05, 3.0))
    optim_case("clipGradNorm/l2,momentum", lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9), clip=clip(0.05, 2.0))

    def clip_value(ps):
        torch.nn.utils.clip_grad_value_(ps, 0.02)
        return 0.0
    optim_case("clipGradValue/0.02", lambda p: torch.optim.SGD(p, lr=0.5), clip=clip_value)


# ---------------------------------------------------------------------------------------------
# learning-rate schedules: the lr of every group after construction and after each step


def schedule_case(name, make, steps, metrics=None, lrs=(0.1, 0.02)):
    p = [torch.zeros(2, requires_grad=True) for _ in lrs]
    opt = torch.optim.SGD([{"params": [q], "lr": lr} for q, lr in zip(p, lrs)], lr=lrs[0])
    sched = make(opt)
    seq = [[g["lr"] for g in opt.param_groups]]
    for t in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[t])
        seq.append([g["lr"] for g in opt.param_groups])
    case = {"name": name, "baseLrs": list(lrs), "lrs": seq}
    if metrics is not None:
        case["metrics"] = metrics
    add_case("schedules", case)


def schedules():
    S = torch.optim.lr_scheduler
    schedule_case("StepLR/stepSize=3", lambda o: S.StepLR(o, step_size=3), 10)
    schedule_case("StepLR/stepSize=2,gamma=0.5", lambda o: S.StepLR(o, step_size=2, gamma=0.5), 9)
    schedule_case("ExponentialLR/gamma=0.9", lambda o: S.ExponentialLR(o, gamma=0.9), 10)
    schedule_case("CosineAnnealingLR/tMax=5", lambda o: S.CosineAnnealingLR(o, T_max=5), 5)
    schedule_case("CosineAnnealingLR/tMax=5,etaMin=0.01", lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.01), 5)
    schedule_case("CosineAnnealingLR/past_tMax", lambda o: S.CosineAnnealingLR(o, T_max=4), 12)
    schedule_case("CosineAnnealingLR/past_tMax,etaMin=0.005", lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.005), 15)

    # chainrule's warmup (lr = base·t/w, then cosine over tMax − w) as a LambdaLR, within tMax
    def warm(w, T, eta):
        def make(o):
            bases = [g["lr"] for g in o.param_groups]
            fns = []
            for base in bases:
                def f(t, base=base):
                    if t < w:
                        return t / w
                    if t >= T:
                        return eta / base
                    return (eta + (base - eta) * (1 + math.cos(math.pi * (t - w) / (T - w))) / 2) / base
                fns.append(f)
            return S.LambdaLR(o, fns)
        return make
    schedule_case("CosineAnnealingLR/warmupSteps=3,tMax=10", warm(3, 10, 0.0), 10)
    schedule_case("CosineAnnealingLR/warmupSteps=2,tMax=6,etaMin=0.001", warm(2, 6, 0.001), 6)

    down = [1.0, 0.9, 0.8, 0.85, 0.86, 0.9, 0.79, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    P = S.ReduceLROnPlateau
    schedule_case("ReduceLROnPlateau/patience=2", lambda o: P(o, patience=2), len(down), metrics=down)
    schedule_case("ReduceLROnPlateau/patience=0,factor=0.5", lambda o: P(o, patience=0, factor=0.5), len(down), metrics=down)
    schedule_case("ReduceLROnPlateau/cooldown=2", lambda o: P(o, patience=1, factor=0.5, cooldown=2), len(down), metrics=down)
    schedule_case("ReduceLROnPlateau/minLr", lambda o: P(o, patience=0, factor=0.3, min_lr=0.004), len(down), metrics=down)
    schedule_case("ReduceLROnPlateau/minLr_per_group", lambda o: P(o, patience=0, factor=0.3, min_lr=[0.01, 0.001]), len(down), metrics=down)
    schedule_case("ReduceLROnPlateau/threshold_abs", lambda o: P(o, patience=1, factor=0.5, threshold=0.05, threshold_mode="abs"), len(down), metrics=down)
    schedule_case("ReduceLROnPlateau/threshold_rel_0.1", lambda o: P(o, patience=1, factor=0.5, threshold=0.1), len(down), metrics=down)
    up = [0.1, 0.2, 0.25, 0.24, 0.26, 0.26, 0.25, 0.3, 0.3, 0.3, 0.29, 0.3, 0.31]
    schedule_case("ReduceLROnPlateau/mode=max", lambda o: P(o, mode="max", patience=1, factor=0.5), len(up), metrics=up)
    schedule_case("ReduceLROnPlateau/mode=max,abs", lambda o: P(o, mode="max", patience=1, factor=0.5, threshold=0.02, threshold_mode="abs"), len(up), metrics=up)
    schedule_case("ReduceLROnPlateau/eps_skips_tiny", lambda o: P(o, patience=0, factor=0.5, eps=0.02), len(down), metrics=down)


# ---------------------------------------------------------------------------------------------
# second order: g = ∂(Σ w ⊙ f(x))/∂x with create_graph, then ∂(Σᵢ vᵢ ⊙ gᵢ)/∂x


def second(name, fn, make_inputs, grad=None):
    seed(name)
    ins = make_inputs()
    ins = [x.detach().clone().requires_grad_(grad[i] if grad else x.is_floating_point()) for i, x in enumerate(ins)]
    wrt = [x for x in ins if x.requires_grad]
    out = fn(*ins)
    w = torch.randn(out.shape)
    g1 = torch.autograd.grad((out * w).sum(), wrt, create_graph=True)
    v = [torch.randn(x.shape) for x in wrt]
    h = sum((g * vi).sum() for g, vi in zip(g1, v))
    g2 = torch.autograd.grad(h, wrt, allow_unused=True)
    g2 = [torch.zeros_like(x) if g is None else g for g, x in zip(g2, wrt)]
    add_case("second_order", {
        "name": name, "inputs": [enc(x) for x in ins], "wrt": [i for i, x in enumerate(ins) if x.requires_grad],
        "out": enc(out), "weights": enc(w), "v": [enc(t) for t in v], "grad1": [enc(g) for g in g1], "grad2": [enc(g) for g in g2],
    })


def second_order():
    second("tanh", torch.tanh, lambda: [rn(3, 4)])
    second("sigmoid", torch.sigmoid, lambda: [rn(3, 4)])
    second("exp", torch.exp, lambda: [rn(3, 4)])
    second("log", torch.log, lambda: [pos(3, 4)])
    second("sqrt", torch.sqrt, lambda: [pos(3, 4)])
    second("softplus", F.softplus, lambda: [rn(3, 4) * 2])
    second("gelu", F.gelu, lambda: [rn(3, 4) * 2])
    second("erf", torch.erf, lambda: [rn(3, 4)])
    second("mul", torch.mul, lambda: [rn(3, 4), rn(4)])
    second("div", torch.div, lambda: [rn(3, 4), pos(3, 4)])
    second("pow", torch.pow, lambda: [pos(3, 4), rn(3, 4)])
    second("pow_number", lambda x: torch.pow(x, 3), lambda: [rn(3, 4)])
    second("matmul", torch.matmul, lambda: [rn(3, 4), rn(4, 2)])
    second("matmul_nonlinear", lambda a, b: torch.tanh(a @ b), lambda: [rn(3, 4), rn(4, 2)])
    second("softmax", lambda x: torch.softmax(x, -1), lambda: [rn(3, 4)])
    second("softmax_axis=0", lambda x: torch.softmax(x, 0), lambda: [rn(3, 4)])
    second("logSoftmax", lambda x: torch.log_softmax(x, -1), lambda: [rn(3, 4)])
    second("logSumExp", lambda x: torch.logsumexp(x, 1), lambda: [rn(3, 4)])
    second("crossEntropy_labels", lambda h, y: F.cross_entropy(h, y), lambda: [rn(4, 3), ints(0, 3, 4)])
    second("crossEntropy_probs", lambda h, p: F.cross_entropy(h, p), lambda: [rn(4, 3), probs(4, 3)])
    second("crossEntropy_probs_not_normalized", lambda h, p: F.cross_entropy(h, p), lambda: [rn(4, 3), torch.rand(4, 3)])
    second("crossEntropy_probs,sum", lambda h, p: F.cross_entropy(h, p, reduction="sum"), lambda: [rn(4, 3), probs(4, 3)])
    second("crossEntropy_labelSmoothing,weight", lambda h, y, w: F.cross_entropy(h, y, weight=w, label_smoothing=0.2),
           lambda: [rn(4, 3), ints(0, 3, 4), pos(3)], grad=[True, False, False])
    second("crossEntropy_probs,weight", lambda h, p, w: F.cross_entropy(h, p, weight=w), lambda: [rn(4, 3), probs(4, 3), pos(3)], grad=[True, True, False])
    second("crossEntropy_nd_probs", lambda h, p: F.cross_entropy(h, p), lambda: [rn(2, 3, 2), probs(2, 3, 2)])
    second("bceWithLogits", lambda x, y: F.binary_cross_entropy_with_logits(x, y), lambda: [rn(4, 3), torch.rand(4, 3)])
    second("mse", lambda a, b: F.mse_loss(a, b), lambda: [rn(3, 4), rn(3, 4)])


# ---------------------------------------------------------------------------------------------


def main():
    binary_ops()
    compare_ops()
    unary_ops()
    where_clamp()
    matmul_ops()
    reductions()
    softmaxes()
    shape_ops()
    index_ops()
    losses()
    modules()
    optimizers()
    schedules()
    second_order()
    os.makedirs(OUT, exist_ok=True)
    for group, cases in CASES.items():
        names = [c["name"] for c in cases]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            sys.exit(f"duplicate case names in {group}: {sorted(dup)}")
        path = os.path.join(OUT, f"{group}.json")
        with open(path, "w") as f:
            f.write('{"torch":%s,"group":%s,"cases":[\n' % (json.dumps(torch.__version__), json.dumps(group)))
            f.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases))
            f.write("\n]}\n")
        print(f"{group}: {len(cases)} cases, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
