// Number and dims literals become values here, and only when the value is exactly what was written
// or its closest float: a whole number past 2^53 (which a double cannot hold exactly), a float that
// overflows to Infinity or a non-zero float that underflows to 0 is reported, quoted as written.
import { WHOLE_NUMBER_LIMIT } from "./numberText.js";

export type LiteralReading<T> = { ok: true; value: T } | { ok: false; code: string; message: string; hint: string };

/** A literal as it reads in a message: short ones whole, long ones cut in the middle with their length. */
export function quoteLiteral(image: string): string {
  if (image.length <= 30) return `\`${image}\``;
  return `\`${image.slice(0, 12)}…${image.slice(-6)}\` (${image.length} ${/^\d+$/.test(image) ? "digits" : "characters"})`;
}

/** A NumberLiteral token's image (`12`, `0.5`, `1e-5`): integers are the ones without `.`, `e` or `E`. */
export function readNumberLiteral(image: string): LiteralReading<{ value: number; isInteger: boolean }> {
  const isInteger = !/[.eE]/.test(image);
  const value = Number(image);
  if (isInteger && !Number.isSafeInteger(value)) {
    return {
      ok: false,
      code: "number-too-large",
      message: `the whole number ${quoteLiteral(image)} is too large: ${WHOLE_NUMBER_LIMIT}`,
      hint: "sizes and counts are far smaller; for a real number this large write a float with an exponent, e.g. 1e20",
    };
  }
  if (!Number.isFinite(value)) {
    return {
      ok: false,
      code: "number-too-large",
      message: `the number ${quoteLiteral(image)} is too large to represent: numbers go up to about 1.8e308`,
      hint: "write a smaller number",
    };
  }
  const mantissa = image.split(/[eE]/)[0] ?? "";
  if (value === 0 && /[1-9]/.test(mantissa)) {
    return {
      ok: false,
      code: "number-too-small",
      message: `the number ${quoteLiteral(image)} is too small to represent (it would be 0): the smallest positive number is about 5e-324`,
      hint: "write 0 if zero is meant, or a larger number",
    };
  }
  return { ok: true, value: { value, isInteger } };
}

/** A Dims token's image (`3x32x32`): each size must be a whole number a double holds exactly. */
export function readDimsLiteral(image: string): LiteralReading<number[]> {
  const parts = image.split("x");
  const tooLarge = parts.find((part) => !Number.isSafeInteger(Number(part)));
  if (tooLarge !== undefined) {
    return {
      ok: false,
      code: "number-too-large",
      message: `the size ${quoteLiteral(tooLarge)} in ${quoteLiteral(image)} is too large: ${WHOLE_NUMBER_LIMIT}`,
      hint: "check the dims; each is a size like 3 or 224",
    };
  }
  return { ok: true, value: parts.map(Number) };
}
