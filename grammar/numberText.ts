// How whole numbers and counts read in messages, for every stage: the grammar's limits, elaboration's,
// shape inference, the summary, the runtime (src/ir/format.ts re-exports these; the grammar cannot
// import from src/). Counts are exact up to 2^53 - 1, the largest whole number a double holds exactly.

/** `1,792`, `100,000`; past 2^53 - 1, where a double is no longer exact (or a bigint gets long), `about 5.76e+17`. */
export function formatInteger(value: number | bigint): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return String(value);
    const whole = Math.round(value);
    return Number.isSafeInteger(whole) ? whole.toLocaleString("en-US") : `about ${whole.toExponential(2)}`;
  }
  const magnitude = value < 0n ? -value : value;
  if (magnitude <= BigInt(Number.MAX_SAFE_INTEGER)) return value.toLocaleString("en-US");
  return `about ${value < 0n ? "-" : ""}${exponentForm(magnitude.toString())}`;
}

/** `5.76e+17`, as toExponential(2) writes it, for the digits of a whole number (far past what a double holds: repetition counts multiply). */
function exponentForm(digits: string): string {
  let exponent = digits.length - 1;
  let mantissa = Number(`${digits[0]}.${digits.slice(1, 17)}`).toFixed(2);
  if (mantissa === "10.00") {
    mantissa = "1.00";
    exponent += 1;
  }
  return `${mantissa}e+${exponent}`;
}

/** `1 layer`, `100,000 layers`. */
export function countOf(count: number | bigint, noun: string): string {
  return `${formatInteger(count)} ${noun}${count === 1 || count === 1n ? "" : "s"}`;
}

/** 2^53 - 1 as messages write it. */
export const MAX_WHOLE_NUMBER_TEXT = `${formatInteger(Number.MAX_SAFE_INTEGER)} (2^53 - 1)`;

/** Why a whole number or count past 2^53 - 1 is refused: the clause or note each such message has. */
export const WHOLE_NUMBER_LIMIT = `whole numbers go up to ${MAX_WHOLE_NUMBER_TEXT}`;

/** `about 5.76e+17 parameters, more than cnnc can count exactly`: a count past 2^53 - 1. */
export function inexactCount(count: number, what: string): string {
  return `${formatInteger(count)} ${what}, more than cnnc can count exactly`;
}
