import { describe, expect, it } from "vitest";
import {
  ChainruleError, DTypeError, Module, ShapeError, Tensor, ValueError,
  add, argmax, binaryCrossEntropyWithLogits, cast, clamp, concat, crossEntropy, detectAnomaly, enableGrad, expand, flatten,
  gather, gelu, grad, gradcheck, gradients, indexSelect, l1, l2Penalty, leakyRelu, logSoftmax, logSumExp, matmul, max, mean,
  mse, mul, neg, nllLoss, noGrad, oneHot, permute, reshape, scatterAdd, select, slice, softmax, softmaxCrossEntropy, squeeze,
  stack, sum, tensor, transpose, unsqueeze, valueAndGrad, where,
} from "../../src/index.js";

/**
 * Bad arguments to the core (ops, Tensor methods, autograd, losses) are the library's errors with
 * messages that name the op, what it expected and what it found, never a TypeError from JavaScript.
 */

type Cls = new (...a: never[]) => ChainruleError;
const loose = <F>(f: F) => f as unknown as (...a: unknown[]) => unknown;

/** Runs f, expecting an error of exactly class `cls` whose message contains every fragment. */
function expectError(f: () => unknown, cls: Cls, ...fragments: string[]): void {
  let error: unknown = null;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error, "no error was thrown").not.toBeNull();
  expect((error as object).constructor, String(error)).toBe(cls);
  for (const s of fragments) expect((error as Error).message).toContain(s);
}

const t22 = () => tensor([[1, 2], [3, 4]]);
const idx = (v: number[], shape: number[]) => tensor(v, { shape, dtype: "int32" });
const f64 = (v: number[]) => tensor(v, { dtype: "float64" });

describe("operands", () => {
  it("a unary op names itself, the argument and what it found", () => {
    expectError(() => neg(undefined as never), ValueError, "neg: expected a Tensor for argument 1, found undefined");
    expectError(() => loose(neg)(), ValueError, "neg: expected a Tensor for argument 1, found undefined");
    expectError(() => neg(null as never), ValueError, "found null");
    expectError(() => neg("abc" as never), ValueError, 'neg: expected a Tensor for argument 1, found a string ("abc")');
    expectError(() => neg([1, 2] as never), ValueError, "found an array");
    expectError(() => neg(3 as never), ValueError, "found a number (3)");
    expectError(() => gelu({} as never), ValueError, "gelu: expected a Tensor for argument 1, found an object");
    expectError(() => leakyRelu(undefined as never), ValueError, "leakyRelu: expected a Tensor");
  });

  it("a binary op takes a Tensor or a number in either place", () => {
    expect(add(t22(), 1).toArray()).toEqual([[2, 3], [4, 5]]);
    expect(add(1, t22()).toArray()).toEqual([[2, 3], [4, 5]]);
    expect(add(1, 2).item()).toBe(3);
    expectError(() => add(t22(), "x" as never), ValueError, 'add: expected a Tensor or a number for argument 2, found a string ("x")');
    expectError(() => add("x" as never, t22()), ValueError, "add: expected a Tensor or a number for argument 1");
    expectError(() => mul(t22(), undefined as never), ValueError, "mul: expected a Tensor or a number for argument 2, found undefined");
    expectError(() => add({} as never, {} as never), ValueError, "argument 1, found an object");
    expectError(() => add(t22(), ["a", "b"] as never), ValueError, "found an array");
  });

  it("Tensor methods check their operands as the functions do", () => {
    const t = t22();
    expectError(() => t.add("x" as never), ValueError, 'add: expected a Tensor or a number for argument 2, found a string ("x")');
    expectError(() => t.matmul(3 as never), ValueError, "matmul: expected a Tensor for argument 2, found a number (3)");
    expectError(() => t.where(null as never, 0), ValueError, "where: expected a Tensor for argument 1, found null");
    expectError(() => t.gather(1, [0, 1] as never), ValueError, "gather: expected a Tensor for argument 3, found an array");
    expectError(() => t.named(3 as never), ValueError, "named: expected a string, found a number (3)");
    expectError(() => { t.requiresGrad = "yes" as never; }, ValueError, 'requiresGrad: must be true or false, found a string ("yes")');
    expect(t.requiresGrad).toBe(false);
  });

  it("where takes a condition Tensor and two operands", () => {
    const c = t22().gt(2);
    expect(where(c, t22(), 0).toArray()).toEqual([[0, 0], [3, 4]]);
    expectError(() => where(3 as never, t22(), 0), ValueError, "where: expected a Tensor for argument 1, found a number (3)");
    expectError(() => where("abc" as never, t22(), 0), ValueError, "where: expected a Tensor for argument 1");
    expectError(() => where(c, "a" as never, 0), ValueError, 'where: expected a Tensor or a number for argument 2, found a string ("a")');
    expectError(() => where(c, t22(), null as never), ValueError, "where: expected a Tensor or a number for argument 3, found null");
  });

  it("scalar parameters must be numbers", () => {
    expectError(() => leakyRelu(t22(), "0.1" as never), ValueError, 'leakyRelu: negativeSlope must be a number, found a string ("0.1")');
    expectError(() => clamp(t22(), "1" as never), ValueError, 'clamp: min must be a number, found a string ("1")');
    expectError(() => clamp(t22(), 0, {} as never), ValueError, "clamp: max must be a number, found an object");
    expectError(() => clamp(null as never, 0, 1), ValueError, "clamp: expected a Tensor for argument 1, found null");
    expect(clamp(t22(), null, 2).toArray()).toEqual([[1, 2], [2, 2]]);
    expectError(() => cast(undefined as never, "float64"), ValueError, "cast: expected a Tensor for argument 1");
    expectError(() => cast(t22(), "float16" as never), DTypeError, 'cast: unknown dtype "float16"');
  });

  it("matmul checks both operands before their shapes", () => {
    expectError(() => matmul(undefined as never, t22()), ValueError, "matmul: expected a Tensor for argument 1, found undefined");
    expectError(() => matmul(t22(), {} as never), ValueError, "matmul: expected a Tensor for argument 2, found an object");
    expectError(() => matmul(t22(), tensor([1, 2, 3])), ShapeError, "matmul");
  });
});

describe("axes", () => {
  it("a reduction checks its tensor, axis and keepDims", () => {
    expectError(() => loose(sum)(), ValueError, "sum: expected a Tensor for argument 1, found undefined");
    expectError(() => mean(null as never), ValueError, "mean: expected a Tensor for argument 1, found null");
    expectError(() => max("abc" as never), ValueError, "max: expected a Tensor for argument 1");
    expectError(() => sum(t22(), 0.5), ValueError, "sum: axis must be an integer, found a number (0.5)");
    expectError(() => sum(t22(), "a" as never), ValueError, 'sum: axis must be an integer or a list of integers, found a string ("a")');
    expectError(() => sum(t22(), null as never), ValueError, "sum: axis must be an integer or a list of integers, found null");
    expectError(() => mean(t22(), [0, "1"] as never), ValueError, 'mean: axis must be an integer, found a string ("1")');
    expectError(() => sum(t22(), 0, "yes" as never), ValueError, 'sum: keepDims must be true or false, found a string ("yes")');
    expectError(() => argmax(t22(), 0, 1 as never), ValueError, "argmax: keepDims must be true or false");
  });

  it("an axis the tensor does not have is a ShapeError naming the op and the rank", () => {
    expectError(() => sum(t22(), 2), ShapeError, "sum: axis 2 is out of range for a tensor of rank 2 (expected an integer from -2 to 1)");
    expectError(() => softmax(t22(), -3), ShapeError, "softmax: axis -3 is out of range for a tensor of rank 2");
    expectError(() => unsqueeze(t22(), 3), ShapeError, "unsqueeze: axis 3 is out of range for a tensor of rank 2 (expected an integer from -3 to 2)");
    expect(sum(tensor(5), 0).item()).toBe(5);
  });

  it("axis arguments of the other ops", () => {
    expectError(() => softmax(t22(), "a" as never), ValueError, 'softmax: axis must be an integer, found a string ("a")');
    expectError(() => logSoftmax(t22(), [0, 1] as never), ValueError, "logSoftmax: axis must be an integer, found an array");
    expectError(() => logSumExp(t22(), {} as never), ValueError, "logSumExp: axis must be an integer or a list of integers, found an object");
    expectError(() => loose(unsqueeze)(t22()), ValueError, "unsqueeze: axis must be an integer, found undefined");
    expectError(() => squeeze(t22(), 1.5), ValueError, "squeeze: axis must be an integer");
    expectError(() => transpose(t22(), 0, "1" as never), ValueError, "transpose: axis must be an integer");
    expectError(() => flatten(t22(), 1, 0), ValueError, "flatten: startDim 1 comes after endDim 0 for a tensor of rank 2");
    expectError(() => select(t22(), 0, 2), ValueError, "select: index 2 is out of range for axis 0 of size 2");
    expectError(() => slice(t22(), 0, "a" as never), ValueError, 'slice: start must be an integer, found a string ("a")');
    expectError(() => slice(t22(), 0, 0, 1.5), ValueError, "slice: end must be an integer, found a number (1.5)");
    expect(slice(t22(), 1, 1, null).toArray()).toEqual([[2], [4]]);
  });
});

describe("shapes", () => {
  it("reshape, expand and scatterAdd take arrays of sizes", () => {
    expectError(() => reshape(t22(), "ab" as never), ShapeError, 'reshape: expected a shape such as [2, 3], found a string ("ab")');
    expectError(() => loose(reshape)(t22()), ShapeError, "reshape: expected a shape such as [2, 3], found undefined");
    expectError(() => reshape(t22(), [2.5, 2]), ShapeError, "reshape: expected a shape of sizes ≥ 0 (or −1), found [2.5, 2]");
    expectError(() => reshape(t22(), [-2, -2]), ShapeError, "found [-2, -2]");
    expectError(() => t22().reshape(2, "2" as never), ShapeError, 'found [2, "2"]');
    expectError(() => reshape(t22(), [3]), ShapeError, "reshape: cannot reshape [2, 2] (4 elements) into [3]");
    expect(reshape(t22(), [-1]).shape).toEqual([4]);
    expectError(() => expand(tensor([1, 2]), [-3, 2]), ShapeError, "expand: expected a shape of sizes ≥ 0 (or −1), found [-3, 2]");
    expectError(() => expand(tensor([1, 2]), 3 as never), ShapeError, "expand: expected a shape such as [2, 3], found a number (3)");
    expect(expand(tensor([1, 2]), [3, -1]).shape).toEqual([3, 2]);
    const src = tensor([[1], [2]]), i = idx([0, 1], [2, 1]);
    expectError(() => scatterAdd(src, 1, i, [2, -1]), ShapeError, "scatterAdd: expected a shape of non-negative integers, found [2, -1]");
    expectError(() => scatterAdd(src, 1, i, null as never), ShapeError, "scatterAdd: expected a shape such as [2, 3], found null");
  });

  it("permute takes a list of integer axes that is a permutation", () => {
    expectError(() => permute(t22(), "ab" as never), ValueError, 'permute: expected a list of axes such as [1, 0], found a string ("ab")');
    expectError(() => permute(t22(), [0.5, 1]), ValueError, "permute: axis must be an integer, found a number (0.5)");
    expectError(() => permute(t22(), [0, 0]), ShapeError, "permute: axes [0, 0] are not a permutation");
    expect(t22().permute(1, 0).toArray()).toEqual([[1, 3], [2, 4]]);
  });

  it("concat and stack take lists of tensors and name the bad element", () => {
    expectError(() => concat(t22() as never), ValueError, "concat: expected a list of Tensors, found a Tensor");
    expectError(() => concat([t22(), "a" as never]), ValueError, 'concat: expected a list of Tensors; element 1 is a string ("a")');
    expectError(() => stack(undefined as never), ValueError, "stack: expected a list of Tensors, found undefined");
    expectError(() => stack([{} as never]), ValueError, "stack: expected a list of Tensors; element 0 is an object");
    expectError(() => concat([]), ShapeError, "concat: expected at least one tensor");
  });
});

describe("index tensors", () => {
  it("gather and scatterAdd want int32 indices in range", () => {
    expectError(() => gather(t22(), 1, tensor([[0], [1]])), DTypeError, "gather: the index must be an int32 tensor, found float32");
    expectError(() => gather(t22(), 1, idx([0, 5], [2, 1])), ValueError, "gather: index 5 is out of range for axis 1 of size 2");
    expectError(() => gather(t22(), 1, undefined as never), ValueError, "gather: expected a Tensor for argument 3, found undefined");
    expectError(() => gather(null as never, 1, idx([0], [1, 1])), ValueError, "gather: expected a Tensor for argument 1, found null");
    expectError(() => gather(t22(), 2, idx([0], [1, 1])), ShapeError, "gather: axis 2 is out of range for a tensor of rank 2");
    expectError(() => scatterAdd(tensor([[1], [2]]), 1, tensor([[0], [1]]), [2, 2]), DTypeError, "scatterAdd: the index must be an int32 tensor");
    expectError(() => scatterAdd("a" as never, 1, idx([0], [1, 1]), [2, 2]), ValueError, "scatterAdd: expected a Tensor for argument 1");
  });

  it("indexSelect takes an int32 Tensor or a list of integers, negative ones counted from the end", () => {
    expect(indexSelect(t22(), 0, [-1, 0]).toArray()).toEqual([[3, 4], [1, 2]]);
    expectError(() => indexSelect(t22(), 0, tensor([1])), DTypeError, "indexSelect: the index must be an int32 tensor, found float32");
    expectError(() => indexSelect(t22(), 0, [1.5]), ValueError, "indexSelect: expected an int32 Tensor or a list of integers for argument 3, found [1.5]");
    expectError(() => indexSelect(t22(), 0, ["a"] as never), ValueError, 'found ["a"]');
    expectError(() => indexSelect(t22(), 0, [5]), ValueError, "indexSelect: index 5 is out of range for axis 0 of size 2");
    expectError(() => indexSelect(t22(), 0, [-3]), ValueError, "indexSelect: index -3 is out of range");
    expectError(() => indexSelect(t22(), 0, "0" as never), ValueError, 'found a string ("0")');
  });

  it("oneHot wants integer labels and a class count", () => {
    expect(oneHot(idx([1], [1]), 3).toArray()).toEqual([[0, 1, 0]]);
    expectError(() => oneHot(tensor([0.5]), 3), DTypeError, "oneHot: expected int32 labels (or floats holding integers), found float32 values that are not integers");
    expectError(() => oneHot(idx([4], [1]), 3), ValueError, "oneHot: label 4 is out of range for 3 classes");
    expectError(() => oneHot(idx([1], [1]), "3" as never), ValueError, 'oneHot: numClasses must be a non-negative integer, found a string ("3")');
    expectError(() => oneHot(idx([1], [1]), 2.5), ValueError, "numClasses must be a non-negative integer, found a number (2.5)");
    expectError(() => oneHot([1, 2] as never, 3), ValueError, "oneHot: expected a Tensor for argument 1, found an array");
    expectError(() => oneHot(idx([1], [1]), 3, { dtype: "int8" as never }), DTypeError, 'oneHot: unknown dtype "int8"');
  });
});

describe("autograd", () => {
  it("backward checks its gradient and options", () => {
    const x = () => tensor([1, 2], { requiresGrad: true });
    expectError(() => x().sum().backward("x" as never), ValueError, 'backward: expected a gradient (a Tensor or a number) or an options object, found a string ("x")');
    expectError(() => x().sum().backward({ retainGraph: "yes" } as never), ValueError, 'backward: retainGraph must be true or false, found a string ("yes")');
    expectError(() => x().sum().backward({ retainGraf: true } as never), ValueError, 'backward: unknown option "retainGraf"');
    expectError(() => x().sum().backward({}, {}), ValueError, "backward: expected a gradient (a Tensor or a number) and options");
    expectError(() => x().mul(2).backward(tensor([1, 2, 3])), ShapeError, "backward: the gradient has shape [3]");
    const a = x();
    a.mul(a).sum().backward(null);
    expect(Array.from(a.grad!.data)).toEqual([2, 4]);
  });

  it("gradients checks the output, the inputs and gradOutput", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expectError(() => gradients(undefined as never, [x]), ValueError, "gradients: expected a Tensor for argument 1, found undefined");
    expectError(() => gradients(x.sum(), x as never), ValueError, "gradients: expected a list of the Tensors to differentiate with respect to, found a Tensor");
    expectError(() => gradients(x.sum(), [x, 3 as never]), ValueError, "element 1 is a number (3)");
    expectError(() => gradients(x.mul(2), [x], { gradOutput: [1, 1] as never }), ValueError, "gradients: gradOutput must be a Tensor of the output's shape [2], found an array");
    expectError(() => gradients(x.sum(), [x], { createGraph: 1 as never }), ValueError, "gradients: createGraph must be true or false, found a number (1)");
  });

  it("grad and valueAndGrad check the function and argnums when the gradient function is made", () => {
    const f = (x: Tensor) => x.mul(x).sum();
    expectError(() => grad(undefined as never), ValueError, "grad: expected a function to differentiate, found undefined");
    expectError(() => valueAndGrad("f" as never), ValueError, 'valueAndGrad: expected a function to differentiate, found a string ("f")');
    expectError(() => grad(f, { argnums: -1 }), ValueError, "grad: argnums must be an argument index (from 0) or a non-empty list of them, found a number (-1)");
    expectError(() => grad(f, { argnums: [0, "1"] as never }), ValueError, 'found [0, "1"]');
    expectError(() => grad(f, { argnums: [] }), ValueError, "found []");
    expectError(() => grad(f, { retainGraph: "no" as never }), ValueError, "grad: retainGraph must be true or false");
    expectError(() => grad(f, { argnums: 1 })(f64([1])), ValueError, "grad: argnums asks for argument 1 (counting from 0), but the function was called with 1 argument");
    expectError(() => grad(f)([1, 2] as never), ValueError, "grad: argument 0 (argnums counts from 0) must be a Tensor to differentiate, found an array");
    expectError(() => (grad(() => 3 as never) as (x: Tensor) => unknown)(f64([1])), ValueError, "grad: the function must return a tensor with one element, found a number (3)");
  });

  it("gradcheck checks the function, the inputs, the options and what the function returns", () => {
    const f = (x: Tensor) => x.mul(x).sum();
    expect(gradcheck(f, [f64([1, 2])]).ok).toBe(true);
    expectError(() => gradcheck(3 as never, [f64([1])]), ValueError, "gradcheck: expected a function to check, found a number (3)");
    expectError(() => gradcheck(f, f64([1]) as never), ValueError, "gradcheck: expected a list of input Tensors, found a Tensor");
    expectError(() => gradcheck(f, [[1, 2]] as never), ValueError, "gradcheck: expected a list of input Tensors; element 0 is an array");
    expectError(() => gradcheck(f, [f64([1])], { eps: 0 }), ValueError, "gradcheck: eps must be a finite number > 0, found a number (0)");
    expectError(() => gradcheck(f, [f64([1])], { atol: "1" as never }), ValueError, 'gradcheck: atol must be a finite number ≥ 0, found a string ("1")');
    expectError(() => gradcheck(f, [f64([1])], { directions: 1.5 }), ValueError, "gradcheck: directions must be a non-negative integer");
    expectError(() => gradcheck((() => 3) as never, [f64([1])]), ValueError, "gradcheck: the function must return a Tensor, found a number (3)");
  });

  it("noGrad, enableGrad and detectAnomaly check their arguments", () => {
    expectError(() => noGrad(undefined as never), ValueError, "noGrad: expected a function to run, found undefined");
    expectError(() => enableGrad({} as never), ValueError, "enableGrad: expected a function to run, found an object");
    expectError(() => detectAnomaly("on" as never), ValueError, 'detectAnomaly: expected true or false, found a string ("on")');
    expect(noGrad(() => 7)).toBe(7);
  });
});

describe("losses", () => {
  const logits = () => tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const labels = () => idx([0, 1], [2]);

  it("name the loss and the argument that is not a Tensor", () => {
    expectError(() => crossEntropy(undefined as never, labels()), ValueError, "crossEntropy: expected a Tensor for argument 1, found undefined");
    expectError(() => crossEntropy(logits(), [0, 1] as never), ValueError, "crossEntropy: expected a Tensor for argument 2, found an array");
    expectError(() => nllLoss(logits().logSoftmax(), "a" as never), ValueError, 'nllLoss: expected a Tensor for argument 2, found a string ("a")');
    expectError(() => mse(3 as never, t22()), ValueError, "mse: expected a Tensor for argument 1, found a number (3)");
    expectError(() => l1(t22(), null as never), ValueError, "l1: expected a Tensor for argument 2, found null");
    expectError(() => binaryCrossEntropyWithLogits(t22(), {} as never), ValueError, "binaryCrossEntropyWithLogits: expected a Tensor for argument 2, found an object");
    expectError(() => softmaxCrossEntropy(t22(), 1 as never), ValueError, "softmaxCrossEntropy: expected a Tensor for argument 2, found a number (1)");
  });

  it("check their option values", () => {
    expectError(() => crossEntropy(logits(), labels(), { labelSmoothing: "0.1" as never }), ValueError, 'crossEntropy: labelSmoothing must be a number in [0, 1], found a string ("0.1")');
    expectError(() => crossEntropy(logits(), labels(), { weight: [1, 2] as never }), ValueError, "crossEntropy: weight must be a tensor of 2 class weights, found an array");
    expectError(() => crossEntropy(logits(), labels(), { reduction: "avg" as never }), ValueError, 'crossEntropy: unknown reduction "avg"');
    expectError(() => binaryCrossEntropyWithLogits(t22(), t22(), { posWeight: "2" as never }), ValueError, 'binaryCrossEntropyWithLogits: posWeight must be a Tensor or a number, found a string ("2")');
    expectError(() => crossEntropy(logits(), tensor([0, 1])), DTypeError, "crossEntropy: class indices must be int32");
    expectError(() => mse(idx([1, 2], [2]), tensor([1, 2])), DTypeError, "mse: expected a float tensor (float32 or float64), found int32");
  });

  it("l2Penalty takes a Module or a list of tensors and a number", () => {
    class Sq extends Module {
      forward(x: Tensor): Tensor { return x; }
    }
    expect(l2Penalty(new Sq(), 1).item()).toBe(0);
    expect(l2Penalty([t22()], 2).item()).toBe(30);
    expectError(() => l2Penalty(undefined as never, 1), ValueError, "l2Penalty: expected a Module or a list of parameter Tensors, found undefined");
    expectError(() => l2Penalty([t22(), "w" as never], 1), ValueError, 'element 1 is a string ("w")');
    expectError(() => l2Penalty([t22()], "0.1" as never), ValueError, 'l2Penalty: lambda must be a number, found a string ("0.1")');
    expectError(() => l2Penalty([t22()], 1, { includeBiases: "yes" as never }), ValueError, "l2Penalty: includeBiases must be true or false");
  });
});

describe("the checks cost nothing on the way in", () => {
  it("valid calls still return the tensors they did", () => {
    const t = t22();
    expect(reshape(t, [2, 2])).toBe(t);
    expect(permute(t, [0, 1])).toBe(t);
    expect(cast(t, "float32")).toBe(t);
    expect(sum(t, [0, 1], true).toArray()).toEqual([[10]]);
  });
});
