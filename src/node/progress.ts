import cliProgress from "cli-progress";
import type { BatchInfo, EpochLog, Reporter } from "../train/fit.js";

const pct = (v: number | undefined) => (v === undefined ? "-" : `${(v * 100).toFixed(2)}%`);
const eta = (s: number) => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.round(s)}s`);

/**
 * A live terminal progress bar (cli-progress): epoch, step/total, loss, accuracy, samples/s, ETA;
 * each finished epoch stays on screen as one line.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): Reporter {
  let bar: cliProgress.SingleBar | null = null;
  let lastDraw = 0;
  const make = () =>
    new cliProgress.SingleBar(
      {
        stream, hideCursor: true, clearOnComplete: true, barsize: 24, fps: 10,
        format: "epoch {epoch} [{bar}] {value}/{total}  loss {loss}  acc {acc}  {sps} samples/s  ETA {etas}",
      },
      cliProgress.Presets.shades_classic,
    );
  return {
    batch(i: BatchInfo) {
      if (bar === null) {
        bar = make();
        bar.start(i.steps, 0, { epoch: `${i.epoch + 1}/${i.epochs}`, loss: "-", acc: "-", sps: "-", etas: "-" });
      }
      const now = performance.now();
      if (now - lastDraw < 100 && i.step < i.steps) return;
      lastDraw = now;
      bar.update(i.step, { loss: i.loss.toFixed(4), acc: pct(i.accuracy), sps: Math.round(i.samplesPerSecond), etas: eta(i.eta) });
    },
    epoch(l: EpochLog, { epochs }) {
      bar?.stop();
      bar = null;
      const val = l.valAccuracy !== undefined ? `  val_loss ${l.valLoss!.toFixed(4)}  val_acc ${pct(l.valAccuracy)}` : "";
      stream.write(`epoch ${l.epoch + 1}/${epochs}  loss ${l.loss.toFixed(4)}  acc ${pct(l.accuracy)}${val}  ${Math.round(l.samplesPerSecond)} samples/s  ${l.seconds.toFixed(1)}s\n`);
    },
    end() {
      bar?.stop();
      bar = null;
    },
  };
}
