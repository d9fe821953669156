import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { CnncUserError } from "../../../src/errors.js";
import { appendMetrics, metricsLine, type MetricsRecord, readMetrics, truncateMetrics } from "../../../src/training/report/metricsLog.js";

function record(step: number, overrides: Partial<MetricsRecord> = {}): MetricsRecord {
  return { epoch: 1, step, train_loss: 2 / (step + 1), train_acc: 0.5, test_loss: null, test_acc: null, images_per_s: 600, lr: 0.01, ...overrides };
}

function freshPath(): string {
  return join(mkdtempSync(join(tmpdir(), "cnnc-metrics-")), "metrics.jsonl");
}

describe("metrics.jsonl", () => {
  it("writes exactly the record's keys, in order, one line each", () => {
    const line = metricsLine(record(3, { test_loss: 0.5, test_acc: 0.9 }));
    expect(line.endsWith("\n")).toBe(true);
    expect(Object.keys(JSON.parse(line) as object)).toEqual(["epoch", "step", "train_loss", "train_acc", "test_loss", "test_acc", "images_per_s", "lr"]);
  });

  it("writes NaN and Infinity as null listed under nonfinite, and reads them back as NaN", () => {
    const path = freshPath();
    appendMetrics(path, record(1, { train_loss: Number.NaN, images_per_s: Number.POSITIVE_INFINITY }));
    const text = readFileSync(path, "utf8");
    expect(JSON.parse(text)).toMatchObject({ train_loss: null, images_per_s: null, nonfinite: ["train_loss", "images_per_s"] });
    const [back] = readMetrics(path);
    expect(back?.train_loss).toBeNaN();
    expect(back?.images_per_s).toBeNaN();
    expect(back?.test_loss).toBeNull();
    expect(back?.train_acc).toBe(0.5);
  });

  it("round-trips records appended one by one", () => {
    const path = freshPath();
    const records = [record(0), record(100, { epoch: 2, test_loss: 0.4, test_acc: 0.87, images_per_s: null }), record(200, { epoch: 2, lr: 0.001 })];
    for (const each of records) appendMetrics(path, each);
    expect(readMetrics(path)).toEqual(records);
  });

  it("drops a torn last line and reads no records from a missing file", () => {
    const path = freshPath();
    expect(readMetrics(path)).toEqual([]);
    appendMetrics(path, record(10));
    appendFileSync(path, '{"epoch":1,"step":20,"train_lo');
    expect(readMetrics(path)).toEqual([record(10)]);
  });

  it("reports a damaged line in the middle with its number", () => {
    const path = freshPath();
    writeFileSync(path, `${metricsLine(record(1))}not json\n${metricsLine(record(2))}`);
    expect(() => readMetrics(path)).toThrow(/line 2 is not JSON/);
    writeFileSync(path, `${JSON.stringify({ epoch: 1, step: 1, lr: 0.1 })}\n`);
    expect(() => readMetrics(path)).toThrow(/line 1 lacks a number for `train_loss`/);
    writeFileSync(path, `${JSON.stringify({ ...record(1), epoch: 0 })}\n`);
    expect(() => readMetrics(path)).toThrow(CnncUserError);
    writeFileSync(path, `${JSON.stringify({ ...record(1), nonfinite: ["lr"] })}\n`);
    expect(() => readMetrics(path)).toThrow(/nonfinite/);
  });

  it("truncates to the resumed step, torn line included, so appending continues cleanly", () => {
    const path = freshPath();
    for (const step of [50, 100, 150, 200]) appendMetrics(path, record(step));
    appendFileSync(path, '{"epoch":1,"st');
    expect(truncateMetrics(path, 100).map((each) => each.step)).toEqual([50, 100]);
    appendMetrics(path, record(120));
    expect(readMetrics(path).map((each) => each.step)).toEqual([50, 100, 120]);
    expect(truncateMetrics(freshPath(), 10)).toEqual([]);
  });
});
