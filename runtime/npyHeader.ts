// The header of a .npy file: a Python dict literal with exactly the keys 'descr', 'fortran_order' and
// 'shape', e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, padded with spaces and a
// newline. Parsed strictly, as NumPy does (a missing, repeated or extra key is an error, and so is a
// shape entry that is not a whole number), rather than picked out with patterns, so that a damaged
// header is refused instead of half-read.
import { CnncUserError } from "../src/errors.js";
import { formatInteger } from "../src/ir/format.js";
import { shortText } from "../grammar/displayText.js";

export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

type Value = string | boolean | number[];

const KEYS = ["descr", "fortran_order", "shape"] as const;

class HeaderReader {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly fail: (what: string, position: number) => CnncUserError,
  ) {}

  private skipSpace(): void {
    while (/\s/.test(this.text[this.position] ?? "")) this.position += 1;
  }

  /** Consumes `token` (after spaces) if it is next. */
  accept(token: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(token, this.position)) return false;
    this.position += token.length;
    return true;
  }

  expect(token: string, what: string): void {
    if (!this.accept(token)) throw this.fail(`expected ${what} at character ${this.position + 1}`, this.position);
  }

  string(): string {
    this.skipSpace();
    const quote = this.text[this.position];
    if (quote !== "'" && quote !== '"') throw this.fail(`expected a quoted string at character ${this.position + 1}`, this.position);
    const end = this.text.indexOf(quote, this.position + 1);
    if (end < 0) throw this.fail("unterminated string", this.position);
    const value = this.text.slice(this.position + 1, end);
    this.position = end + 1;
    return value;
  }

  value(key: string): Value {
    if (this.accept("True")) return true;
    if (this.accept("False")) return false;
    if (this.accept("(")) return this.tuple(key);
    return this.string();
  }

  /** The rest of a tuple of whole numbers after its `(`; Python 2 wrote long integers as `3L`. */
  tuple(key: string): number[] {
    const entries: number[] = [];
    for (;;) {
      if (this.accept(")")) return entries;
      this.skipSpace();
      const digits = /^\d+L?/.exec(this.text.slice(this.position))?.[0];
      if (digits === undefined) {
        throw this.fail(`'${key}' holds something that is not a whole number at character ${this.position + 1}`, this.position);
      }
      const entry = Number(digits.replace(/L$/, ""));
      if (!Number.isSafeInteger(entry)) throw this.fail(`'${key}' entry ${shortText(digits)} is too large`, this.position);
      this.position += digits.length;
      entries.push(entry);
      if (!this.accept(",")) {
        this.expect(")", "`,` or `)`");
        return entries;
      }
    }
  }

  /** Where the reader is, for the window of a long header quoted in an error. */
  get offset(): number {
    return this.position;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.position === this.text.length;
  }
}

/** Quoted header text up to this many characters is shown whole; a longer one, this much of it. */
const MAX_QUOTED_HEADER = 120;
/** Characters shown before the problem in a window of a long header. */
const WINDOW_BEFORE = 40;
/** The header as quoted in an error: whole when short, else a window around `position` and where it is. */
function quoteHeader(text: string, position: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= MAX_QUOTED_HEADER) return JSON.stringify(trimmed);
  const start = Math.max(0, Math.min(position - WINDOW_BEFORE, text.length - MAX_QUOTED_HEADER));
  const end = start + MAX_QUOTED_HEADER;
  return `${JSON.stringify(text.slice(start, end))} (characters ${formatInteger(start + 1)} to ${formatInteger(end)} of the header's ${formatInteger(text.length)})`;
}

export function parseNpyHeader(text: string, file: string): NpyHeader {
  const fail = (what: string, position: number): CnncUserError =>
    new CnncUserError(`${file} has a malformed .npy header (${what}): ${quoteHeader(text, position)}`, {
      hint: "write the file with numpy.save",
    });
  const reader = new HeaderReader(text, fail);
  const entries = new Map<string, Value>();
  reader.expect("{", "`{`");
  while (!reader.accept("}")) {
    const keyStart = reader.offset;
    const key = reader.string();
    if (!(KEYS as readonly string[]).includes(key)) throw fail(`unexpected key '${shortText(key)}'`, keyStart);
    if (entries.has(key)) throw fail(`'${key}' is given twice`, keyStart);
    reader.expect(":", "`:`");
    entries.set(key, reader.value(key));
    if (!reader.accept(",")) {
      reader.expect("}", "`,` or `}`");
      break;
    }
  }
  if (!reader.atEnd()) throw fail("text after the closing `}`", reader.offset);
  const descr = entries.get("descr");
  const fortranOrder = entries.get("fortran_order");
  const shape = entries.get("shape");
  if (typeof descr !== "string") throw fail(descr === undefined ? "no 'descr'" : "'descr' is not a string", 0);
  if (typeof fortranOrder !== "boolean") {
    throw fail(fortranOrder === undefined ? "no 'fortran_order'" : "'fortran_order' is not True or False", 0);
  }
  if (!Array.isArray(shape)) throw fail(shape === undefined ? "no 'shape'" : "'shape' is not a tuple", 0);
  return { descr, fortranOrder, shape };
}
