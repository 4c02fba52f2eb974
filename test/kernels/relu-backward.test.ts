import { afterAll, describe, expect, it } from "vitest";
import { setBackend } from "../../src/kernels/index.js";
import { relu, tensor } from "../../src/index.js";

// ReLU's gradient is read from its output (one pass, where(y, ḡ, 0)). Known values from PyTorch 1.13:
// x = [nan, 0, -1, 2, inf, -inf], ḡ = [3, 3, 3, 3, inf, 3] → x.grad = [3, 0, 0, 3, inf, 0]
// (threshold_backward on the result: 0 at the kink, NaN passes ḡ, ∞·0 is not NaN).
describe.each(["ts", "wasm"])("ReLU's gradient on the %s backend", (backend) => {
  afterAll(() => setBackend("wasm"));
  it.each(["float32", "float64"] as const)("%s: 0 at and below the kink, ḡ above it and at NaN, as PyTorch", (dtype) => {
    setBackend(backend);
    const x = tensor([NaN, 0, -1, 2, Infinity, -Infinity], { dtype, requiresGrad: true });
    relu(x).backward(tensor([3, 3, 3, 3, Infinity, 3], { dtype }));
    expect(Array.from(x.grad!.data)).toEqual([3, 0, 0, 3, Infinity, 0]);
    expect(x.grad!.dtype).toBe(dtype);
  });
});
