/** Base class of every error chainrule throws on purpose. */
export class ChainruleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit the op: the message names the op and the shapes. */
export class ShapeError extends ChainruleError {}

/** A dtype the op does not accept, or two dtypes that do not mix. */
export class DTypeError extends ChainruleError {}

/** Misuse of the autograd graph: backward through a released graph, a non-scalar output without a gradient, ... */
export class GraphError extends ChainruleError {}

/** A value that is out of range or of the wrong kind (a negative size, an unknown option, ...). */
export class ValueError extends ChainruleError {}

/** NaN or Inf produced by an op while anomaly detection is on. */
export class AnomalyError extends ChainruleError {}

/** A file or string that does not follow its format (safetensors, IDX, CSV, JSON model). */
export class FormatError extends ChainruleError {}

/** A program or claim that does not parse: carries the line, the column and the source line. */
export class ParseError extends ChainruleError {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly sourceLine: string,
  ) {
    super(`${message} at line ${line}, column ${column}\n  ${sourceLine}\n  ${" ".repeat(Math.max(0, column - 1))}^`);
  }
}
