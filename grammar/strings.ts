// String literals: `"path/to/data"` with backslash escapes \" \\ \n \t \r.

const escapes: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r" };

export interface DecodedString {
  value: string;
  /** False when the literal runs to the end of the line without a closing quote. */
  terminated: boolean;
  /** Offsets (within the image) of backslashes followed by a character we do not know how to escape. */
  unknownEscapes: number[];
}

/** Decodes the image of a StringLiteral token (quotes included). Unknown escapes keep their character. */
export function decodeString(image: string): DecodedString {
  const terminated = /^"(?:[^"\\\r\n]|\\.)*"$/.test(image);
  const inner = image.slice(1, terminated ? -1 : undefined);
  let value = "";
  const unknownEscapes: number[] = [];
  for (let i = 0; i < inner.length; i++) {
    const char = inner.charAt(i);
    if (char !== "\\" || i + 1 >= inner.length) {
      value += char;
      continue;
    }
    const next = inner.charAt(i + 1);
    const replacement = escapes[next];
    if (replacement === undefined) {
      unknownEscapes.push(i + 1); // +1: position in the image, after the opening quote
      value += next;
    } else {
      value += replacement;
    }
    i++;
  }
  return { value, terminated, unknownEscapes };
}
