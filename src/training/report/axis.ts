// Axis ranges and ticks for the report's charts: "nice" steps (1, 2, 2.5 or 5 times a power of ten)
// covering the data, and labels with just the decimals the step needs. A constant series or a single
// value gets a range around it, so no scale ever divides by zero.

export interface Axis {
  /** The ends of the axis: the first and last ticks. */
  min: number;
  max: number;
  ticks: number[];
  /** Decimals that write every tick exactly (`0.25` needs 2). */
  decimals: number;
}

const NICE_STEPS = [1, 2, 2.5, 5, 10];

/** The smallest nice step with which about `count` intervals cover `range`. */
function niceStep(range: number, count: number): number {
  const rough = range / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  return (NICE_STEPS.find((step) => step * power >= rough * (1 - 1e-9)) ?? 10) * power;
}

function decimalsOf(step: number): number {
  for (let decimals = 0; decimals < 12; decimals++) {
    const scaled = step * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * scaled) return decimals;
  }
  return 12;
}

/**
 * An axis over the finite numbers in `values` (others are ignored; none at all gives 0 to 1), with
 * about `intervals` intervals; `includeZero` stretches it to 0 (epochs start there).
 */
export function niceAxis(values: Iterable<number>, intervals = 5, includeZero = false): Axis {
  let low = includeZero ? 0 : Number.POSITIVE_INFINITY;
  let high = includeZero ? 0 : Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  if (low > high) [low, high] = [0, 1];
  if (low === high) {
    // A constant: a range around it (of its own size, or 1 around zero).
    const half = low === 0 ? 1 : Math.abs(low) / 2;
    [low, high] = includeZero && low >= 0 ? [0, Math.max(low, 0) + 2 * half] : [low - half, high + half];
  }
  const step = niceStep(high - low, intervals);
  const first = Math.floor(low / step + 1e-9);
  const last = Math.ceil(high / step - 1e-9);
  const decimals = decimalsOf(step);
  // Ticks from integer multiples, rounded, so 0.1 * 3 is written and placed as 0.3.
  const ticks = Array.from({ length: last - first + 1 }, (_, index) => Number(((first + index) * step).toFixed(decimals)));
  return { min: ticks[0]!, max: ticks[ticks.length - 1]!, ticks, decimals };
}

/** A tick's label: `0.25`, `3`, or with `percent` (values are fractions) `85%`. */
export function tickLabel(value: number, axis: Axis, percent = false): string {
  if (!percent) return value.toFixed(axis.decimals);
  return `${(100 * value).toFixed(Math.max(0, axis.decimals - 2))}%`;
}
