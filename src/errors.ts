/**
 * Base class of every error chainrule throws on purpose. Each class names itself in a field (not
 * from `new.target.name`), so its name survives a minifying bundler.
 */
export class ChainruleError extends Error {
  override name = "ChainruleError";
}

/** Shapes that do not fit the op: the message names the op and the shapes. */
export class ShapeError extends ChainruleError {
  override name = "ShapeError";
}

/** A dtype the op does not accept, or two dtypes that do not mix. */
export class DTypeError extends ChainruleError {
  override name = "DTypeError";
}

/** Misuse of the autograd graph: backward through a released graph, a non-scalar output without a gradient, ... */
export class GraphError extends ChainruleError {
  override name = "GraphError";
}

/** A value that is out of range or of the wrong kind (a negative size, an unknown option, ...). */
export class ValueError extends ChainruleError {
  override name = "ValueError";
}

/** NaN or Inf produced by an op while anomaly detection is on. */
export class AnomalyError extends ChainruleError {
  override name = "AnomalyError";
}

/** A file or string that does not follow its format (safetensors, IDX, CSV, JSON model). */
export class FormatError extends ChainruleError {
  override name = "FormatError";
}

/** A program or claim that does not parse: carries the line, the column and the source line. */
export class ParseError extends ChainruleError {
  override name = "ParseError";
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly sourceLine: string,
  ) {
    super(`${message} at line ${line}, column ${column}\n  ${sourceLine}\n  ${" ".repeat(Math.max(0, column - 1))}^`);
  }
}
