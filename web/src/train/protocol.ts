// The messages between the train tab and its worker (structured-cloneable).

export interface TrainConfig {
  /** Absolute URL of digits.bin. */
  dataUrl: string;
  model: "mlp" | "cnn";
  /** The MLP's widths, e.g. "784-128-10" (model "mlp"). */
  spec: string;
  optimizer: "sgd" | "adam" | "adamw";
  lr: number;
  batchSize: number;
  epochs: number;
  seed: number;
  /** A progress message every this many steps. */
  reportEvery: number;
  /** Test accuracy this often during an epoch (and after each epoch). */
  testEverySeconds: number;
}

export type ToWorker =
  | { type: "start"; config: TrainConfig }
  | { type: "pause" } | { type: "resume" } | { type: "stop" }
  | { type: "predict"; id: number; pixels: Float32Array }
  | { type: "checkpoint"; id: number };

export interface Misclassified { index: number; label: number; pred: number; pixels: Uint8Array }

export type FromWorker =
  | { type: "backend"; name: string; detail: string; threads: number; isolated: boolean; cores: number }
  | { type: "started"; nTrain: number; nTest: number; parameters: number }
  | { type: "progress"; step: number; epoch: number; epochStep: number; steps: number; loss: number; accuracy: number; samplesPerSecond: number }
  | { type: "test"; step: number; epoch: number; epochEnd: boolean; accuracy: number; loss: number; n: number; wrong: Misclassified[] }
  | { type: "paused" | "resumed"; step: number }
  | { type: "finished"; step: number; stopped: boolean }
  | { type: "prediction"; id: number; probs: number[] }
  | { type: "checkpoint"; id: number; bytes: Uint8Array; step: number }
  | { type: "error"; during: ToWorker["type"]; field?: string; name: string; message: string };
