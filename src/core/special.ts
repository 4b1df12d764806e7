// Special functions in float64 for the op references (independent of the WGSL approximations).

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) to about 1e-15: the Maclaurin series below |x| = 3 (its largest term there is ~170, so ~2e-14 is
 * lost to cancellation at worst), above it 1 − erfc(x) with erfc's continued fraction (Abramowitz–Stegun
 * 7.1.14) evaluated bottom-up, which converges fast for large x.
 */
export function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 3) {
    // 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 100 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (a > 27) return Math.sign(x); // erfc(27) < 1e-300
  // erfc(a) = e^{−a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...)))))
  let f = a;
  for (let n = 200; n >= 1; n--) f = a + n / 2 / f;
  const erfc = Math.exp(-a * a) / (Math.sqrt(Math.PI) * f);
  return Math.sign(x) * (1 - erfc);
}
