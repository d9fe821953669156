// Pooling's gradients against finite differences on random shapes (max, avg with and without
// count_include_pad, l2; floor and ceil rounding; stride > 1, asymmetric padding, odd sizes, 1-D,
// batch > 1), global pooling, and max pooling's tie rule checked exactly (finite differences are
// not defined at a tie).
import { describe, expect, it } from "vitest";
import type { PoolKind, Shape } from "../../../src/ir/graph.js";
import { opDefinition } from "../../../src/ops/registry.js";
import { outputShape, pool1d, pool2d, seededRandom, singleOpGraph } from "../graphBuilders.js";
import { checkOpGradient, pick, randomInt } from "./opCheck.js";

const KINDS: readonly PoolKind[] = ["max", "avg", "l2"];

describe("pool gradient", () => {
  const random = seededRandom(8002);
  for (let trial = 0; trial < 30; trial++) {
    const kind = pick(random, KINDS);
    const rounding = pick(random, ["floor", "ceil"] as const);
    const countPadding = random() < 0.5;
    const oneD = trial % 4 === 0;
    const windowH = randomInt(random, 1, 3);
    const windowW = randomInt(random, 1, 3);
    // PyTorch's rule: padding at most half the window.
    const side = (window: number): number => randomInt(random, 0, Math.floor(window / 2));
    const attrs = oneD
      ? pool1d({ kind, window: windowW, stride: randomInt(random, 1, 3), padding: [side(windowW), side(windowW)], rounding, countPadding })
      : pool2d({
          kind,
          window: [windowH, windowW],
          stride: [randomInt(random, 1, 3), randomInt(random, 1, 3)],
          padding: [side(windowH), side(windowH), side(windowW), side(windowW)],
          rounding,
          countPadding,
        });
    const channels = randomInt(random, 1, 3);
    const input: Shape = oneD ? [channels, randomInt(random, 3, 9)] : [channels, randomInt(random, 3, 7), randomInt(random, 3, 7)];
    if (outputShape(attrs, [input]).some((size) => size < 1)) continue;
    const batch = randomInt(random, 1, 3);
    const label = `${kind} pool ${JSON.stringify({ input, batch, window: attrs.window, stride: attrs.stride, padding: attrs.padding, rounding, countPadding })}`;
    it(label, () => checkOpGradient(attrs, [input], batch, seededRandom(100 + trial), label));
  }

  it("max pooling routes a tie's gradient to the window's first maximum, as PyTorch does", () => {
    const attrs = pool2d({ kind: "max", window: 2, stride: 1 });
    const node = singleOpGraph(attrs, [1, 2, 3]).nodes[1]!;
    const input = { batch: 1, shape: [1, 2, 3], data: Float64Array.from([5, 5, 5, 1, 5, 2]) };
    const definition = opDefinition("pool");
    const output = definition.reference!(node, attrs, [input], new Map());
    const gradient = definition.referenceGradient!(node, attrs, [input], new Map(), output, { batch: 1, shape: node.shape, data: Float64Array.from([1, 10]) });
    // Window 0 covers cells 0, 1, 3, 4 (first 5 at cell 0); window 1 covers 1, 2, 4, 5 (first 5 at cell 1).
    expect([...gradient.inputs[0]!.data]).toEqual([1, 10, 0, 0, 0, 0]);
  });
});

describe("global pool gradient", () => {
  for (const kind of ["max", "avg"] as const) {
    for (const input of [[3, 5, 3], [2, 7]] as Shape[]) {
      const label = `global ${kind} on [${input.join(", ")}]`;
      it(label, () => checkOpGradient({ op: "global_pool", kind }, [input], 2, seededRandom(200 + input.length), label));
    }
  }
});
