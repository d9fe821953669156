// The training curves: well-formed SVG, points where the axes say they are, gaps for missing and
// non-finite values, and a golden file of one small run to review changes against; after reviewing,
// update it with  CNNC_UPDATE_GOLDEN=1 npx vitest run test/training/report/curvesSvg.test.ts
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { niceAxis, tickLabel } from "../../../src/training/report/axis.js";
import { CURVES_GEOMETRY, curvesSvg, type Plot } from "../../../src/training/report/curvesSvg.js";
import type { MetricsRecord } from "../../../src/training/report/metricsLog.js";
import { checkWellFormedXml } from "./wellFormedXml.js";

const GOLDEN = join(import.meta.dirname, "golden", "curves-small.svg");

function record(epoch: number, step: number, values: Partial<MetricsRecord> = {}): MetricsRecord {
  return { epoch, step, train_loss: null, train_acc: null, test_loss: null, test_acc: null, images_per_s: 500, lr: 0.01, ...values };
}

/** Two epochs of 4 steps: step records every 2 steps, an evaluation at each epoch's end. */
const SMALL_RUN: MetricsRecord[] = [
  record(1, 2, { train_loss: 2, train_acc: 0.3 }),
  record(1, 4, { train_loss: 1.5, train_acc: 0.5, test_loss: 1.25, test_acc: 0.6 }),
  record(2, 6, { train_loss: 1, train_acc: 0.7 }),
  record(2, 8, { train_loss: 0.5, train_acc: 0.8, test_loss: 0.75, test_acc: 0.75 }),
];

/** The numbers of every `name="..."` attribute of elements matching `element` (with its fill). */
function attributeValues(svg: string, element: string, name: string, fill: string): number[] {
  const pattern = new RegExp(`<${element} [^>]*fill="${fill}"[^>]*>`, "g");
  return [...svg.matchAll(pattern)].map((match) => Number(new RegExp(`${name}="([^"]+)"`).exec(match[0])![1]));
}

describe("niceAxis", () => {
  it("covers the data with nice ticks, and gives constant and empty series a range", () => {
    expect(niceAxis([0.3, 2.31]).ticks).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceAxis([0.85, 0.912]).ticks).toEqual([0.84, 0.86, 0.88, 0.9, 0.92]);
    expect(niceAxis([5, 5])).toMatchObject({ min: 2, max: 8 });
    expect(niceAxis([0, Number.NaN, Number.POSITIVE_INFINITY])).toMatchObject({ min: -1, max: 1 });
    expect(niceAxis([])).toMatchObject({ min: 0, max: 1 });
    expect(niceAxis([0.5], 5, true)).toMatchObject({ min: 0, max: 0.5 });
    const percent = niceAxis([0.8, 0.9]);
    expect(percent.ticks.map((tick) => tickLabel(tick, percent, true))).toEqual(["80%", "82%", "84%", "86%", "88%", "90%"]);
    const fine = niceAxis([0.1, 0.35]);
    expect(fine.ticks.map((tick) => tickLabel(tick, fine))).toEqual(["0.10", "0.15", "0.20", "0.25", "0.30", "0.35"]);
  });
});

describe("curvesSvg", () => {
  it("puts each epoch marker where the axes place its value", () => {
    const svg = curvesSvg(SMALL_RUN, "small", 4);
    checkWellFormedXml(svg);
    const [loss, accuracy] = CURVES_GEOMETRY.panels;
    // x: epochs 0 to 2 (ticks 0, 0.5, ... 2); loss y: 0.5 to 2; accuracy y: 0.3 to 0.8.
    // Coordinates are written with two decimals.
    const written = (value: number) => Math.round(value * 100) / 100;
    const x = (epoch: number, plot: Plot) => written(plot.left + (epoch / 2) * plot.width);
    const y = (value: number, low: number, high: number, plot: Plot) => written(plot.top + plot.height - ((value - low) / (high - low)) * plot.height);
    // Train epoch markers (circles): loss 1.5 and 0.5 at epochs 1 and 2, then accuracy 0.5 and 0.8.
    expect(attributeValues(svg, "circle", "cx", "#1f77b4").slice(1)).toEqual([x(1, loss), x(2, loss), x(1, accuracy), x(2, accuracy)]);
    expect(attributeValues(svg, "circle", "cy", "#1f77b4").slice(1)).toEqual([y(1.5, 0.5, 2, loss), y(0.5, 0.5, 2, loss), y(0.5, 0.3, 0.8, accuracy), y(0.8, 0.3, 0.8, accuracy)]);
    // Test markers (squares, 7 px, centred): loss 1.25 and 0.75.
    const squares = attributeValues(svg, "rect", "y", "#ff7f0e").slice(1, 3);
    expect(squares.map((top) => written(top + 3.5))).toEqual([y(1.25, 0.5, 2, loss), y(0.75, 0.5, 2, loss)]);
    // The per-step line joins the step records at epochs 0.5 and 1.5.
    const stepPath = /<path d="([^"]+)"[^>]*stroke="#9ecae1"/.exec(svg)![1];
    expect(stepPath).toBe(`M${x(0.5, loss)} ${y(2, 0.5, 2, loss)} L${x(1.5, loss)} ${y(1, 0.5, 2, loss)}`);
    expect(svg).toContain(">1.5</text>");
    expect(svg).toContain(">80%</text>");
    expect(svg).toContain(">epoch</text>");
  });

  it("matches the reviewed golden file", () => {
    const svg = curvesSvg(SMALL_RUN, "Small & <tiny> run", 4);
    if (process.env.CNNC_UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, svg);
    expect(existsSync(GOLDEN), `${GOLDEN} is missing: create it with CNNC_UPDATE_GOLDEN=1 and review it`).toBe(true);
    expect(svg).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("leaves gaps at nulls, says where values stopped being finite, and draws a lone point", () => {
    const records = [
      record(1, 1, { train_loss: 2 }),
      record(1, 2, { train_loss: 1.8 }),
      record(1, 3, { train_loss: Number.NaN }),
      record(1, 4, { train_loss: 1.6, test_loss: null, test_acc: 0.5 }),
      record(2, 5, { train_loss: null }),
      record(2, 6, { train_loss: 1.4 }),
      record(2, 7, { train_loss: 1.3 }),
    ];
    const svg = curvesSvg(records, "gaps", 4);
    checkWellFormedXml(svg);
    const stepPath = /<path d="([^"]+)"[^>]*stroke="#9ecae1"/.exec(svg)![1]!;
    expect(stepPath.match(/M/g)).toHaveLength(2); // steps 1-2, then 6-7: broken at NaN and null
    expect(svg).toContain("not finite (NaN or Inf) first at epoch 0.75: not drawn");
    const lone = curvesSvg([record(1, 0, { train_loss: 2.3, train_acc: 0.1 })], "one point", 10);
    checkWellFormedXml(lone);
    expect(lone).toMatch(/<circle [^>]*r="1.5" fill="#9ecae1"\/>/);
    expect(lone).not.toContain("NaN\"");
    const empty = curvesSvg([], "nothing yet", 10);
    checkWellFormedXml(empty);
    expect(empty).toContain("no values yet");
    expect(() => curvesSvg([], "x", 0)).toThrow(/steps per epoch/);
  });
});
