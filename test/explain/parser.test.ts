import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { AXIS_FUNCTIONS, FUNCTIONS, type Expr, exprToText, type FnName } from "../../src/explain/ast.js";
import { latexName } from "../../src/explain/latex.js";
import { parseProgram } from "../../src/explain/parser.js";
import { parseClaims, parseSetValues } from "../../src/explain/values.js";

type Bare =
  | { kind: "num"; value: number; text: string }
  | { kind: "var"; name: string }
  | { kind: "unary"; op: "-" | "+"; arg: Bare }
  | { kind: "binary"; op: string; left: Bare; right: Bare }
  | { kind: "call"; fn: FnName; args: Bare[] };

/** The expression without positions. */
function bare(e: Expr): Bare {
  switch (e.kind) {
    case "num":
      return { kind: "num", value: e.value, text: e.text };
    case "var":
      return { kind: "var", name: e.name };
    case "unary":
      return { kind: "unary", op: e.op, arg: bare(e.arg) };
    case "binary":
      return { kind: "binary", op: e.op, left: bare(e.left), right: bare(e.right) };
    case "call":
      return { kind: "call", fn: e.fn, args: e.args.map(bare) };
  }
}

const v = (name: string): Bare => ({ kind: "var", name });
const n = (text: string): Bare => ({ kind: "num", value: Number(text), text });
const b = (op: string, left: Bare, right: Bare): Bare => ({ kind: "binary", op, left, right });
const neg = (arg: Bare): Bare => ({ kind: "unary", op: "-", arg });
const call = (fn: FnName, ...args: Bare[]): Bare => ({ kind: "call", fn, args });

const parseExpr = (text: string): Expr => parseProgram(`y = ${text}`).assignments[0]!.expr;
const tree = (text: string): Bare => bare(parseExpr(text));

function parseFailure(run: () => unknown): ParseError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    return e as ParseError;
  }
  throw new Error("expected a ParseError");
}

describe("parseProgram", () => {
  const p1 = {
    x1: call("relu", b("+", b("*", v("x0"), v("w0")), v("b0"))),
    y1: b("+", b("*", v("x1"), v("w1")), v("b1")),
    z: call("relu", b("+", v("y1"), v("x0"))),
  };

  it.each([
    ["semicolons", "x1 = relu(x0*w0 + b0); y1 = x1*w1 + b1; z = relu(y1 + x0)"],
    ["newlines", "x1 = relu(x0*w0 + b0)\ny1 = x1*w1 + b1\nz = relu(y1 + x0)\n"],
    ["comments and blank lines", "# P1\n\nx1 = ReLU(x0 * w0 + b0)  # hidden\n\r\ny1 = x1 * w1 + b1\r\n  z  = RELU(y1 + x0);\n"],
  ])("parses P1 with %s", (_, source) => {
    const program = parseProgram(source);
    expect(program.source).toBe(source);
    expect(program.assignments.map((a) => a.name)).toEqual(["x1", "y1", "z"]);
    expect(Object.fromEntries(program.assignments.map((a) => [a.name, bare(a.expr)]))).toEqual(p1);
  });

  it("records positions and the expression text as written", () => {
    const program = parseProgram("x1 = relu(x0*w0 + b0)\n  y1 = (x1 + 1)*w1");
    const [x1, y1] = program.assignments;
    expect(x1!.source).toBe("relu(x0*w0 + b0)");
    expect(x1!.pos).toEqual({ line: 1, column: 1, offset: 0, end: 21 });
    expect(x1!.expr.pos).toEqual({ line: 1, column: 6, offset: 5, end: 21 });
    expect(y1!.source).toBe("(x1 + 1)*w1");
    expect(y1!.pos).toMatchObject({ line: 2, column: 3 });
    const product = y1!.expr;
    if (product.kind !== "binary") throw new Error("expected a product");
    expect(program.source.slice(product.left.pos.offset, product.left.pos.end)).toBe("(x1 + 1)");
    expect(product.right.pos).toMatchObject({ line: 2, column: 17 });
  });

  it.each<[string, Bare]>([
    ["a + b * c", b("+", v("a"), b("*", v("b"), v("c")))],
    ["a - b - c", b("-", b("-", v("a"), v("b")), v("c"))],
    ["a - (b - c)", b("-", v("a"), b("-", v("b"), v("c")))],
    ["a / b * c", b("*", b("/", v("a"), v("b")), v("c"))],
    ["a @ b * c", b("*", b("@", v("a"), v("b")), v("c"))],
    ["a ^ b ^ c", b("^", v("a"), b("^", v("b"), v("c")))],
    ["(a ^ b) ^ c", b("^", b("^", v("a"), v("b")), v("c"))],
    ["-x^2", neg(b("^", v("x"), n("2")))],
    ["(-x)^2", b("^", neg(v("x")), n("2"))],
    ["x^-2", b("^", v("x"), neg(n("2")))],
    ["-a * b", b("*", neg(v("a")), v("b"))],
    ["a * -b", b("*", v("a"), neg(v("b")))],
    ["--a", neg(neg(v("a")))],
    ["+a", { kind: "unary", op: "+", arg: v("a") }],
    ["2 ** 3 ** 2", b("^", n("2"), b("^", n("3"), n("2")))],
    ["a·b × c ÷ d − e", b("-", b("/", b("*", b("*", v("a"), v("b")), v("c")), v("d")), v("e"))],
    ["a ⋅ −b", b("*", v("a"), neg(v("b")))],
    ["λ * x₀ + w_1", b("+", b("*", v("λ"), v("x₀")), v("w_1"))],
    ["Max(a, b) + SoftMax(s, -1)", b("+", call("maximum", v("a"), v("b")), call("softmax", v("s"), neg(n("1"))))],
    ["sum(x) + mean(x, 0)", b("+", call("sum", v("x")), call("mean", v("x"), n("0")))],
    ["crossentropy(matmul(X, W) @ V, Y)", call("softmaxCrossEntropy", b("@", call("matmul", v("X"), v("W")), v("V")), v("Y"))],
  ])("parses %s", (text, expected) => {
    expect(tree(text)).toEqual(expected);
  });

  it.each([
    ["1", 1],
    ["1.0", 1],
    [".5", 0.5],
    ["1e-3", 0.001],
    ["2.5E+4", 25000],
    ["3.", 3],
  ])("parses the number %s", (text, value) => {
    expect(tree(text)).toEqual({ kind: "num", value, text });
  });

  it.each<[string, string, number, number, RegExp]>([
    ["trailing operator", "x = a +", 1, 8, /expected an expression after "\+", found the end of the program/],
    ["trailing operator before a newline", "x = a *\ny = b", 1, 8, /after "\*", found the end of the line/],
    ["unclosed parenthesis at the end", "x = (a + b", 1, 11, /the "\(" opened at line 1, column 5 is never closed: missing "\)" at line 1, column 11/],
    ["unclosed parenthesis before a newline", "x = (a\ny = b", 1, 7, /missing "\)"/],
    ["unclosed nested parenthesis", "\n\nw = 1\nx = (w * (2 + 3)", 4, 17, /the "\(" opened at line 4, column 5 is never closed/],
    ["unclosed call", "x = relu(a\n", 1, 11, /the "\(" of relu opened at line 1, column 9 is never closed/],
    ["unexpected character", "x = a $ b", 1, 7, /unexpected character "\$"/],
    ["unexpected Unicode character", "x = a € b", 1, 7, /unexpected character "€"/],
    ["lone dot", "x = .", 1, 5, /unexpected character "\."/],
    ["closing parenthesis after =", "x = )", 1, 5, /expected an expression after "=", found "\)"/],
    ["empty argument", "x = max(a,)", 1, 11, /expected an expression, found "\)"/],
    ["unmatched closing parenthesis", "x = a)", 1, 6, /unmatched "\)"/],
    ["expression on the left", "x + 1 = 2", 1, 1, /left side of "=" must be a single name, found "x \+ 1"/],
    ["number on the left", "3 = x", 1, 1, /must be a single name, found "3"/],
    ["nothing on the left", "= 3", 1, 1, /missing the name to assign to/],
    ["missing =", "x 1", 1, 3, /expected "=" after "x", found "1"/],
    ["missing = at the end", "x", 1, 2, /expected "=" after "x", found the end of the program/],
    ["empty program", "", 1, 1, /empty program/],
    ["only comments", "# nothing\n\n   # here\n", 1, 1, /empty program/],
    ["number with two dots", "x = 1.2.3", 1, 5, /malformed number "1\.2\.3"/],
    ["number with an empty exponent", "x = 1e", 1, 5, /malformed number "1e"/],
    ["unknown function", "x = foo(a)", 1, 5, /unknown function "foo"; known functions: relu, sigmoid, .*crossentropy/],
    ["too many arguments", "x = relu(a, b)", 1, 13, /relu takes 1 argument, got 2/],
    ["too few arguments", "x = max(a)", 1, 10, /max takes 2 arguments, got 1/],
    ["no arguments", "x = relu()", 1, 10, /relu takes 1 argument, got 0/],
    ["three arguments to sum", "x = sum(a, 0, 1)", 1, 15, /sum takes 1 or 2 arguments, got 3/],
    ["axis not an integer", "x = sum(a, b)", 1, 12, /axis of sum must be an integer/],
    ["fractional axis", "x = softmax(a, 1.5)", 1, 16, /axis of softmax must be an integer/],
    ["assigned twice", "x1 = a\ny = 2\nx1 = b", 3, 1, /x1 is assigned twice \(first at line 1\)/],
    ["function name assigned", "ReLU = 2", 1, 1, /"ReLU" is a function name/],
    ["missing operator", "x = a b", 1, 7, /missing operator before "b"/],
    ["implicit product", "x = 2(a)", 1, 6, /missing operator before "\("/],
    ["two assignments in one", "x = 2 = 3", 1, 7, /unexpected "="/],
    ["double power", "y = 1\nz = y ^ ^ 2", 2, 9, /expected an expression after "\^", found "\^"/],
    ["power then product", "  x = a ** * b", 1, 12, /expected an expression after "\*\*", found "\*"/],
    ["comma outside a call", "x = a, b", 1, 6, /expected an operator, ";" or the end of the line, found ","/],
    ["error after a semicolon", "x = a;; y = b c", 1, 15, /missing operator before "c"/],
    ["missing comma in a call", "x = max(a b)", 1, 11, /missing operator before "b"/],
  ])("rejects %s", (_, source, line, column, message) => {
    const err = parseFailure(() => parseProgram(source));
    expect({ line: err.line, column: err.column }).toEqual({ line, column });
    expect(err.message).toMatch(message);
    expect(err.sourceLine).toBe(source.split("\n")[line - 1]!.replace(/\r$/, ""));
    expect(err.message).toContain(`\n  ${err.sourceLine}\n  ${" ".repeat(column - 1)}^`);
  });
});

describe("parseSetValues", () => {
  it("parses names and signed numbers", () => {
    expect(parseSetValues("x0=1,w0=0.3,w1=-0.2,b0=0.1,b1=-0.3")).toEqual({ x0: 1, w0: 0.3, w1: -0.2, b0: 0.1, b1: -0.3 });
    expect(parseSetValues(" x0 = 1 , w1 = − 0.2 ; λ=+2.5E+1\nb=.5,")).toEqual({ x0: 1, w1: -0.2, λ: 25, b: 0.5 });
    expect(parseSetValues("")).toEqual({});
  });

  it.each<[string, number, RegExp]>([
    ["x0=1,w0=", 9, /expected a number, found the end/],
    ["x0=1,w0 0.3", 9, /expected "=" after "w0", found "0"/],
    ["x0=1,x0=2", 6, /x0 is set twice/],
    ["x0=1 w0=2", 6, /expected "," before the next entry, found "w"/],
    ["x0=1.2.3", 4, /malformed number "1\.2\.3"/],
    ["3=1", 1, /expected a name such as x0, found "3"/],
    ["x0=abc", 4, /expected a number, found "a"/],
    ["x0=1e400", 4, /^1e400 is not a finite number/],
    ["x0=-1e999", 4, /^-1e999 is not a finite number/],
    ["x0=Infinity", 4, /^Infinity is not a finite number/],
    ["x0=1,w0=-inf", 9, /^-inf is not a finite number/],
    ["x0=NaN", 4, /^NaN is not a finite number/],
    ["x0=∞", 4, /^∞ is not a finite number/],
  ])("rejects %s", (text, column, message) => {
    const err = parseFailure(() => parseSetValues(text));
    expect({ line: err.line, column: err.column }).toEqual({ line: 1, column });
    expect(err.message).toMatch(message);
  });
});

describe("parseClaims", () => {
  it("parses values and gradients in every notation", () => {
    expect(parseClaims("y1=-0.08, z=0.92, dz/dw1=-0.2")).toEqual([
      { kind: "value", name: "y1", value: -0.08, text: "y1=-0.08" },
      { kind: "value", name: "z", value: 0.92, text: "z=0.92" },
      { kind: "grad", of: "z", wrt: "w1", value: -0.2, text: "dz/dw1=-0.2" },
    ]);
    expect(parseClaims("∂z/∂w1 = −0.2; d z / d w1=1\n dL/dW_1 = 3e-2 \n")).toEqual([
      { kind: "grad", of: "z", wrt: "w1", value: -0.2, text: "∂z/∂w1 = −0.2" },
      { kind: "grad", of: "z", wrt: "w1", value: 1, text: "d z / d w1=1" },
      { kind: "grad", of: "L", wrt: "W_1", value: 0.03, text: "dL/dW_1 = 3e-2" },
    ]);
    expect(parseClaims("dz=1")).toEqual([{ kind: "value", name: "dz", value: 1, text: "dz=1" }]);
    expect(parseClaims("z=inf, z=-Infinity, z=−∞, z=NaN, dz/dw=+INF").map((c) => c.value)).toEqual([Infinity, -Infinity, -Infinity, NaN, Infinity]);
    expect(parseClaims(" ")).toEqual([]);
  });

  it.each<[string, number, number, RegExp]>([
    ["dz/w1=1", 1, 4, /expected "d" or "∂" after "\/", found "w"/],
    ["y1=", 1, 4, /expected a number, found the end/],
    ["dz/dw1", 1, 7, /expected "=" after "dz\/dw1", found the end/],
    ["y1=0.1\nz=abc", 2, 3, /expected a number, found "a"/],
    ["=3", 1, 1, /expected a name such as y1 or a gradient such as dz\/dw1, found "="/],
    ["d/dw=1", 1, 2, /expected a name after "d", found "\/"/],
    ["xz/dw=1", 1, 1, /expected "d" or "∂" to start a gradient/],
    ["z=0.92 y=1", 1, 8, /expected "," before the next entry/],
    ["z=1e", 1, 3, /malformed number "1e"/],
    ["z=infinite", 1, 3, /expected a number, found "i"/],
    ["z=1e400", 1, 3, /^1e400 is not a finite number \(it is too large for a float64\)/],
  ])("rejects %s", (text, line, column, message) => {
    const err = parseFailure(() => parseClaims(text));
    expect({ line: err.line, column: err.column }).toEqual({ line, column });
    expect(err.message).toMatch(message);
  });
});

describe("exprToText", () => {
  it.each([
    ["(a*b)+c", "a·b + c"],
    ["a - (b - c)", "a − (b − c)"],
    ["(a - b) - c", "a − b − c"],
    ["a + (b + c)", "a + (b + c)"],
    ["a / (b * c)", "a/(b·c)"],
    ["(a + b) * c", "(a + b)·c"],
    ["-x^2", "−x^2"],
    ["(-x)^2", "(−x)^2"],
    ["a^(b^c)", "a^b^c"],
    ["(a^b)^c", "(a^b)^c"],
    ["x ^ -2", "x^(−2)"],
    ["a * -b", "a·(−b)"],
    ["- -a", "−(−a)"],
    ["-(a + b)", "−(a + b)"],
    ["relu(x0*w0 + b0)", "ReLU(x0·w0 + b0)"],
    ["X @ W + b", "X @ W + b"],
    ["softmax(s, -1)", "softmax(s, −1)"],
  ])("writes %s as %s", (source, unicode) => {
    const e = parseExpr(source);
    expect(exprToText(e)).toBe(unicode);
    expect(tree(unicode)).toEqual(bare(e));
  });

  it("writes names in LaTeX", () => {
    expect(latexName("Ω2")).toBe("\\Omega_{2}");
    expect(latexName("W_12")).toBe("W_{12}");
    expect(latexName("alpha_t")).toBe("\\alpha_{t}");
  });

  const pos = { line: 1, column: 1, offset: 0, end: 0 };
  const leaf: fc.Arbitrary<Expr> = fc.oneof(
    fc.constantFrom("x0", "w1", "b", "λ", "loss", "x₀", "h_out", "W").map((name): Expr => ({ kind: "var", name, pos })),
    fc.constantFrom("0", "1", "2.5", ".5", "1e-3", "2.5E+4", "10", "3.").map((text): Expr => ({ kind: "num", value: Number(text), text, pos })),
  );
  const axis = fc.tuple(fc.boolean(), fc.constantFrom("0", "1", "2")).map(([negative, text]): Expr => {
    const num: Expr = { kind: "num", value: Number(text), text, pos };
    return negative ? { kind: "unary", op: "-", arg: num, pos } : num;
  });
  const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
    expr: fc.oneof(
      { maxDepth: 5, depthSize: "small" },
      leaf,
      fc.tuple(fc.constantFrom("-" as const, "+" as const), tie("expr")).map(([op, arg]): Expr => ({ kind: "unary", op, arg, pos })),
      fc
        .tuple(fc.constantFrom("+" as const, "-" as const, "*" as const, "/" as const, "^" as const, "@" as const), tie("expr"), tie("expr"))
        .map(([op, left, right]): Expr => ({ kind: "binary", op, left, right, pos })),
      fc.constantFrom(...(Object.keys(FUNCTIONS) as FnName[])).chain((fn) =>
        fc
          .tuple(fc.array(tie("expr"), { minLength: FUNCTIONS[fn]!.minArgs, maxLength: FUNCTIONS[fn]!.minArgs }), fc.option(axis))
          .map(([args, ax]): Expr => {
            if (AXIS_FUNCTIONS.has(fn) && ax !== null) args = [...args, ax];
            return { kind: "call", fn, args, pos };
          }),
      ),
    ),
  }));

  it("round-trips random expressions through the parser", () => {
    fc.assert(
      fc.property(expr, (e) => {
        expect(tree(exprToText(e))).toEqual(bare(e));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps the source text when a printed program is parsed again", () => {
    fc.assert(
      fc.property(expr, (e) => {
        const text = exprToText(e);
        expect(parseProgram(`y = ${text}`).assignments[0]!.source).toBe(text);
      }),
      { numRuns: 100 },
    );
  });
});
