// Whole-number options (--batch, --seed): written in digits, within what cnnc counts exactly. 2^53 - 1
// is the largest integer a double holds exactly; it is also the real bound of a seed (runtime/init.ts
// seeds each generator from the seed's low and high 32-bit words, so every seed up to it is distinct).
import { CnncUserError } from "../errors.js";
import { formatInteger } from "../ir/format.js";

const MAX_WHOLE_NUMBER = Number.MAX_SAFE_INTEGER;
const MAX_TEXT = `${formatInteger(MAX_WHOLE_NUMBER)} (2^53 - 1)`;

/**
 * The value of `text` when it is a whole number from `minimum` to 2^53 - 1; otherwise what it must be,
 * to end a sentence `... must be <requirement>`: `a whole number written in digits, from 1 to ...`,
 * `at least 1`, `at most 9,007,199,254,740,991 (2^53 - 1)`.
 */
export function parseWholeNumber(text: string, minimum: number): { value: number } | { requirement: string } {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return { requirement: `a whole number written in digits, from ${formatInteger(minimum)} to ${MAX_TEXT}` };
  const value = Number(trimmed);
  if (value < minimum) return { requirement: `at least ${formatInteger(minimum)}` };
  if (value > MAX_WHOLE_NUMBER) return { requirement: `at most ${MAX_TEXT}` };
  return { value };
}

/**
 * A whole-number option's value (see parseWholeNumber), or a CnncUserError naming the option (with
 * `example`, a hint such as `e.g. --epochs 5`).
 */
export function parseCountOption(text: string, option: string, minimum: number, example?: string): number {
  const parsed = parseWholeNumber(text, minimum);
  if ("requirement" in parsed) {
    throw new CnncUserError(`${option} must be ${parsed.requirement}, got \`${text}\``, example === undefined ? {} : { hint: `e.g. ${option} ${example}` });
  }
  return parsed.value;
}
