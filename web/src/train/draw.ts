// The drawing pad: pointer events (mouse, pen, touch), thick round strokes on a transparent canvas;
// when the pen lifts, the ink (alpha) becomes a 28×28 digit as MNIST's were made (digits.ts).
import { mnistify } from "./digits.js";

export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private last: [number, number] | null = null;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly done: (pixels: Float32Array) => void) {
    this.ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    canvas.style.touchAction = "none"; // a finger draws instead of scrolling the page
    canvas.addEventListener("pointerdown", (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.last = this.at(e);
      this.line(this.last, this.last);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!this.last) return;
      const p = this.at(e);
      this.line(this.last, p);
      this.last = p;
    });
    const end = () => {
      if (!this.last) return;
      this.last = null;
      this.done(this.pixels());
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  /** The pointer in canvas pixels (the canvas may be shown smaller than its 280×280). */
  private at(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.canvas.width, ((e.clientY - r.top) / r.height) * this.canvas.height];
  }

  private line(a: [number, number], b: [number, number]): void {
    const c = this.ctx;
    c.strokeStyle = getComputedStyle(this.canvas).color; // the theme's text colour; the ink is the alpha
    c.lineWidth = this.canvas.width / 11;
    c.lineCap = c.lineJoin = "round";
    c.beginPath();
    c.moveTo(a[0], a[1]);
    c.lineTo(b[0], b[1]);
    c.stroke();
  }

  /** The drawing as 784 values in [0, 1], centred and scaled as MNIST's digits. */
  pixels(): Float32Array {
    const { width: w, height: h } = this.canvas, rgba = this.ctx.getImageData(0, 0, w, h).data, ink = new Float32Array(w * h);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4 + 3]! / 255;
    return mnistify(ink, w, h);
  }

  clear(): void {
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }
}
