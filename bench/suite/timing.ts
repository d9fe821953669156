// How the suite times contestants: interleaved round by round (every contestant once per round, the
// order rotating each round), so that a shared machine's noise of the moment hits all of them alike,
// after untimed warm-up runs (the first run of each compiles its shaders). Each timed run is what a
// caller waits for: upload the input, run, read the output back (the read-back waits for the GPU).
import { median } from "../../runtime/profile.js";

export interface Contestant {
  name: string;
  /** One whole run, resolved when its output is back on the host. */
  run(): Promise<void>;
}

export interface Spread {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

export function spreadOf(timesMs: readonly number[]): Spread {
  return { medianMs: round(median(timesMs)), minMs: round(Math.min(...timesMs)), maxMs: round(Math.max(...timesMs)), runs: timesMs.length };
}

export const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** Fewer rounds than this never make a median, whatever the time budget. */
export const MIN_ROUNDS = 3;

/**
 * Times every contestant `rounds` times, interleaved; returns each one's times in milliseconds, by
 * name. With `budgetSeconds`, stops after the first round that ends past the budget (never before
 * MIN_ROUNDS rounds), so that a slow layer does not take the whole suite's time.
 */
export async function timeInterleaved(contestants: readonly Contestant[], rounds: number, warmup: number, budgetSeconds = Infinity): Promise<Map<string, number[]>> {
  for (const contestant of contestants) for (let i = 0; i < warmup; i++) await contestant.run();
  const times = new Map(contestants.map((contestant) => [contestant.name, [] as number[]]));
  const started = performance.now();
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    if (roundIndex >= Math.min(MIN_ROUNDS, rounds) && performance.now() - started > budgetSeconds * 1000) break;
    for (let offset = 0; offset < contestants.length; offset++) {
      const contestant = contestants[(roundIndex + offset) % contestants.length]!;
      const started = performance.now();
      await contestant.run();
      times.get(contestant.name)!.push(performance.now() - started);
    }
  }
  return times;
}
