import { DTypeError } from "../errors.js";

import type { DType, TypedArray } from "../kernels/backend.js";

export type { DType, TypedArray };
export const DTYPES: readonly DType[] = ["float32", "float64", "int32"];

export function isFloat(d: DType): boolean {
  return d !== "int32";
}

export function checkDType(d: unknown, where: string): DType {
  if (d === "float32" || d === "float64" || d === "int32") return d;
  throw new DTypeError(`${where}: unknown dtype ${JSON.stringify(d)}; expected one of float32, float64, int32`);
}

export function dtypeOf(a: TypedArray): DType {
  return a instanceof Float64Array ? "float64" : a instanceof Int32Array ? "int32" : "float32";
}

/** The dtype of a binary op's result: float64 > float32 > int32, as in PyTorch. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === "float64" || b === "float64") return "float64";
  return "float32";
}

export function bytesPerElement(d: DType): number {
  return d === "float64" ? 8 : 4;
}
