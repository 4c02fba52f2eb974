/**
 * Independent reference optimizers on plain arrays, written from the algorithms in PyTorch's
 * documentation (one param's weights `w` and gradient `g`; `state` is per param).
 */
export type RefStep = (w: number[], g: number[], state: Record<string, any>) => void;

export const refSGD = (lr: number, mu = 0, damp = 0, nesterov = false, wd = 0): RefStep => (w, g, s) => {
  const gt = g.map((x, i) => x + wd * w[i]);
  let d = gt;
  if (mu !== 0) {
    s.b = s.b === undefined ? [...gt] : s.b.map((b: number, i: number) => mu * b + (1 - damp) * gt[i]);
    d = nesterov ? gt.map((x, i) => x + mu * s.b[i]) : s.b;
  }
  for (let i = 0; i < w.length; i++) w[i] = w[i] - lr * d[i];
};

/** Adam / AdamW. AMSGrad keeps the running max of the raw v (as PyTorch's implementation does). */
export const refAdam = (lr: number, b1: number, b2: number, eps: number, wd: number, amsgrad: boolean, decoupled: boolean): RefStep => (w, g, s) => {
  s.t = (s.t ?? 0) + 1;
  s.m ??= w.map(() => 0);
  s.v ??= w.map(() => 0);
  s.vmax ??= w.map(() => 0);
  if (decoupled) for (let i = 0; i < w.length; i++) w[i] = w[i] - lr * wd * w[i];
  const gt = decoupled ? g : g.map((x, i) => x + wd * w[i]);
  for (let i = 0; i < w.length; i++) {
    s.m[i] = b1 * s.m[i] + (1 - b1) * gt[i];
    s.v[i] = b2 * s.v[i] + (1 - b2) * gt[i] * gt[i];
    const mhat = s.m[i] / (1 - Math.pow(b1, s.t));
    let v = s.v[i];
    if (amsgrad) v = s.vmax[i] = Math.max(s.vmax[i], s.v[i]);
    const vhat = v / (1 - Math.pow(b2, s.t));
    w[i] = w[i] - (lr * mhat) / (Math.sqrt(vhat) + eps);
  }
};

export const refRMSprop = (lr: number, alpha: number, eps: number, wd: number, mu: number, centered: boolean): RefStep => (w, g, s) => {
  s.v ??= w.map(() => 0);
  s.gavg ??= w.map(() => 0);
  s.b ??= w.map(() => 0);
  for (let i = 0; i < w.length; i++) {
    const gt = g[i] + wd * w[i];
    s.v[i] = alpha * s.v[i] + (1 - alpha) * gt * gt;
    let vt = s.v[i];
    if (centered) {
      s.gavg[i] = alpha * s.gavg[i] + (1 - alpha) * gt;
      vt = vt - s.gavg[i] * s.gavg[i];
    }
    if (mu > 0) {
      s.b[i] = mu * s.b[i] + gt / (Math.sqrt(vt) + eps);
      w[i] = w[i] - lr * s.b[i];
    } else w[i] = w[i] - (lr * gt) / (Math.sqrt(vt) + eps);
  }
};
