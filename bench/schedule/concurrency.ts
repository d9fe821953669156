// How many invocations an adapter runs at once, which the cost model's occupancy term divides by;
// the calibration records it.
import { availableParallelism } from "node:os";
import type { Target } from "../../src/schedule/types.js";

/**
 * Invocations the adapter runs at once. llvmpipe: one thread per CPU core, each running a SIMD vector
 * of 32-bit lanes (its name says the vector's bits, `256 bits`). Other adapters do not say; 65536 is a
 * discrete GPU's order (a hundred-odd multiprocessors of some hundreds of resident invocations).
 */
export function concurrentInvocations(target: Target): number {
  const bits = /llvmpipe.*?(\d+)[- ]bits/i.exec(target.adapter);
  return bits === null ? 65536 : availableParallelism() * (Number(bits[1]) / 32);
}
