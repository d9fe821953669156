// User text on its way to a terminal. A source file (or a name or string quoted from it) may hold
// characters a terminal acts on instead of printing (ESC sequences that clear the screen or retitle
// the window, BEL, other C0/C1 controls), characters that reorder what follows (bidi overrides such as
// U+202E) or break lines: those are shown as escapes (`\x1b`, `\u{202e}`). Wide characters (CJK,
// emoji) take two terminal cells and combining marks none, so carets can be lined up under them.
import { formatInteger } from "./numberText.js";

/** Controls, DEL, bidi controls, line/paragraph separators, a BOM past the start, lone surrogates. */
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Bidi_Control}\u2028\u2029\ufeff]|\p{Cs}/gu;
const UNSAFE_CHARACTER = new RegExp(UNSAFE_CHARACTERS.source, "u");
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200d\u2060\ufe00-\ufe0f]$/u;

const NAMED_ESCAPES: Readonly<Record<string, string>> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** How an unsafe character is shown: `\t`, `\x1b`, `\u{202e}`. */
export function escapeCharacter(char: string): string {
  const named = NAMED_ESCAPES[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0) ?? 0;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}

export function isUnsafeCharacter(char: string): boolean {
  return UNSAFE_CHARACTER.test(char);
}

/**
 * `text` with every unsafe character escaped and nothing else changed: for what must stay whole, such
 * as a file path (an editor jumps to `file:line:col`). With `keepNewlines`, line breaks stay line
 * breaks (a multi-line message).
 */
export function escapeUnsafe(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(UNSAFE_CHARACTERS, (char) => (char === "\n" && options.keepNewlines === true ? char : escapeCharacter(char)));
}

/**
 * Words (runs without whitespace) longer than this in a diagnostic come from source text (a 1 MB
 * identifier or run of stray characters): shortened. Callers quoting paths pass a larger bound.
 */
export const SOURCE_WORD_LENGTH = 80;
/** Longer than any real path (Linux's PATH_MAX), shorter than a pasted megabyte. */
export const PATH_WORD_LENGTH = 4096;

/**
 * A message, hint or note made safe to print: unsafe characters escaped (line breaks too, unless
 * `keepNewlines`), and any word longer than `maxWordLength` shortened around a `…` (its first 5/8
 * and last 1/4).
 */
export function displayText(text: string, options: { maxWordLength?: number; keepNewlines?: boolean } = {}): string {
  const maxWordLength = options.maxWordLength ?? SOURCE_WORD_LENGTH;
  const escaped = escapeUnsafe(text, { keepNewlines: options.keepNewlines === true });
  const head = Math.floor((maxWordLength * 5) / 8);
  const tail = Math.floor(maxWordLength / 4);
  return escaped.replace(new RegExp(`\\S{${maxWordLength + 1},}`, "gu"), (word) => {
    const chars = Array.from(word);
    if (chars.length <= maxWordLength) return word;
    return `${chars.slice(0, head).join("")}…${chars.slice(chars.length - tail).join("")}`;
  });
}

/** Quoted user text up to this many characters is shown whole (see shortText). */
const MAX_QUOTED_LENGTH = 40;

/**
 * User text quoted in a message (a string from the source, a key or tensor name from a data file): a
 * damaged or hostile file can make it any length, so past MAX_QUOTED_LENGTH characters it is its start,
 * `…` and its length. `quote` wraps the part shown (JSON.stringify for a string literal).
 */
export function shortText(text: string, quote: (shown: string) => string = (shown) => shown): string {
  const characters = Array.from(text);
  if (characters.length <= MAX_QUOTED_LENGTH) return quote(text);
  return `${quote(characters.slice(0, MAX_QUOTED_LENGTH).join(""))}… (${formatInteger(characters.length)} characters)`;
}

/**
 * East Asian wide and fullwidth characters and the common emoji blocks (two cells in a terminal).
 * Not the full Unicode width table: enough that carets stay under CJK and emoji in comments and strings.
 */
const WIDE_RANGES: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f900, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];

/** Terminal cells one (safe, non-tab) character takes: 0, 1 or 2. */
export function cellWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x300) return 1;
  if (ZERO_WIDTH.test(char)) return 0;
  return WIDE_RANGES.some(([low, high]) => code >= low && code <= high) ? 2 : 1;
}
