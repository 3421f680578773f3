/** Nearest-rank percentile of the first `length` values, by quickselect (Hoare), O(n) on average; reorders them. */
export function nearestRank(values: Float64Array, fraction: number, length = values.length): number {
  return select(values, Math.max(1, Math.ceil(fraction * length)) - 1, length);
}

/** The k-th smallest (0-based) of the first `length` values; reorders them. */
function select(values: Float64Array, k: number, length: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k]!;
}

/**
 * `nearestRank`, faster when `guess` is close to the answer (a unit's previous p95 usually is): one counting pass,
 * then a selection among the few values above the guess, or none at all when the answer is the guess itself. Returns
 * exactly what `nearestRank` returns. Leaves `values` unchanged unless it falls back; `above` must hold `length`.
 */
export function nearestRankNear(
  values: Float64Array, fraction: number, length: number, guess: number, above: Float64Array,
): number {
  // The answer is the m-th largest value. A zero guess is not used: +0 and -0 are equal to every comparison, so which
  // of them the answer is depends on the order quickselect visits them in, and only the full selection reproduces it.
  const m = length - (Math.max(1, Math.ceil(fraction * length)) - 1);
  if (guess !== 0 && guess === guess) {
    let nAbove = 0;
    let atOrAbove = 0;
    for (let i = 0; i < length; i++) {
      const v = values[i]!;
      above[nAbove] = v;
      nAbove += v > guess ? 1 : 0; // a conditional increment, not a branch: this loop stays straight
      atOrAbove += v >= guess ? 1 : 0;
    }
    if (nAbove < m && atOrAbove >= m) return guess;
    if (nAbove >= m) {
      const answer = select(above, nAbove - m, nAbove);
      if (answer !== 0) return answer;
    }
  }
  return nearestRank(values, fraction, length);
}
