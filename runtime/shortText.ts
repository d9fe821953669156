// Text from a data file quoted in a message (a key or dtype from a .npy header, a tensor name or dtype
// from a safetensors header): a damaged or hostile file can make it any length, and the message stays
// readable only if it is cut.
import { formatInteger } from "../src/ir/format.js";

/** Quoted file text up to this many characters is shown whole. */
const MAX_QUOTED_LENGTH = 40;

/** `text` for a message: whole when short, else its start, `…` and its length. */
export function shortText(text: string): string {
  return text.length <= MAX_QUOTED_LENGTH ? text : `${text.slice(0, MAX_QUOTED_LENGTH)}… (${formatInteger(text.length)} characters)`;
}
