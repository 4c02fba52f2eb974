import { describe, expect, it } from "vitest";
import {
  type Tensor, add, sub, mul, div, pow, maximum, minimum, gt, lt, ge, le, eq, ne,
  neg, exp, log, sqrt, abs, sign, relu, leakyRelu, sigmoid, tanh, gelu, softplus, erf, where, clamp, cast,
  matmul, sum, mean, max, min, argmax, argmin, logSumExp, softmax, logSoftmax,
  reshape, flatten, squeeze, unsqueeze, transpose, permute, expand, slice, select, concat, stack,
  gather, scatterAdd, indexSelect, oneHot,
} from "../../src/index.js";
import { type Fn, type FnCase, expectSameNames, load, runFnCase, zerosWouldFail } from "./harness.js";

const fixture = load<FnCase>("ops");

type Bin = (a: Tensor | number, b: Tensor | number) => Tensor;
const BINARY: Record<string, Bin> = { add, sub, mul, div, pow, maximum, minimum };
const COMPARE: Record<string, Bin> = { gt, lt, ge, le, eq, ne };
type Axes = number | number[] | undefined;
/** The axis variants of make.py's AXES, by the same names. */
const AXES: [string, Axes][] = [["all", undefined], ["0", 0], ["1", 1], ["2", 2], ["-1", -1], ["0,2", [0, 2]]];
type Red = (x: Tensor, axis: Axes, keepDims: boolean) => Tensor;
const REDUCTIONS: Record<string, Red> = { sum, mean, max, min, logSumExp };

const table: Record<string, Fn> = {};
for (const [name, f] of Object.entries(BINARY)) {
  for (const s of ["same", "row", "col_row", "3d", "scalar_tensor"]) table[`${name}/${s}`] = ([a, b]) => f(a, b);
  table[`${name}/number_right`] = ([a]) => f(a, 1.5);
}
for (const [name, f] of Object.entries(COMPARE)) {
  table[`${name}/broadcast`] = ([a, b]) => f(a, b);
  table[`${name}/number`] = ([a]) => f(a, 1);
}
for (const [name, f] of Object.entries(REDUCTIONS))
  for (const [an, axis] of AXES) for (const keep of [false, true]) table[`${name}/axis=${an},keep=${keep}`] = ([x]) => f(x, axis, keep);
for (const [name, f] of Object.entries({ argmax, argmin }))
  for (const [an, axis] of [["all", undefined], ["0", 0], ["1", 1], ["-1", -1]] as const)
    for (const keep of [false, true]) if (!(axis === undefined && keep)) table[`${name}/axis=${an},keep=${keep}`] = ([x]) => f(x, axis, keep);
for (const axis of [0, 1, 2, -1]) {
  table[`softmax/axis=${axis}`] = ([x]) => softmax(x, axis);
  table[`logSoftmax/axis=${axis}`] = ([x]) => logSoftmax(x, axis);
}
for (const axis of [0, 1, -1]) table[`stack/axis=${axis}`] = (xs) => stack(xs, axis);

Object.assign(table, {
  "sub/number_left": ([b]) => sub(1.5, b),
  "div/number_left": ([b]) => div(1.5, b),
  "pow/number_base": ([b]) => pow(1.5, b),
  "mul/float32": ([a, b]) => mul(a, b),
  "div/float32": ([a, b]) => div(a, b),
  "pow/neg_base_int_exponent": ([a, b]) => pow(a, b),
  "pow/square": ([a]) => pow(a, 2),
  "pow/cube": ([a]) => pow(a, 3),
  "pow/sqrt_exponent": ([a]) => pow(a, 0.5),
  "pow/negative_exponent": ([a]) => pow(a, -1.5),
  "pow/zero_base": ([a, b]) => pow(a, b),
  "pow/zero_base_scalar_exponent_2": ([a]) => pow(a, 2),
  "pow/zero_base_scalar_exponent_0": ([a]) => pow(a, 0),
  "pow/zero_base_fractional": ([a]) => pow(a, 0.5),
  "maximum/ties": ([a, b]) => maximum(a, b),
  "minimum/ties": ([a, b]) => minimum(a, b),
  "maximum/ties_broadcast": ([a, b]) => maximum(a, b),
  "maximum/ties_number": ([a]) => maximum(a, 0),

  "neg/basic": ([x]) => neg(x),
  "exp/basic": ([x]) => exp(x),
  "log/basic": ([x]) => log(x),
  "sqrt/basic": ([x]) => sqrt(x),
  "abs/basic": ([x]) => abs(x),
  "relu/basic": ([x]) => relu(x),
  "leakyRelu/default_slope": ([x]) => leakyRelu(x),
  "leakyRelu/slope_0.2": ([x]) => leakyRelu(x, 0.2),
  "sigmoid/basic": ([x]) => sigmoid(x),
  "tanh/basic": ([x]) => tanh(x),
  "gelu/basic": ([x]) => gelu(x),
  "softplus/basic": ([x]) => softplus(x),
  "softplus/large": ([x]) => softplus(x),
  "erf/basic": ([x]) => erf(x),
  "exp/float32": ([x]) => exp(x),
  "tanh/float32": ([x]) => tanh(x),
  "sign/values_and_zero_grad": ([x]) => sign(x),
  "sign/times_x": ([x]) => mul(sign(x), x),
  "cast/float64_to_float32": ([x]) => cast(x, "float32"),
  "cast/float32_to_float64": ([x]) => cast(x, "float64"),

  "where/same": ([c, a, b]) => where(c, a, b),
  "where/broadcast": ([c, a, b]) => where(c, a, b),
  "where/number_other": ([c, a]) => where(c, a, 0),
  "clamp/min_max": ([x]) => clamp(x, -0.5, 0.5),
  "clamp/min_only": ([x]) => clamp(x, -0.5),
  "clamp/max_only": ([x]) => clamp(x, null, 0.5),
  "clamp/at_bounds": ([x]) => clamp(x, -0.5, 0.5),

  "matmul/2d": ([a, b]) => matmul(a, b),
  "matmul/vec_vec": ([a, b]) => matmul(a, b),
  "matmul/vec_mat": ([a, b]) => matmul(a, b),
  "matmul/mat_vec": ([a, b]) => matmul(a, b),
  "matmul/batched": ([a, b]) => matmul(a, b),
  "matmul/batch_mat": ([a, b]) => matmul(a, b),
  "matmul/mat_batch": ([a, b]) => matmul(a, b),
  "matmul/broadcast_batch": ([a, b]) => matmul(a, b),
  "matmul/vec_batch": ([a, b]) => matmul(a, b),
  "matmul/batch_vec": ([a, b]) => matmul(a, b),
  "matmul/float32": ([a, b]) => matmul(a, b),

  "max/ties_axis=1": ([x]) => max(x, 1),
  "max/ties_all": ([x]) => max(x),
  "min/ties_axis=0": ([x]) => min(x, 0),
  "logSumExp/large_values": ([x]) => logSumExp(x, 1),
  "logSumExp/neg_inf_entries": ([x]) => logSumExp(x, 1),
  "sum/float32_all": ([x]) => sum(x),
  "argmax/ties_axis=1": ([x]) => argmax(x, 1),
  "argmin/ties_axis=1": ([x]) => argmin(x, 1),
  "softmax/large_values": ([x]) => softmax(x, -1),
  "logSoftmax/large_values": ([x]) => logSoftmax(x, -1),
  "softmax/float32": ([x]) => softmax(x, -1),
  "softmax/neg_inf_entries": ([x]) => softmax(x, -1),
  "logSoftmax/neg_inf_entries": ([x]) => logSoftmax(x, -1),

  "reshape/[6,4]": ([x]) => reshape(x, [6, 4]),
  "reshape/[-1]": ([x]) => reshape(x, [-1]),
  "reshape/[4,-1,2]": ([x]) => reshape(x, [4, -1, 2]),
  "flatten/default": ([x]) => flatten(x),
  "flatten/start=1": ([x]) => flatten(x, 1),
  "flatten/0..1": ([x]) => flatten(x, 0, 1),
  "squeeze/all": ([x]) => squeeze(x),
  "squeeze/axis=1": ([x]) => squeeze(x, 1),
  "squeeze/axis=-1": ([x]) => squeeze(x, -1),
  "squeeze/axes=1,3": ([x]) => squeeze(x, [1, 3]),
  "unsqueeze/axis=0": ([x]) => unsqueeze(x, 0),
  "unsqueeze/axis=2": ([x]) => unsqueeze(x, 2),
  "unsqueeze/axis=-1": ([x]) => unsqueeze(x, -1),
  "transpose/default": ([x]) => transpose(x),
  "transpose/0,2": ([x]) => transpose(x, 0, 2),
  "transpose/2d": ([x]) => transpose(x),
  "permute/2,0,1": ([x]) => permute(x, [2, 0, 1]),
  "permute/1,2,0": ([x]) => permute(x, [1, 2, 0]),
  "expand/[3,1]->[2,3,4]": ([x]) => expand(x, [2, 3, 4]),
  "expand/keep=-1": ([x]) => expand(x, [3, -1]),
  "expand/scalar": ([x]) => expand(x, [2, 3]),
  "expand/new_leading": ([x]) => expand(x, [2, 3, 4]),
  "slice/axis=0,start=1": ([x]) => slice(x, 0, 1),
  "slice/axis=1,0:2": ([x]) => slice(x, 1, 0, 2),
  "slice/axis=2,step=2": ([x]) => slice(x, 2, 0, undefined, 2),
  "slice/axis=2,1:4:2": ([x]) => slice(x, 2, 1, 4, 2),
  "slice/axis=-1,negative": ([x]) => slice(x, -1, -3, -1),
  "slice/end_past": ([x]) => slice(x, 1, 1, 10),
  "select/axis=0,index=1": ([x]) => select(x, 0, 1),
  "select/axis=-1,index=-1": ([x]) => select(x, -1, -1),
  "select/axis=1,index=2": ([x]) => select(x, 1, 2),
  "concat/axis=0": (xs) => concat(xs, 0),
  "concat/axis=1": (xs) => concat(xs, 1),
  "concat/axis=-1": (xs) => concat(xs, -1),

  "gather/axis=1": ([x, i]) => gather(x, 1, i),
  "gather/axis=0": ([x, i]) => gather(x, 0, i),
  "gather/repeated": ([x, i]) => gather(x, 1, i),
  "gather/3d_axis=1": ([x, i]) => gather(x, 1, i),
  "gather/index_smaller_outside_axis": ([x, i]) => gather(x, 1, i),
  "gather/3d_index_smaller": ([x, i]) => gather(x, 2, i),
  "scatterAdd/axis=0": ([s, i]) => scatterAdd(s, 0, i, [4, 3]),
  "scatterAdd/axis=1": ([s, i]) => scatterAdd(s, 1, i, [2, 5]),
  "scatterAdd/3d_axis=2": ([s, i]) => scatterAdd(s, 2, i, [2, 3, 2]),
  "indexSelect/axis=0": ([x]) => indexSelect(x, 0, [2, 0, 2]),
  "indexSelect/axis=1": ([x]) => indexSelect(x, 1, [1]),
  "indexSelect/axis=-1": ([x]) => indexSelect(x, -1, [3, 1, 1, 0]),
  "oneHot/numClasses=5": ([y]) => oneHot(y, 5, { dtype: "float64" }),
  "oneHot/inferred": ([y]) => oneHot(y, undefined, { dtype: "float64" }),
  "oneHot/2d_labels": ([y]) => oneHot(y, 3, { dtype: "float64" }),
} satisfies Record<string, Fn>);

describe(`ops against PyTorch ${fixture.torch}`, () => {
  it("has a chainrule function for every case and a case for every function", () => expectSameNames(fixture.cases, table));
  it("would fail for a function that returns zeros", () => expect(fixture.cases.filter((c) => !zerosWouldFail(c)).map((c) => c.name)).toEqual([]));
  it.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (name, c) => runFnCase(c, table[name]));
});
