import { ShapeError, ValueError } from "../errors.js";
import type { ConvGeometry } from "../kernels/backend.js";
import { checkOptions } from "../options.js";
import { fmtShape, sizeOf } from "../tensor/shape.js";
import { F } from "./api.js";
import { type OpDef, kernels } from "./op.js";

type Pair = readonly [number, number];
/** A sliding window: kernel [kh, kw], stride, zero padding and dilation, each [along H, along W]. */
export interface WindowAttrs {
  kernel: Pair;
  stride: Pair;
  padding: Pair;
  dilation: Pair;
}

/** @internal a size given once for both spatial axes or as [height, width], checked: integers ≥ min. */
export function pairArg(v: unknown, what: string, min: number): [number, number] {
  const p: [number, number] = typeof v === "number" ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : [NaN, NaN];
  if (!p.every((d) => Number.isInteger(d) && d >= min))
    throw new ValueError(`${what}: expected an integer ≥ ${min} or two of them, found ${JSON.stringify(v) ?? String(v)}`);
  return p;
}

/** The options of unfold and fold: each one size for both spatial axes, or [along H, along W]. */
export interface UnfoldOptions {
  /** Window step (default 1). */
  stride?: number | Pair;
  /** Zeros added on each side (default 0). */
  padding?: number | Pair;
  /** Spacing between the kernel's taps (default 1). */
  dilation?: number | Pair;
}

/** @internal the window attributes of a kernel size and options, checked. */
export function windowAttrs(op: string, kernelSize: unknown, opts: UnfoldOptions): WindowAttrs {
  checkOptions(op, opts, ["stride", "padding", "dilation"]);
  return {
    kernel: pairArg(kernelSize, `${op} kernelSize`, 1), stride: pairArg(opts.stride ?? 1, `${op} stride`, 1),
    padding: pairArg(opts.padding ?? 0, `${op} padding`, 0), dilation: pairArg(opts.dilation ?? 1, `${op} dilation`, 1),
  };
}
const optionsOf = ({ stride, padding, dilation }: WindowAttrs): UnfoldOptions => ({ stride, padding, dilation });

/**
 * @internal The output length of a sliding window along `axis` of x, as PyTorch's `pooling_output_shape`:
 * with `ceil` the last window may run past the input (and the right padding), but it must start
 * inside the input or the left padding.
 */
export function windowOut(op: string, x: readonly number[], axis: number, k: number, s: number, p: number, d: number, ceil = false): number {
  const n = x[axis];
  let o = Math.floor((n + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= n + p) o--;
  if (o <= 0) throw new ShapeError(`${op}: input ${fmtShape(x)} is smaller than the kernel (size ${k}, padding ${p}, dilation ${d}) along axis ${axis}`);
  return o;
}

/** The geometry of windows over an image [·, c, h, w]. */
function geometry(op: string, image: readonly number[], c: number, { kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw] }: WindowAttrs): ConvGeometry {
  const [h, w] = image.slice(-2);
  return { c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh: windowOut(op, image, image.length - 2, kh, sh, ph, dh), ow: windowOut(op, image, image.length - 1, kw, sw, pw, dw) };
}

// cols [N, C·kh·kw, L] = the windows of x [N, C, H, W] (im2col; PyTorch's unfold), linear: ∂x = fold(ḡ), each entry summed back where it was read
export const unfoldDef: OpDef<WindowAttrs> = {
  name: "unfold",
  infer([x], attrs) {
    if (x.ndim !== 4) throw new ShapeError(`unfold: expected an input [N, C, H, W], found ${fmtShape(x.shape)}`);
    const { c, oh, ow } = geometry("unfold", x.shape, x.shape[1], attrs);
    return { shape: [x.shape[0], c * attrs.kernel[0] * attrs.kernel[1], oh * ow], dtype: x.dtype };
  },
  forward([x], attrs, shape, dtype) {
    const K = kernels(dtype);
    const out = K.alloc(dtype, sizeOf(shape));
    K.im2col(x.data, x.shape[0], geometry("unfold", x.shape, x.shape[1], attrs), out);
    return out;
  },
  vjp: (g, { inputs: [x], attrs }) => [F.fold(g, [x.shape[2], x.shape[3]], attrs.kernel, optionsOf(attrs))],
  formula: { x: "fold(ḡ)" },
  vocab: { name: "unfold", display: "unfold", latex: "\\operatorname{unfold}", form: "call" },
};

// x [N, C, H, W] = the columns [N, C·kh·kw, L] summed into the windows they stand for (col2im; PyTorch's fold), unfold's adjoint: ∂cols = unfold(ḡ)
export const foldDef: OpDef<WindowAttrs & { size: Pair }> = {
  name: "fold",
  infer([cols], attrs) {
    const kk = attrs.kernel[0] * attrs.kernel[1];
    if (cols.ndim !== 3 || cols.shape[1] % kk !== 0)
      throw new ShapeError(`fold: expected columns [N, C·kh·kw, L] with C·kh·kw a multiple of ${kk} (kernel ${attrs.kernel.join("×")}), found ${fmtShape(cols.shape)}`);
    const [n, k, l] = cols.shape;
    const { oh, ow } = geometry("fold", attrs.size, k / kk, attrs);
    if (oh * ow !== l)
      throw new ShapeError(`fold: columns ${fmtShape(cols.shape)} hold ${l} windows, but an output ${attrs.size.join("×")} has ${oh}×${ow} = ${oh * ow} of them`);
    return { shape: [n, k / kk, ...attrs.size], dtype: cols.dtype };
  },
  forward([cols], attrs, shape, dtype) {
    const K = kernels(dtype);
    const out = K.alloc(dtype, sizeOf(shape));
    K.col2im(cols.data, shape[0], geometry("fold", attrs.size, shape[1], attrs), out);
    return out;
  },
  vjp: (g, { attrs }) => [F.unfold(g, attrs.kernel, optionsOf(attrs))],
  formula: { cols: "unfold(ḡ)" },
  vocab: { name: "fold", display: "fold", latex: "\\operatorname{fold}", form: "call" },
};
