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

/** Times every contestant `rounds` times, interleaved; returns each one's times in milliseconds, by name. */
export async function timeInterleaved(contestants: readonly Contestant[], rounds: number, warmup: number): Promise<Map<string, number[]>> {
  for (const contestant of contestants) for (let i = 0; i < warmup; i++) await contestant.run();
  const times = new Map(contestants.map((contestant) => [contestant.name, [] as number[]]));
  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    for (let offset = 0; offset < contestants.length; offset++) {
      const contestant = contestants[(roundIndex + offset) % contestants.length]!;
      const started = performance.now();
      await contestant.run();
      times.get(contestant.name)!.push(performance.now() - started);
    }
  }
  return times;
}
