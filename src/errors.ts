// Errors caused by the user (a bad file, a wrong shape, an unknown backend) as opposed to our bugs.
// The CLI prints a CnncUserError as `error: message` plus its hint and exits 1; anything else that
// escapes is an internal error (exit 2) and is reported as a bug.
import { displayText, escapeUnsafe, PATH_WORD_LENGTH } from "../grammar/displayText.js";

export class CnncUserError extends Error {
  readonly hint: string | undefined;
  /** e.g. `weights.safetensors` or `examples/x.cnn:3:5`: where the problem is, when known. */
  readonly location: string | undefined;

  constructor(message: string, options: { hint?: string; location?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CnncUserError";
    this.hint = options.hint;
    this.location = options.location;
  }

  /**
   * The full text the CLI prints, safe for a terminal: the message quotes user text (paths, tensor
   * names from a weights file), so control characters are escaped and a word longer than any path is
   * shortened.
   */
  describe(): string {
    const safe = (text: string) => displayText(text, { maxWordLength: PATH_WORD_LENGTH, keepNewlines: true });
    const where = this.location === undefined ? "" : `${escapeUnsafe(this.location)}: `;
    const help = this.hint === undefined ? "" : `\n  = help: ${safe(this.hint)}`;
    return `${where}error: ${safe(this.message)}${help}`;
  }
}
