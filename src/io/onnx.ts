import protobuf from "protobufjs/light.js";
import { FormatError, ValueError } from "../errors.js";
import { noGrad } from "../autograd/mode.js";
import type { LayerSpec, ModelSpec } from "../nn/build.js";
import { GELU, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from "../nn/layers/activation.js";
import { Residual, Sequential } from "../nn/layers/container.js";
import { Conv2d, MaxPool2d } from "../nn/layers/conv.js";
import { Dropout } from "../nn/layers/dropout.js";
import { Flatten } from "../nn/layers/flatten.js";
import { Linear } from "../nn/layers/linear.js";
import { BatchNorm1d, LayerNorm } from "../nn/layers/norm.js";
import { Module } from "../nn/module.js";
import { add } from "../ops/functions.js";
import { checkOptions } from "../options.js";
import { zeros } from "../tensor/create.js";
import { describeValue } from "../tensor/format.js";
import type { Tensor } from "../tensor/tensor.js";
import type { InputSpec } from "./checkpoint.js";
import { ONNX_SCHEMA } from "./onnx-schema.js";

/** The fields of ONNX's protobuf messages that chainrule reads and writes (snake_case, as in onnx.proto). */
interface TensorProto { name?: string; dims?: number[]; data_type?: number; float_data?: number[]; int64_data?: number[]; int32_data?: number[]; double_data?: number[]; raw_data?: Uint8Array }
interface AttributeProto { name: string; type?: number; f?: number; i?: number; s?: Uint8Array; t?: TensorProto; floats?: number[]; ints?: number[] }
interface NodeProto { input?: string[]; output?: string[]; name?: string; op_type?: string; domain?: string; attribute?: AttributeProto[] }
interface ValueInfoProto { name?: string; type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: number; dim_param?: string }[] } } } }
interface GraphProto { name?: string; node?: NodeProto[]; initializer?: TensorProto[]; input?: ValueInfoProto[]; output?: ValueInfoProto[] }
interface ModelProto { ir_version?: number; opset_import?: { domain?: string; version?: number }[]; producer_name?: string; graph?: GraphProto; metadata_props?: { key?: string; value?: string }[] }

let modelType: protobuf.Type | undefined;
const ModelType = () => (modelType ??= protobuf.Root.fromJSON(ONNX_SCHEMA).lookupType("onnx.ModelProto"));

const FLOAT = 1, INT64 = 7, DOUBLE = 11, INT32 = 6;
const ATTR = { FLOAT: 1, INT: 2, INTS: 7 } as const;
const LEAVES = [Linear, ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax, Identity, Dropout, Flatten, BatchNorm1d, LayerNorm, Conv2d, MaxPool2d];
const SUPPORTED = ["Sequential", "Residual", ...LEAVES.map((C) => C.name)].join(", ");
/** The IR version that goes with an opset (onnx/helper.py's VERSION_TABLE). */
const irVersion = (opset: number) => (opset <= 18 ? 8 : opset <= 20 ? 9 : 10);
const join = (p: string, n: string) => (p === "" ? n : `${p}.${n}`);
/** A float32 attribute read back with the digits it was written with (0.009999999776 → 0.01). */
const f32 = (v: number) => Number(v.toPrecision(7));

export interface ToOnnxOptions {
  /** One sample's shape, without the batch axis: [784] or [1, 28, 28]. The batch dimension stays dynamic ("batch"). */
  inputShape: readonly number[];
  /** The ONNX opset, 13 to 22 (default 17, the first with LayerNormalization; GELU is one Gelu node from 20, five nodes before). */
  opset?: number;
  /** The graph's input and output names (default "input" and "output"); kept in metadata_props too. */
  inputName?: string;
  outputName?: string;
  /** Class names by output index, kept in metadata_props as "label_names" (a JSON array). */
  labelNames?: string[];
}

/** The graph being written: its nodes (named by op and position) and initializers. */
class Writer {
  nodes: NodeProto[] = [];
  inits: TensorProto[] = [];
  batchKept = true;
  constructor(readonly opset: number) {}

  node(op: string, inputs: string[], output: string, attrs: Record<string, number | readonly number[]> = {}): string {
    const attribute = Object.entries(attrs).map(([name, v]): AttributeProto =>
      typeof v !== "number" ? { name, type: ATTR.INTS, ints: [...v] }
        : ["alpha", "epsilon", "momentum"].includes(name) ? { name, type: ATTR.FLOAT, f: v } : { name, type: ATTR.INT, i: v });
    this.nodes.push({ op_type: op, name: `${op}_${this.nodes.length}`, input: inputs, output: [output], attribute });
    return output;
  }

  init(name: string, dims: readonly number[], data: ArrayLike<number>, type = FLOAT): string {
    if (type === INT64) this.inits.push({ name, dims: [...dims], data_type: INT64, int64_data: Array.from(data) });
    else {
      const raw = new Uint8Array(data.length * 4), view = new DataView(raw.buffer);
      for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
      this.inits.push({ name, dims: [...dims], data_type: FLOAT, raw_data: raw });
    }
    return name;
  }

  param(path: string, key: string, t: Tensor): string {
    return this.init(join(path, key), t.shape, t.data);
  }

  /** Writes `m` applied to the value `x` (whose batch-1 value is `xv`); returns the output's name and batch-1 value. */
  emit(m: Module, path: string, x: string, xv: Tensor): [string, Tensor] {
    if (m instanceof Sequential) {
      for (const [n, c] of m.namedChildren()) [x, xv] = this.emit(c, join(path, n), x, xv);
      return [x, xv];
    }
    const out = path === "" ? "y" : path;
    if (m instanceof Residual) {
      const [f, fv] = this.emit(m.fn, join(path, "fn"), x, xv);
      return [this.node("Add", [x, f], out), add(xv, fv)];
    }
    if (!LEAVES.some((C) => m instanceof C))
      throw new ValueError(`toOnnx: ${path === "" ? "the model" : `layer "${path}"`} is a ${m.constructor.name}, which has no ONNX mapping; supported: ${SUPPORTED}`);
    if (m instanceof BatchNorm1d && (!m.runningMean || !m.runningVar))
      throw new ValueError(`toOnnx: layer "${path}" (BatchNorm1d) keeps no running statistics (trackRunningStats: false), which ONNX's BatchNormalization needs`);
    const y = m.call(xv);
    return [this.leaf(m, path, x, xv, y, out), y];
  }

  leaf(m: Module, path: string, x: string, xv: Tensor, y: Tensor, out: string): string {
    const where = path === "" ? "the model" : `layer "${path}"`;
    if (m instanceof Linear) {
      const b = m.bias ? [this.param(path, "bias", m.bias)] : [];
      if (xv.ndim === 2) return this.node("Gemm", [x, this.param(path, "weight", m.weight), ...b], out, { transB: 1 });
      const [o, i] = m.weight.shape, w = m.weight.data, wt = new Float32Array(o * i);
      for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) wt[c * o + r] = w[r * i + c];
      const mm = this.node("MatMul", [x, this.init(join(path, "weight.T"), [i, o], wt)], b.length ? `${out}/matmul` : out);
      return b.length ? this.node("Add", [mm, b[0]], out) : mm;
    }
    if (m instanceof ReLU) return this.node("Relu", [x], out);
    if (m instanceof LeakyReLU) return this.node("LeakyRelu", [x], out, { alpha: m.negativeSlope });
    if (m instanceof Sigmoid) return this.node("Sigmoid", [x], out);
    if (m instanceof Tanh) return this.node("Tanh", [x], out);
    if (m instanceof GELU) {
      if (this.opset >= 20) return this.node("Gelu", [x], out);
      // NOTE: PyTorch's decomposition before opset 20, node for node, so that either side's import recognizes it.
      const d = this.node("Div", [x, this.init(`${out}/sqrt2`, [], [Math.SQRT2])], `${out}/div`);
      const a = this.node("Add", [this.node("Erf", [d], `${out}/erf`), this.init(`${out}/one`, [], [1])], `${out}/add`);
      return this.node("Mul", [this.node("Mul", [x, a], `${out}/mul`), this.init(`${out}/half`, [], [0.5])], out);
    }
    if (m instanceof Softmax) return this.node("Softmax", [x], out, { axis: m.axis });
    if (m instanceof LogSoftmax) return this.node("LogSoftmax", [x], out, { axis: m.axis });
    if (m instanceof Identity) return this.node("Identity", [x], out);
    if (m instanceof Dropout) return this.node("Dropout", [x, this.init(`${out}/ratio`, [], [m.p])], out);
    if (m instanceof Flatten) {
      const start = m.startDim < 0 ? m.startDim + xv.ndim : m.startDim, end = m.endDim < 0 ? m.endDim + xv.ndim : m.endDim;
      if (start === 1 && end === xv.ndim - 1) return this.node("Flatten", [x], out, { axis: 1 });
      if (start === 0) this.batchKept = false;
      return this.node("Reshape", [x, this.init(`${out}/shape`, [y.ndim], [start === 0 ? -1 : 0, ...y.shape.slice(1)], INT64)], out);
    }
    if (m instanceof BatchNorm1d) {
      const c = m.numFeatures;
      const scale = m.weight ? this.param(path, "weight", m.weight) : this.init(join(path, "weight"), [c], new Float32Array(c).fill(1));
      const bias = m.bias ? this.param(path, "bias", m.bias) : this.init(join(path, "bias"), [c], new Float32Array(c));
      const attrs = { epsilon: m.eps, ...(m.momentum === null ? {} : { momentum: 1 - m.momentum }) };
      return this.node("BatchNormalization", [x, scale, bias, this.param(path, "running_mean", m.runningMean!), this.param(path, "running_var", m.runningVar!)], out, attrs);
    }
    if (m instanceof LayerNorm) {
      if (this.opset < 17) throw new ValueError(`toOnnx: ${where} (LayerNorm) needs opset 17 or later (LayerNormalization); found opset ${this.opset}`);
      const n = m.normalizedShape.reduce((a, b) => a * b, 1);
      const scale = m.weight ? this.param(path, "weight", m.weight) : this.init(join(path, "weight"), m.normalizedShape, new Float32Array(n).fill(1));
      return this.node("LayerNormalization", [x, scale, ...(m.bias ? [this.param(path, "bias", m.bias)] : [])], out, { axis: -m.normalizedShape.length, epsilon: m.eps });
    }
    if (m instanceof Conv2d) {
      const [ph, pw] = m.padding;
      return this.node("Conv", [x, this.param(path, "weight", m.weight), ...(m.bias ? [this.param(path, "bias", m.bias)] : [])], out, {
        kernel_shape: m.kernelSize, strides: m.stride, pads: [ph, pw, ph, pw], dilations: m.dilation, group: m.groups,
      });
    }
    const p = m as MaxPool2d;
    return this.node("MaxPool", [x], out, { kernel_shape: p.kernelSize, strides: p.stride, pads: [...p.padding, ...p.padding], dilations: p.dilation, ceil_mode: p.ceilMode ? 1 : 0 });
  }
}

function valueInfo(name: string, dims: (number | string)[]): ValueInfoProto {
  return { name, type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => (typeof d === "string" ? { dim_param: d } : { dim_value: d })) } } } };
}

function nameOption(where: string, v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== "string" || v === "") throw new ValueError(`${where}: expected a non-empty string, found ${describeValue(v)}`);
  return v;
}

/**
 * The ONNX model (protobuf bytes) of a model built from Sequential, Residual and the layers listed in
 * `SUPPORTED`, in inference mode (Dropout is the identity, BatchNorm1d uses its running statistics),
 * float32, with a dynamic batch dimension. Initializers keep the state-dict names (`0.weight`). A layer
 * without an ONNX mapping is a ValueError naming it.
 * @example
 * const bytes = toOnnx(new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU()), { inputShape: [4] });
 */
export function toOnnx(model: Module, options: ToOnnxOptions): Uint8Array {
  if (!(model instanceof Module)) throw new ValueError(`toOnnx: expected a Module, found ${describeValue(model)}`);
  const opts = checkOptions("toOnnx", options, ["inputShape", "opset", "inputName", "outputName", "labelNames"]);
  const { inputShape, opset = 17, labelNames } = opts;
  if (!Array.isArray(inputShape) || !inputShape.every((d) => Number.isInteger(d) && d > 0))
    throw new ValueError(`toOnnx: inputShape must be one sample's shape as positive integers, such as [784] or [1, 28, 28], found ${JSON.stringify(inputShape) ?? describeValue(inputShape)}`);
  if (!Number.isInteger(opset) || opset < 13 || opset > 22) throw new ValueError(`toOnnx: opset must be an integer from 13 to 22, found ${JSON.stringify(opset) ?? describeValue(opset)}`);
  if (labelNames !== undefined && !(Array.isArray(labelNames) && labelNames.every((s) => typeof s === "string")))
    throw new ValueError(`toOnnx: labelNames must be an array of strings, found ${describeValue(labelNames)}`);
  const inputName = nameOption("toOnnx: inputName", opts.inputName, "input"), outputName = nameOption("toOnnx: outputName", opts.outputName, "output");
  const w = new Writer(opset);
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  let out: string, y: Tensor;
  model.eval();
  try {
    [out, y] = noGrad(() => {
      const x = zeros([1, ...inputShape], { dtype: model.parameters()[0]?.dtype === "float64" ? "float64" : "float32" });
      try {
        return w.emit(model, "", inputName, x);
      } catch (e) {
        if (e instanceof ValueError && e.message.startsWith("toOnnx")) throw e;
        throw new ValueError(`toOnnx: the model does not take inputs of shape [N, ${inputShape.join(", ")}] (${(e as Error).message})`);
      }
    });
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
  if (out === inputName) out = w.node("Identity", [inputName], outputName);
  for (const n of w.nodes) for (const list of [n.input!, n.output!]) list.forEach((v, i) => v === out && (list[i] = outputName));
  const meta: Record<string, string> = { input_name: inputName, output_name: outputName, input_shape: JSON.stringify(inputShape) };
  if (labelNames) meta.label_names = JSON.stringify(labelNames);
  const proto: ModelProto = {
    ir_version: irVersion(opset), opset_import: [{ domain: "", version: opset }], producer_name: "chainrule",
    graph: {
      name: "chainrule", node: w.nodes, initializer: w.inits,
      input: [valueInfo(inputName, ["batch", ...inputShape])], output: [valueInfo(outputName, [w.batchKept ? "batch" : "n", ...y.shape.slice(1)])],
    },
    metadata_props: Object.entries(meta).map(([key, value]) => ({ key, value })),
  };
  const T = ModelType();
  return T.encode(T.fromObject(proto)).finish();
}

/** What `fromOnnx` read: the model, its architecture as data when a model.json can say it, and its inputs. */
export interface OnnxImport {
  model: Sequential;
  /** The layers as `buildModel` takes them; undefined when a layer or setting has no model.json form (Residual, LogSoftmax, a non-default eps). */
  architecture?: ModelSpec;
  /** One sample's shape (from the graph's input) and the label names of metadata_props. */
  input: InputSpec;
  opset: number;
  inputName: string;
  outputName: string;
}

interface Layer { module: Module; spec: LayerSpec | null }

/**
 * Builds the chainrule model of an ONNX model whose graph is a chain of layers (Gemm, MatMul + Add,
 * Relu, LeakyRelu, Sigmoid, Tanh, Gelu or its five-node decomposition, Softmax, LogSoftmax, Flatten,
 * Reshape that flattens, Dropout, Identity, BatchNormalization on [N, C] or [N, C, L], LayerNormalization,
 * Conv, MaxPool) with skip connections (an Add of an earlier value: Residual). An unsupported node is a
 * ValueError naming it and its position; bytes that are not ONNX are a FormatError.
 * @example const { model, input } = fromOnnx(toOnnx(mlp("4-8-3"), { inputShape: [4] }));
 */
export function fromOnnx(bytes: Uint8Array, options?: { source?: string }): OnnxImport {
  const { source = "the ONNX model" } = checkOptions("fromOnnx", options, ["source"]);
  if (!(bytes instanceof Uint8Array)) throw new ValueError(`fromOnnx: expected the model's bytes as a Uint8Array, found ${describeValue(bytes)}`);
  let proto: ModelProto;
  try {
    const T = ModelType();
    proto = T.toObject(T.decode(bytes), { longs: Number, arrays: true }) as ModelProto;
  } catch (e) {
    throw new FormatError(`${source} is not an ONNX model (${(e as Error).message})`);
  }
  const g = proto.graph;
  if (!g || !g.node?.length) throw new FormatError(`${source} is not an ONNX model (it has no graph of nodes)`);
  const opset = proto.opset_import?.find((o) => !o.domain || o.domain === "ai.onnx")?.version ?? 0;
  const consts = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const t of g.initializer ?? []) consts.set(t.name ?? "", readTensor(t, source));
  const inputs = (g.input ?? []).filter((v) => !consts.has(v.name ?? ""));
  if (inputs.length !== 1 || g.output?.length !== 1) throw new ValueError(`${source}: expected a graph of one input and one output, found ${inputs.length} inputs and ${g.output?.length ?? 0} outputs`);
  const inputName = inputs[0].name ?? "", outputName = g.output[0].name ?? "";
  const tt = inputs[0].type?.tensor_type;
  if (tt?.elem_type !== FLOAT) throw new ValueError(`${source}: input "${inputName}" must be float32 (elem_type 1), found elem_type ${tt?.elem_type}`);
  const dims = tt.shape?.dim ?? [];
  const shape = dims.slice(1).map((d) => d.dim_value ?? 0);
  if (dims.length < 2 || !shape.every((d) => d > 0) || shape.reduce((a, b) => a * b, 1) > 2 ** 26) throw new ValueError(`${source}: input "${inputName}" must be [batch, ...one sample's fixed shape], found [${dims.map((d) => d.dim_param ?? d.dim_value ?? "?").join(", ")}]`);
  const meta = Object.fromEntries((proto.metadata_props ?? []).map((p) => [p.key ?? "", p.value ?? ""]));

  const layers: Layer[] = [];
  const values = new Map<string, { t: Tensor; pos: number }>([[inputName, { t: zeros([1, ...shape]), pos: 0 }]]);
  let cur = inputName;
  // NOTE: Constant nodes, and Identity nodes of initializers (PyTorch writes both between the layers' nodes), are read first.
  const isConst = (n: NodeProto) => n.op_type === "Constant" || (n.op_type === "Identity" && consts.has(n.input?.[0] ?? ""));
  const positions: number[] = [];
  const nodes = g.node.filter((n, i) => {
    const at = `${source}: node ${i} (${n.op_type}${n.name ? ` "${n.name}"` : ""})`;
    if (!n.output?.[0]) throw new FormatError(`${at}: has no output`);
    if (n.op_type === "Constant") {
      const t = n.attribute?.find((a) => a.name === "value")?.t;
      if (!t) throw new ValueError(`${at}: only a Constant with a tensor "value" is supported`);
      consts.set(n.output![0], readTensor(t, at));
    } else if (isConst(n)) consts.set(n.output![0], consts.get(n.input![0])!);
    else positions.push(i);
    return !isConst(n);
  });
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i], op = n.op_type ?? "";
    const at = `${source}: node ${positions[i]} (${op}${n.name ? ` "${n.name}"` : ""})`;
    const fail = (msg: string): never => { throw new ValueError(`${at}: ${msg}`); };
    const attrs = new Map((n.attribute ?? []).map((a) => [a.name, a]));
    const int = (k: string, d: number) => attrs.get(k)?.i ?? d;
    const flt = (k: string, d: number) => f32(attrs.get(k)?.f ?? d);
    const ints = (k: string, d: number[]) => attrs.get(k)?.ints ?? d;
    if (n.domain && n.domain !== "ai.onnx") fail(`the operator domain "${n.domain}" is not supported (only the default ONNX domain)`);
    const ins = n.input ?? [];
    const c = (k: number) => (ins[k] ? consts.get(ins[k]) : undefined);
    const need = (k: number, what: string) => c(k) ?? fail(`its ${what} (input ${k}) must be an initializer or a Constant`);
    const x = values.get(cur)!.t;
    const push = (module: Module, spec: LayerSpec | null, last = n) => {
      const t = noGrad(() => module.eval().call(x));
      layers.push({ module, spec });
      cur = last.output![0];
      values.set(cur, { t, pos: layers.length });
    };
    if (op === "Add" && !c(0) && !c(1)) {
      const skip = ins[0] === cur ? ins[1] : ins[1] === cur ? ins[0] : fail(`adds "${ins[0]}" and "${ins[1]}", neither of which is the output of the layer before it`);
      const s = values.get(skip);
      if (!s || s.pos < 0) fail(`adds "${skip}", which is not an earlier value of the chain of layers (or lies inside a closed skip connection)`);
      const body = layers.splice(s!.pos);
      for (const v of values.values()) if (v.pos > s!.pos) v.pos = -1;
      const module = new Residual(new Sequential(...body.map((l) => l.module)));
      layers.push({ module, spec: null });
      cur = n.output![0];
      values.set(cur, { t: noGrad(() => add(s!.t, x)), pos: layers.length });
      continue;
    }
    if (ins[0] !== cur) fail(`reads "${ins[0]}", not "${cur}", the output of the layer before it; chainrule imports a chain of layers, with skip connections as Add`);
    if (op === "Gemm") {
      if (flt("alpha", 1) !== 1 || flt("beta", 1) !== 1 || int("transA", 0) !== 0) fail(`only alpha = 1, beta = 1 and transA = 0 map to a Linear`);
      const w = need(1, "weight"), b = c(2);
      if (w.dims.length !== 2) fail(`its weight must be 2-D, found [${w.dims.join(", ")}]`);
      const tB = int("transB", 0) === 1, [o, k] = tB ? w.dims : [w.dims[1], w.dims[0]];
      push(linear(k, o, tB ? w.data : transpose(w.data, k, o), b?.data, at), { type: "Linear", in: k, out: o, ...(b ? {} : { bias: false }) });
    } else if (op === "MatMul") {
      const w = need(1, "weight");
      if (w.dims.length !== 2) fail(`its second input must be a 2-D initializer, found [${w.dims.join(", ")}]`);
      const [k, o] = w.dims, next = nodes[i + 1];
      const b = next?.op_type === "Add" && next.input?.includes(n.output![0]) ? consts.get(next.input.find((v) => v !== n.output![0]) ?? "") : undefined;
      push(linear(k, o, transpose(w.data, k, o), b?.data, at), { type: "Linear", in: k, out: o, ...(b ? {} : { bias: false }) }, b ? nodes[++i] : n);
    } else if (op === "Relu") push(new ReLU(), { type: "ReLU" });
    else if (op === "LeakyRelu") push(new LeakyReLU(flt("alpha", 0.01)), { type: "LeakyReLU", slope: flt("alpha", 0.01) });
    else if (op === "Sigmoid") push(new Sigmoid(), { type: "Sigmoid" });
    else if (op === "Tanh") push(new Tanh(), { type: "Tanh" });
    else if (op === "Gelu") {
      const approx = attrs.get("approximate")?.s;
      if (approx && new TextDecoder().decode(approx) !== "none") fail(`only the exact GELU (approximate = "none") is supported`);
      push(new GELU(), { type: "GELU" });
    } else if (op === "Div" && isGelu(nodes, i, cur, consts)) {
      i += 4;
      push(new GELU(), { type: "GELU" }, nodes[i]);
    } else if (op === "Softmax" || op === "LogSoftmax") {
      if (opset < 13 && int("axis", 1) !== x.ndim - 1 && int("axis", 1) !== -1) fail(`before opset 13 ${op} flattens to 2-D; only the last axis maps to chainrule's (re-export with opset 13 or later)`);
      const axis = int("axis", -1);
      push(op === "Softmax" ? new Softmax(axis) : new LogSoftmax(axis), op === "Softmax" ? { type: "Softmax", axis } : null);
    } else if (op === "Flatten") {
      if (int("axis", 1) !== 1) fail(`only axis = 1 keeps the batch axis (found axis ${int("axis", 1)})`);
      push(new Flatten(), { type: "Flatten" });
    } else if (op === "Reshape") {
      const target = Array.from(need(1, "shape").data);
      const [start, end] = flattenOf(x.shape, target) ?? fail(`a reshape of [N, ${x.shape.slice(1).join(", ")}] to [${target.join(", ")}] is not a Flatten that keeps the batch axis`);
      push(new Flatten(start, end), { type: "Flatten", start, end });
    } else if (op === "Identity") {
      cur = n.output![0];
      values.set(cur, { t: x, pos: layers.length });
    } else if (op === "Dropout") {
      const p = c(1) ? f32(c(1)!.data[0]) : 0.5;
      push(new Dropout(p), { type: "Dropout", p });
    } else if (op === "BatchNormalization") {
      if (int("training_mode", 0) !== 0 || (n.output?.length ?? 1) > 1) fail(`only inference mode (one output) is supported`);
      if (x.ndim !== 2 && x.ndim !== 3) fail(`chainrule's BatchNorm1d takes [N, C] or [N, C, L]; this input is [N, ${x.shape.slice(1).join(", ")}] (a BatchNorm2d has no chainrule layer)`);
      const ch = x.shape[1], eps = flt("epsilon", 1e-5), momentum = f32(1 - flt("momentum", 0.9));
      const bn = new BatchNorm1d(ch, { eps, momentum });
      ["weight", "bias", "runningMean", "runningVar"].forEach((k, j) => copyInto(bn, k, need(j + 1, ["scale", "bias", "mean", "variance"][j]).data, at));
      push(bn, eps === 1e-5 && momentum === 0.1 ? { type: "BatchNorm1d", features: ch } : null);
    } else if (op === "LayerNormalization") {
      if ((n.output?.length ?? 1) > 1) fail(`only the first output (the normalized tensor) is supported`);
      const axis = int("axis", -1), ns = x.shape.slice(axis < 0 ? axis + x.ndim : axis), eps = flt("epsilon", 1e-5), b = c(2);
      const ln = new LayerNorm(ns, { eps, bias: b !== undefined });
      copyInto(ln, "weight", need(1, "scale").data, at);
      if (b) copyInto(ln, "bias", b.data, at);
      push(ln, eps === 1e-5 && b ? { type: "LayerNorm", shape: ns } : null);
    } else if (op === "Conv" || op === "MaxPool") {
      const pad = attrs.get("auto_pad")?.s, autoPad = pad ? new TextDecoder().decode(pad) : "NOTSET";
      if (autoPad !== "NOTSET" && autoPad !== "VALID") fail(`auto_pad ${autoPad} is not supported (give explicit pads)`);
      const [t, l, bo, r] = ints("pads", [0, 0, 0, 0]);
      if (x.ndim !== 4 || t !== bo || l !== r) fail(`only 2-D ${op} with symmetric pads is supported (input [N, ${x.shape.slice(1).join(", ")}], pads [${ints("pads", [])}])`);
      const two = (v: number[]): number | [number, number] => (v[0] === v[1] ? v[0] : [v[0], v[1]]);
      const stride = two(ints("strides", [1, 1])), padding = two([t, l]), dilation = two(ints("dilations", [1, 1]));
      if (op === "Conv") {
        const w = need(1, "weight"), b = c(2), groups = int("group", 1);
        const kernel = two(w.dims.slice(2)), ci = x.shape[1], co = w.dims[0];
        const conv = new Conv2d(ci, co, kernel, { stride, padding, dilation, groups, bias: b !== undefined });
        copyInto(conv, "weight", w.data, at);
        if (b) copyInto(conv, "bias", b.data, at);
        push(conv, { type: "Conv2d", in: ci, out: co, kernel, stride, padding, dilation, groups, bias: b !== undefined });
      } else {
        if ((n.output?.length ?? 1) > 1 && n.output![1] !== "") fail(`the Indices output is not supported`);
        const kernel = two(ints("kernel_shape", [])), ceilMode = int("ceil_mode", 0) === 1;
        push(new MaxPool2d(kernel, { stride, padding, dilation, ceilMode }), { type: "MaxPool2d", kernel, stride, padding, dilation, ceilMode });
      }
    } else fail(`this operator has no chainrule layer; supported: Gemm, MatMul (+ Add), Add (a skip connection), Relu, LeakyRelu, Sigmoid, Tanh, Gelu, Softmax, LogSoftmax, Flatten, Reshape, Dropout, Identity, BatchNormalization, LayerNormalization, Conv, MaxPool, Constant`);
  }
  if (cur !== outputName) throw new ValueError(`${source}: the graph's output "${outputName}" is not the output of its last layer ("${cur}")`);
  const specs = layers.map((l) => l.spec);
  let labelNames: unknown;
  try {
    labelNames = meta.label_names === undefined ? undefined : JSON.parse(meta.label_names);
  } catch {
    labelNames = null;
  }
  if (labelNames !== undefined && !(Array.isArray(labelNames) && labelNames.every((s) => typeof s === "string")))
    throw new FormatError(`${source}: metadata_props "label_names" must be a JSON array of strings, found ${JSON.stringify(meta.label_names)}`);
  return {
    model: new Sequential(...layers.map((l) => l.module.train())),
    architecture: specs.every((s) => s !== null) ? { layers: specs as LayerSpec[] } : undefined,
    input: { shape, ...(labelNames ? { labelNames: labelNames as string[] } : {}) }, opset, inputName, outputName,
  };
}

function readTensor(t: TensorProto, where: string): { dims: number[]; data: Float32Array } {
  const dims = t.dims ?? [], n = dims.reduce((a, b) => a * b, 1);
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new FormatError(`${where}: tensor "${t.name ?? ""}" has dims [${dims.join(", ")}], expected non-negative integers`);
  const raw = t.raw_data && t.raw_data.length > 0 ? new DataView(t.raw_data.buffer, t.raw_data.byteOffset, t.raw_data.byteLength) : undefined;
  const width = { [FLOAT]: 4, [INT64]: 8, [DOUBLE]: 8, [INT32]: 4 }[t.data_type ?? 0];
  if (!width) throw new ValueError(`${where}: tensor "${t.name ?? ""}" has ONNX data type ${t.data_type}; chainrule reads float, double, int32 and int64 tensors`);
  if (raw && raw.byteLength !== n * width) throw new FormatError(`${where}: tensor "${t.name ?? ""}" of shape [${dims.join(", ")}] needs ${n * width} bytes of raw_data, found ${raw.byteLength}`);
  const list = t.data_type === FLOAT ? t.float_data : t.data_type === INT64 ? t.int64_data : t.data_type === DOUBLE ? t.double_data : t.int32_data;
  if (!raw && (list?.length ?? 0) !== n) throw new FormatError(`${where}: tensor "${t.name ?? ""}" of shape [${dims.join(", ")}] holds ${list?.length ?? 0} values, expected ${n} (external data is not supported)`);
  const data = new Float32Array(n); // NOTE: after the checks, so a shape that the data does not back is never allocated
  for (let i = 0; i < n; i++) {
    if (!raw) data[i] = list![i];
    else if (t.data_type === FLOAT) data[i] = raw.getFloat32(i * 4, true);
    else if (t.data_type === INT32) data[i] = raw.getInt32(i * 4, true);
    else data[i] = t.data_type === DOUBLE ? raw.getFloat64(i * 8, true) : Number(raw.getBigInt64(i * 8, true));
  }
  return { dims, data };
}

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

function copyInto(m: Module, prop: string, data: Float32Array, at: string): void {
  const t = (m as unknown as Record<string, Tensor>)[prop];
  if (t.size !== data.length) throw new ValueError(`${at}: its ${prop} has ${data.length} values, expected ${t.size} (shape [${t.shape.join(", ")}])`);
  t.data.set(data);
}

function linear(k: number, o: number, w: Float32Array, b: Float32Array | undefined, at: string): Linear {
  const l = new Linear(k, o, { bias: b !== undefined });
  copyInto(l, "weight", w, at);
  if (b) copyInto(l, "bias", b, at);
  return l;
}

/** Div(x, √2) → Erf → Add(·, 1) → Mul(x, ·) → Mul(·, 0.5): GELU as PyTorch (and toOnnx before opset 20) writes it. */
function isGelu(nodes: NodeProto[], i: number, x: string, consts: Map<string, { data: Float32Array }>): boolean {
  const [div, erf, plus, mul, half] = nodes.slice(i, i + 5);
  const out = (n?: NodeProto) => n?.output?.[0] ?? "\0";
  const scalar = (n: NodeProto | undefined, v: number, other: string) => {
    const k = n?.input?.find((s) => s !== other);
    const t = k === undefined ? undefined : consts.get(k);
    return t?.data.length === 1 && Math.abs(t.data[0] - v) < 1e-6;
  };
  return div.input?.[0] === x && scalar(div, Math.SQRT2, x) && erf?.op_type === "Erf" && erf.input?.[0] === out(div) &&
    plus?.op_type === "Add" && plus.input?.includes(out(erf)) === true && scalar(plus, 1, out(erf)) &&
    mul?.op_type === "Mul" && mul.input?.includes(x) === true && mul.input.includes(out(plus)) &&
    half?.op_type === "Mul" && half.input?.includes(out(mul)) === true && scalar(half, 0.5, out(mul));
}

/** `[start, end]` such that flatten(x, start, end) has `target` as its shape (0 copies a dimension, -1 is inferred); null if none. */
function flattenOf(shape: readonly number[], target: number[]): [number, number] | null {
  if (target[0] !== 0) return null;
  const total = shape.reduce((a, b) => a * b, 1);
  const dims = target.map((d, i) => (d === 0 ? shape[i] : d));
  const known = dims.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const resolved = dims.map((d) => (d === -1 ? total / known : d));
  for (let s = 1; s < shape.length; s++)
    for (let e = s; e < shape.length; e++) {
      const f = [...shape.slice(0, s), shape.slice(s, e + 1).reduce((a, b) => a * b, 1), ...shape.slice(e + 1)];
      if (f.length === resolved.length && f.every((d, i) => d === resolved[i])) return [s, e];
    }
  return null;
}
