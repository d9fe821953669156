// Per-channel reductions of training-mode batchnorm: a channel's values (N * inner of them, spread over
// every sample) are too many for one invocation (llvmpipe's loop limit, loopLimit.ts, and no
// parallelism), so they are cut into chunks of consecutive values, one invocation per (channel, chunk)
// reduces its chunk into a scratch partial, and one invocation per channel then merges that channel's
// partials in chunk order (deterministic: no atomics, the same sums every run).
import { loopPasses } from "../loopLimit.js";
import { u32Constants } from "../wgsl.js";

/** Values per chunk at least; enough work per invocation to pay for its partial's store and merge. */
const MIN_CHUNK_LENGTH = 256;
/** Chunks per channel at most, so that the merging invocation's loop stays short. */
const MAX_CHUNKS = 4096;

export interface ChannelChunks {
  channels: number;
  inner: number;
  /** Values per channel: batch * inner. */
  count: number;
  /** Values per chunk (the last chunk of a channel may hold fewer). */
  chunkLength: number;
  /** Chunks per channel. */
  chunks: number;
}

export function channelChunks(batch: number, channels: number, inner: number): ChannelChunks {
  const count = batch * inner;
  const chunkLength = Math.max(MIN_CHUNK_LENGTH, Math.ceil(count / MAX_CHUNKS));
  return { channels, inner, count, chunkLength, chunks: Math.ceil(count / chunkLength) };
}

/** `C`, `INNER`, `COUNT`, `CHUNK`, `CHUNKS` and `element_index(channel, j)`: the j-th value of a channel in [N, C, inner]. */
export function chunkDeclarations(layout: ChannelChunks): string {
  return [
    u32Constants({ C: layout.channels, INNER: layout.inner, COUNT: layout.count, CHUNK: layout.chunkLength, CHUNKS: layout.chunks }),
    "",
    "// The j-th value of channel `channel` (j = sample * INNER + position) in an [N, C, INNER] tensor.",
    "fn element_index(channel: u32, j: u32) -> u32 {",
    "  return (j / INNER * C + channel) * INNER + j % INNER;",
    "}",
  ].join("\n");
}

/**
 * The opening of a chunk kernel's body (one invocation per (channel, chunk), partial index = `index`):
 * `channel`, `first` (the chunk's first j), `length` (its values) and `quads_end` (where chunkLoop's 4-wide passes end).
 */
export const CHUNK_PROLOGUE = [
  "  let channel = index / CHUNKS;",
  "  let first = (index % CHUNKS) * CHUNK;",
  "  let length = min(CHUNK, COUNT - first);",
  "  let quads_end = first + length / 4u * 4u;",
];

/**
 * A loop over the chunk's values, 4 per pass (then the rest one by one): `body(j)` gets the WGSL
 * expression of each value's j. Returns the lines and the loop passes of one run.
 */
export function chunkLoop(layout: ChannelChunks, body: (j: string) => string[]): { lines: string[]; passes: number } {
  const indent = (lines: string[]): string[] => lines.map((line) => `    ${line}`);
  const lines = [
    "  for (var j = first; j < quads_end; j += 4u) {",
    ...[0, 1, 2, 3].flatMap((k) => indent(body(k === 0 ? "j" : `(j + ${k}u)`))),
    "  }",
    "  for (var j = quads_end; j < first + length; j++) {",
    ...indent(body("j")),
    "  }",
  ];
  return { lines, passes: loopPasses(Math.floor(layout.chunkLength / 4)) + loopPasses(3) };
}
