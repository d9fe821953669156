// What the conv benches share: whole-number options and the tolerance of a conv output against
// cnnc's float64 reference (checked by referenceCheck.ts before any time counts).

/** float32 against float64 over a 576-term reduction of values around 1. */
export const CONV_TOLERANCE = { rtol: 1e-4, atol: 1e-4 };

/** The whole-number value of `--name` (at least 1; 0 allowed for `--warmup`), or `fallback`. */
export function wholeOption(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < (name === "--warmup" ? 0 : 1)) throw new Error(`${name} needs a positive integer, got \`${args[index + 1] ?? ""}\``);
  return value;
}
