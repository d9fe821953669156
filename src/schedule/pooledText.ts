// The text a conv workload carries for the pool its kernel computes (conv + pool fusion): part of the
// workload key, and read back by the direct kind, whose register block holds whole pool windows.
import type { PoolAttrs } from "../ir/graph.js";

/** `max 2x2/2x2`, then ` pad T,B,L,R`, ` ceil` and ` count_pad` where they apply: everything that changes the pooled output. */
export function pooledText(attrs: PoolAttrs): string {
  const { top, bottom, left, right } = attrs.padding;
  const padded = top + bottom + left + right > 0 ? ` pad ${top},${bottom},${left},${right}` : "";
  const rounding = attrs.rounding === "ceil" ? " ceil" : "";
  const countPadding = attrs.kind === "avg" && attrs.countPadding && padded !== "" ? " count_pad" : "";
  return `${attrs.kind} ${attrs.window[0]}x${attrs.window[1]}/${attrs.stride[0]}x${attrs.stride[1]}${padded}${rounding}${countPadding}`;
}

/** The cells of one pool window in a workload's `pooled` text (1 for "": no pool). */
export function pooledWindowCells(pooled: string): number {
  if (pooled === "") return 1;
  const match = /^\w+ (\d+)x(\d+)\//.exec(pooled);
  if (match === null) throw new Error(`internal: malformed pooled workload text "${pooled}"`);
  return Number(match[1]) * Number(match[2]);
}
