import { describe, expect, it } from "vitest";

import { formatEta, type ProgressStream, TrainProgress, type TrainProgressState } from "../../../src/training/report/progressLine.js";

/** A stream that records what is written, as a terminal (isTTY) or a pipe. */
function recorder(terminal: boolean, columns?: number) {
  const writes: string[] = [];
  const stream: ProgressStream = {
    write: (text: string) => writes.push(text),
    ...(terminal ? { isTTY: true, columns } : {}),
  };
  return { stream, writes };
}

function state(epoch: number, step: number, elapsedSeconds: number, overrides: Partial<TrainProgressState> = {}): TrainProgressState {
  return { epoch, step, loss: 0.41234, accuracy: 0.8512, imagesPerSecond: 612.4, elapsedSeconds, ...overrides };
}

const CLEAR = "\r\x1b[2K";

describe("TrainProgress", () => {
  it("writes the line in the documented form, with an ETA from the pace since the first update", () => {
    const { stream } = recorder(false);
    const progress = new TrainProgress(stream, { epochs: 5, stepsPerEpoch: 938 });
    progress.update(state(2, 0, 100)); // the first update: the pace is measured from here
    // 312 steps in 100 s; 5*938 - 938 - 312 = 3440 steps to go.
    expect(progress.describe(state(2, 312, 200))).toBe(`epoch 2/5  step 312/938  loss 0.4123  acc 85.1%  612 img/s  ETA ${formatEta((100 / 312) * 3440)}`);
    expect(progress.describe(state(1, 1, 100, { loss: null, accuracy: null, imagesPerSecond: null }))).toBe("epoch 1/5  step 1/938");
    expect(progress.describe(state(2, 3, 300, { loss: Number.NaN }))).toContain("loss NaN");
  });

  it("formats the ETA in seconds, minutes and hours", () => {
    expect(formatEta(42.4)).toBe("42s");
    expect(formatEta(192)).toBe("3m12s");
    expect(formatEta(3900)).toBe("1h05m");
    expect(formatEta(-3)).toBe("0s");
  });

  it("on a terminal, rewrites one line at most ten times a second, cut to the width, and always at an epoch's end", () => {
    let time = 0;
    const { stream, writes } = recorder(true, 30);
    const progress = new TrainProgress(stream, { epochs: 2, stepsPerEpoch: 10 }, { now: () => time });
    for (let step = 1; step <= 10; step++) {
      time += 30; // 30 ms apart: most updates are held back
      progress.update(state(1, step, time / 1000));
    }
    expect(writes.every((text) => text.startsWith(CLEAR) && !text.includes("\n"))).toBe(true);
    expect(writes.every((text) => text.length - CLEAR.length <= 29)).toBe(true);
    // Drawn at 30 ms, then at 150 ms (>= 100 ms later), 270 ms, and at the epoch's end (300 ms).
    expect(writes.map((text) => /step (\d+)/.exec(text)?.[1])).toEqual(["1", "5", "9", "10"]);
  });

  it("on a terminal, prints full lines above the live line and leaves the latest state on finish", () => {
    let time = 0;
    const { stream, writes } = recorder(true, 200);
    const progress = new TrainProgress(stream, { epochs: 1, stepsPerEpoch: 100 }, { now: () => time });
    progress.update(state(1, 1, 1));
    time += 10;
    progress.update(state(1, 2, 1.01)); // held back
    progress.line("epoch 1: test loss 0.3\x07");
    expect(writes.slice(1)).toEqual([`${CLEAR}epoch 1: test loss 0.3\\x07\n`, expect.stringMatching(/^\r\x1b\[2Kepoch 1\/1 {2}step 1\/100/)]);
    progress.finish();
    expect(writes.slice(3)).toEqual([expect.stringMatching(/^\r\x1b\[2Kepoch 1\/1 {2}step 2\/100/), "\n"]);
  });

  it("elsewhere, writes plain lines at most once per interval, at each epoch's end, and no control characters", () => {
    let time = 0;
    const { stream, writes } = recorder(false);
    const progress = new TrainProgress(stream, { epochs: 2, stepsPerEpoch: 50 }, { now: () => time, plainIntervalSeconds: 1, plainIntervalSteps: 20 });
    for (let epoch = 1; epoch <= 2; epoch++) {
      for (let step = 1; step <= 50; step++) {
        time += 10; // 100 steps a second: the step interval comes first
        progress.update(state(epoch, step, time / 1000));
      }
    }
    progress.line("done");
    progress.finish();
    expect(writes.map((text) => /epoch (\d)\/2 {2}step (\d+)/.exec(text)?.slice(1).join(":") ?? text)).toEqual([
      "1:1",
      "1:21",
      "1:41",
      "1:50",
      "2:20",
      "2:40",
      "2:50",
      "done\n",
    ]);
    expect(writes.join("")).not.toMatch(/[\r\x1b]/);
  });
});
