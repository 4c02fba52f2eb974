// Live loss and accuracy charts (uPlot), redrawn at most once per frame, sized to their boxes.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

const css = (name: string, fallback: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

export class Charts {
  private readonly steps: number[] = [];
  private readonly lossV: (number | null)[] = [];
  private readonly acc: (number | null)[] = [];
  private readonly testAcc: (number | null)[] = [];
  private readonly loss: uPlot;
  private readonly accuracy: uPlot;
  private queued = false;

  constructor(lossBox: HTMLElement, accBox: HTMLElement) {
    const fg = css("--fg", "#1b1f24"), grid = css("--border", "#d0d7de");
    const axes = (label: string): uPlot.Axis[] => [
      { label: "step", stroke: fg, grid: { stroke: grid } },
      { label, stroke: fg, grid: { stroke: grid } },
    ];
    const size = (box: HTMLElement) => ({ width: Math.max(200, box.clientWidth), height: 220 });
    this.loss = new uPlot({ ...size(lossBox), axes: axes("loss"), scales: { x: { time: false } }, legend: { show: true },
      series: [{ label: "step" }, { label: "train loss", stroke: css("--accent", "#0b62c4"), width: 2, spanGaps: true }] }, [[], []], lossBox);
    this.accuracy = new uPlot({ ...size(accBox), axes: axes("accuracy"), scales: { x: { time: false }, y: { range: [0, 1] } },
      series: [{ label: "step" }, { label: "train", stroke: css("--accent", "#0b62c4"), width: 2, spanGaps: true },
        { label: "test", stroke: css("--good", "#1a7f37"), width: 2, spanGaps: true, points: { show: true, size: 6 } }] }, [[], [], []], accBox);
    // Resized a frame later and only on a new width: resizing inside the callback would loop.
    let width = lossBox.clientWidth;
    new ResizeObserver(() => requestAnimationFrame(() => {
      if (lossBox.clientWidth === width) return;
      width = lossBox.clientWidth;
      this.loss.setSize(size(lossBox));
      this.accuracy.setSize(size(accBox));
    })).observe(lossBox.parentElement!.parentElement!);
  }

  progress(step: number, loss: number, acc: number): void {
    this.push(step, loss, acc, null);
  }

  test(step: number, acc: number): void {
    this.push(step, null, null, acc);
  }

  reset(): void {
    for (const a of [this.steps, this.lossV, this.acc, this.testAcc]) a.length = 0;
    this.draw();
  }

  private push(step: number, loss: number | null, acc: number | null, test: number | null): void {
    this.steps.push(step);
    this.lossV.push(loss);
    this.acc.push(acc);
    this.testAcc.push(test);
    if (!this.queued) {
      this.queued = true;
      requestAnimationFrame(() => { this.queued = false; this.draw(); });
    }
  }

  private draw(): void {
    this.loss.setData([this.steps, this.lossV]);
    this.accuracy.setData([this.steps, this.acc, this.testAcc]);
  }
}
