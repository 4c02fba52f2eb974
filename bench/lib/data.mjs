// Deterministic inputs that bench/py/peers.py reproduces exactly, so every library multiplies and
// trains on the same numbers without shipping them across the process boundary.

/** ((i·7919 + seed·104729) mod 2001)/1000 − 1, in [−1, 1]: the same as peers.py pattern(). */
export function pattern(size, seed) {
  const out = new Float32Array(size);
  const s = seed * 104729;
  for (let i = 0; i < size; i++) out[i] = ((i * 7919 + s) % 2001) / 1000 - 1;
  return out;
}

/** Uniform-looking numbers in [0, 1]: (pattern + 1)/2, as peers.py lcg_uniform(). */
export function uniform(size, seed) {
  const out = pattern(size, seed);
  for (let i = 0; i < size; i++) out[i] = (out[i] + 1) / 2;
  return out;
}

/** Integer labels i mod classes for a batch (as peers.py). */
export function labels(batch, classes) {
  const y = new Int32Array(batch);
  for (let i = 0; i < batch; i++) y[i] = i % classes;
  return y;
}

/** Uniform init in ±1/√fanIn from a small LCG (the peers that do not bring their own init). */
export function initUniform(size, fanIn, seed) {
  const out = new Float32Array(size);
  const bound = 1 / Math.sqrt(fanIn);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = (x / 2 ** 32) * 2 * bound - bound;
  }
  return out;
}

/** 32 evenly spread flat indices into an m×n output. */
export function sampleIndices(m, n, count = 32) {
  const total = m * n;
  const idx = [];
  for (let j = 0; j < count; j++) idx.push(Math.min(total - 1, Math.floor(((j + 0.5) * total) / count)));
  return idx;
}

/**
 * float64 reference of the sampled entries of op(A)·op(B) (A stored k×m when ta, else m×k; B n×k
 * when tb, else k×n), with the scale Σ|a·b| of each entry for a relative error.
 */
export function referenceSample(a, b, m, n, k, ta, tb, idx) {
  return idx.map((flat) => {
    const i = Math.floor(flat / n), j = flat % n;
    let s = 0, scale = 0;
    for (let p = 0; p < k; p++) {
      const av = ta ? a[p * m + i] : a[i * k + p];
      const bv = tb ? b[j * k + p] : b[p * n + j];
      s += av * bv;
      scale += Math.abs(av * bv);
    }
    return { value: s, scale };
  });
}

/** Largest |got − ref| / scale over the sample. */
export function sampleError(got, ref) {
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(got[i] - ref[i].value) / Math.max(ref[i].scale, 1e-30);
    if (!(e <= worst)) worst = Number.isFinite(e) ? e : Infinity;
  }
  return worst;
}
