import { describe, expect, it } from "vitest";
import { ShapeError, ValueError } from "../../src/errors.js";
import { gradients } from "../../src/autograd/engine.js";
import { conv2d } from "../../src/nn/functional.js";
import { fold, sum, unfold } from "../../src/ops/functions.js";
import { arange, ones } from "../../src/tensor/create.js";
import { expectGradcheck, rnd } from "./helpers.js";

describe("unfold and fold (im2col and col2im as ops)", () => {
  it("match PyTorch 1.13's F.unfold and F.fold", () => {
    // F.unfold(arange(1, 41).reshape(1, 2, 4, 5), (2, 3), dilation=(1, 2), padding=(1, 0), stride=(2, 1))
    const u = unfold(arange(1, 41, 1, { dtype: "float64" }).reshape([1, 2, 4, 5]), [2, 3], { dilation: [1, 2], padding: [1, 0], stride: [2, 1] });
    expect(u.shape).toEqual([1, 12, 3]);
    expect(Array.from(u.data)).toEqual([
      0, 6, 16, 0, 8, 18, 0, 10, 20, 1, 11, 0, 3, 13, 0, 5, 15, 0, 0, 26, 36, 0, 28, 38, 0, 30, 40, 21, 31, 0, 23, 33, 0, 25, 35, 0,
    ]);
    // F.fold(arange(1, 49).reshape(1, 8, 6), (3, 4), 2, padding=(0, 1), stride=(1, 2))
    const f = fold(arange(1, 49, 1, { dtype: "float64" }).reshape([1, 8, 6]), [3, 4], 2, { padding: [0, 1], stride: [1, 2] });
    expect(f.shape).toEqual([1, 2, 3, 4]);
    expect(Array.from(f.data)).toEqual([7, 2, 8, 3, 29, 19, 31, 21, 22, 17, 23, 18, 31, 26, 32, 27, 77, 67, 79, 69, 46, 41, 47, 42]);
  });

  it("fold(unfold(1)) counts the windows that cover each entry", () => {
    // 3×3 input, 2×2 windows at stride 1: the corners are in one window, the edges' middles in two, the centre in four
    expect(Array.from(fold(unfold(ones([1, 1, 3, 3]), 2), [3, 3], 2).data)).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
    // 3×3 windows with padding 1 over 2×2: every window covers the whole input
    expect(Array.from(fold(unfold(ones([1, 1, 2, 2]), 3, { padding: 1 }), 2, 3, { padding: 1 }).data)).toEqual([4, 4, 4, 4]);
  });

  it("checks shapes and options, naming what it found", () => {
    expect(() => unfold(ones([1, 3, 3]), 2)).toThrow(ShapeError);
    expect(() => unfold(ones([1, 3, 3]), 2)).toThrow("unfold: expected an input [N, C, H, W], found [1, 3, 3]");
    expect(() => unfold(ones([1, 1, 2, 2]), 3)).toThrow("unfold: input [1, 1, 2, 2] is smaller than the kernel (size 3, padding 0, dilation 1) along axis 2");
    expect(() => unfold(ones([1, 1, 3, 3]), 0)).toThrow("unfold kernelSize: expected an integer ≥ 1 or two of them, found 0");
    expect(() => unfold(ones([1, 1, 3, 3]), 2, { strides: 1 } as never)).toThrow(ValueError);
    expect(() => fold(ones([1, 4, 5]), [3, 3], 2)).toThrow("fold: columns [1, 4, 5] hold 5 windows, but an output 3×3 has 2×2 = 4 of them");
    expect(() => fold(ones([1, 6, 4]), [3, 3], 2)).toThrow("fold: expected columns [N, C·kh·kw, L] with C·kh·kw a multiple of 4 (kernel 2×2), found [1, 6, 4]");
    expect(() => fold(ones([1, 4, 4]), [3, 0], 2)).toThrow("fold outputSize: expected an integer ≥ 1 or two of them, found [3,0]");
  });

  it("gives conv2d second derivatives (fold's gradient is unfold), checked by gradcheck in float64", () => {
    const opts = { stride: 2, padding: 1, dilation: [1, 2] as [number, number] };
    expectGradcheck(
      (x, w) => {
        const [gx, gw] = gradients(sum(conv2d(x, w, null, opts).square()), [x, w], { createGraph: true });
        return gx.sum().add(gw.square().sum());
      },
      [rnd([2, 2, 5, 6], 1), rnd([3, 2, 3, 2], 2)],
    );
  });
});
