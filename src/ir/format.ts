// How shapes and counts are written for people: diagnostics use the language's CxHxW order (what the
// user writes after `input`); the summary table uses the course notes' HxWxC volumes (`224x224x64`).
import type { Shape } from "./graph.js";

// Whole numbers and counts are formatted where the grammar can use them too.
export { countOf, formatInteger, inexactCount, MAX_WHOLE_NUMBER_TEXT, WHOLE_NUMBER_LIMIT } from "../../grammar/numberText.js";

/** `3x32x32` — channels first, as in `input image: 3x32x32`. */
export function formatDims(shape: readonly number[]): string {
  return shape.join("x");
}

/** `224x224x64` — the notes' volume order (height x width x depth); `7x5` for a CxL sequence; `4096` for features. */
export function formatVolume(shape: Shape): string {
  if (shape.length <= 1) return shape.join("x");
  const [channels, ...spatial] = shape;
  return [...spatial, channels].join("x");
}

/** `224*224*64`, in the same order as formatVolume. */
export function formatVolumeProduct(shape: Shape): string {
  if (shape.length <= 1) return shape.join("*");
  const [channels, ...spatial] = shape;
  return [...spatial, channels].join("*");
}

/** `512 bytes`, `3.5 KiB`, `16 MiB`, `3.2 GiB`: sizes of files, buffers and arrays in messages. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** `3.2M`, `803K`, `15.5G`, `760`: short magnitudes for table cells. */
export function formatMagnitude(value: number): string {
  const units: [number, string][] = [
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "K"],
  ];
  for (const [scale, suffix] of units) {
    if (value >= scale) {
      const scaled = value / scale;
      const text = scaled >= 100 ? scaled.toFixed(0) : scaled.toFixed(1);
      return `${text.replace(/\.0$/, "")}${suffix}`;
    }
  }
  return String(value);
}

/** A number for arithmetic notes: integers as is, others with at most two decimals (`2.33`). */
export function formatDecimal(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(2)));
}

/** "a, b or c" */
export function formatAlternatives(items: readonly string[], conjunction = "or"): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${conjunction} ${items[items.length - 1]}`;
}
