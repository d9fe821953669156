// curves.svg: the training curves of a run, as `cnnc train` writes them next to metrics.jsonl. Two
// panels side by side, loss and accuracy, over epochs (a record at step s sits at s / stepsPerEpoch).
// Per-step records (train values only) draw a thin line; epoch records (an evaluation: test values
// present, or the record of an epoch's last step) draw lines with markers for train and test. A
// missing value (null) leaves a gap; a non-finite one (NaN, Inf) too, and the panel says from which
// epoch values stopped being finite, so a diverged run is never drawn as a calm one.
import { type Axis, niceAxis, tickLabel } from "./axis.js";
import type { MetricsRecord } from "./metricsLog.js";
import { coordinate, svgDocument, svgText } from "./svg.js";

/** A plotting area (inside the axes), in pixels. */
export interface Plot {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Where everything goes, in pixels (exported for tests that check where points land). */
export const CURVES_GEOMETRY: { width: number; height: number; panels: readonly [loss: Plot, accuracy: Plot] } = {
  width: 960,
  height: 400,
  panels: [
    { left: 70, top: 90, width: 370, height: 250 },
    { left: 560, top: 90, width: 370, height: 250 },
  ],
};

interface Series {
  label: string;
  style: "step" | "epoch";
  color: string;
  marker: "circle" | "square" | undefined;
  points: { x: number; y: number | null }[];
}

const TRAIN_STEP_COLOR = "#9ecae1";
const TRAIN_COLOR = "#1f77b4";
const TEST_COLOR = "#ff7f0e";

/** An evaluation record, or the record of an epoch's last step: drawn with markers. */
function isEpochRecord(record: MetricsRecord, stepsPerEpoch: number): boolean {
  return record.test_loss !== null || record.test_acc !== null || record.step === record.epoch * stepsPerEpoch;
}

function panelSeries(records: readonly MetricsRecord[], stepsPerEpoch: number, train: "train_loss" | "train_acc", test: "test_loss" | "test_acc"): Series[] {
  const at = (record: MetricsRecord, key: keyof MetricsRecord) => ({ x: record.step / stepsPerEpoch, y: record[key] });
  const epochRecords = records.filter((record) => isEpochRecord(record, stepsPerEpoch));
  const stepRecords = records.filter((record) => !isEpochRecord(record, stepsPerEpoch));
  return [
    { label: "train (per step)", style: "step", color: TRAIN_STEP_COLOR, marker: undefined, points: stepRecords.map((record) => at(record, train)) },
    { label: "train (epoch)", style: "epoch", color: TRAIN_COLOR, marker: "circle", points: epochRecords.map((record) => at(record, train)) },
    { label: "test (epoch)", style: "epoch", color: TEST_COLOR, marker: "square", points: epochRecords.map((record) => at(record, test)) },
  ];
}

interface Scale {
  x(value: number): number;
  y(value: number): number;
}

function scaleOf(plot: Plot, xAxis: Axis, yAxis: Axis): Scale {
  return {
    x: (value) => plot.left + ((value - xAxis.min) / (xAxis.max - xAxis.min)) * plot.width,
    y: (value) => plot.top + plot.height - ((value - yAxis.min) / (yAxis.max - yAxis.min)) * plot.height,
  };
}

/** The series as a path, broken at missing and non-finite values; lone points get a dot. */
function seriesMarkup(series: Series, scale: Scale): string[] {
  const markup: string[] = [];
  const segments: { x: number; y: number }[][] = [[]];
  for (const point of series.points) {
    if (point.y === null || !Number.isFinite(point.y)) segments.push([]);
    else segments[segments.length - 1]!.push({ x: scale.x(point.x), y: scale.y(point.y) });
  }
  const drawn = segments.filter((segment) => segment.length > 1);
  const width = series.style === "step" ? 1 : 2;
  if (drawn.length > 0) {
    const path = drawn.map((segment) => segment.map((point, index) => `${index === 0 ? "M" : "L"}${coordinate(point.x)} ${coordinate(point.y)}`).join(" ")).join(" ");
    markup.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="${width}" stroke-linejoin="round"/>`);
  }
  for (const segment of segments) {
    for (const point of segment) {
      if (series.marker === "circle") markup.push(`<circle cx="${coordinate(point.x)}" cy="${coordinate(point.y)}" r="3.5" fill="${series.color}"/>`);
      else if (series.marker === "square") markup.push(`<rect x="${coordinate(point.x - 3.5)}" y="${coordinate(point.y - 3.5)}" width="7" height="7" fill="${series.color}"/>`);
      else if (segment.length === 1) markup.push(`<circle cx="${coordinate(point.x)}" cy="${coordinate(point.y)}" r="1.5" fill="${series.color}"/>`);
    }
  }
  return markup;
}

/** The first epoch (x) at which a series holds a non-finite value, if any. */
function firstNonFinite(series: readonly Series[]): number | undefined {
  const xs = series.flatMap((each) => each.points.filter((point) => point.y !== null && !Number.isFinite(point.y)).map((point) => point.x));
  return xs.length === 0 ? undefined : Math.min(...xs);
}

function axesMarkup(plot: Plot, xAxis: Axis, yAxis: Axis, scale: Scale, yTitle: string, percent: boolean): string[] {
  const bottom = plot.top + plot.height;
  const markup = [`<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#444"/>`];
  for (const tick of yAxis.ticks) {
    const y = scale.y(tick);
    markup.push(`<line x1="${plot.left}" y1="${coordinate(y)}" x2="${plot.left + plot.width}" y2="${coordinate(y)}" stroke="#e5e5e5"/>`);
    markup.push(svgText(plot.left - 6, y + 4, tickLabel(tick, yAxis, percent), { "text-anchor": "end" }));
  }
  for (const tick of xAxis.ticks) {
    const x = scale.x(tick);
    markup.push(`<line x1="${coordinate(x)}" y1="${bottom}" x2="${coordinate(x)}" y2="${bottom + 5}" stroke="#444"/>`);
    markup.push(svgText(x, bottom + 18, tickLabel(tick, xAxis), { "text-anchor": "middle" }));
  }
  markup.push(svgText(plot.left + plot.width / 2, bottom + 38, "epoch", { "text-anchor": "middle" }));
  const middle = plot.top + plot.height / 2;
  markup.push(svgText(plot.left - 50, middle, yTitle, { "text-anchor": "middle", transform: `rotate(-90 ${plot.left - 50} ${coordinate(middle)})` }));
  return markup;
}

function panelMarkup(plot: Plot, xAxis: Axis, series: Series[], title: string, percent: boolean): string[] {
  const values = series.flatMap((each) => each.points.map((point) => point.y ?? Number.NaN));
  const yAxis = niceAxis(values);
  const scale = scaleOf(plot, xAxis, yAxis);
  const markup = [svgText(plot.left + plot.width / 2, plot.top - 12, title, { "text-anchor": "middle", "font-weight": "bold" })];
  markup.push(...axesMarkup(plot, xAxis, yAxis, scale, title, percent));
  for (const each of series) markup.push(...seriesMarkup(each, scale));
  const nonFinite = firstNonFinite(series);
  if (nonFinite !== undefined) {
    const text = `not finite (NaN or Inf) first at epoch ${nonFinite.toFixed(2)}: not drawn`;
    markup.push(svgText(plot.left + 6, plot.top + 16, text, { fill: "#c00000", "font-weight": "bold" }));
  }
  if (!values.some((value) => Number.isFinite(value))) {
    markup.push(svgText(plot.left + plot.width / 2, plot.top + plot.height / 2, "no values yet", { "text-anchor": "middle", fill: "#888" }));
  }
  return markup;
}

function legendMarkup(series: readonly Series[]): string[] {
  const markup: string[] = [];
  let x = CURVES_GEOMETRY.panels[0].left;
  const y = 52;
  for (const each of series) {
    markup.push(`<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${each.color}" stroke-width="${each.style === "step" ? 1 : 2}"/>`);
    if (each.marker === "circle") markup.push(`<circle cx="${x + 12}" cy="${y}" r="3.5" fill="${each.color}"/>`);
    if (each.marker === "square") markup.push(`<rect x="${x + 8.5}" y="${y - 3.5}" width="7" height="7" fill="${each.color}"/>`);
    markup.push(svgText(x + 30, y + 4, each.label));
    x += 40 + each.label.length * 7;
  }
  return markup;
}

/** The curves of `records` (a run's metrics.jsonl) as an SVG document titled `title`. */
export function curvesSvg(records: readonly MetricsRecord[], title: string, stepsPerEpoch: number): string {
  if (!Number.isSafeInteger(stepsPerEpoch) || stepsPerEpoch < 1) throw new RangeError(`steps per epoch must be a whole number from 1, got ${stepsPerEpoch}`);
  const xAxis = niceAxis(
    records.map((record) => record.step / stepsPerEpoch),
    6,
    true,
  );
  const loss = panelSeries(records, stepsPerEpoch, "train_loss", "test_loss");
  const accuracy = panelSeries(records, stepsPerEpoch, "train_acc", "test_acc");
  const [lossPlot, accuracyPlot] = CURVES_GEOMETRY.panels;
  const body = [
    svgText(CURVES_GEOMETRY.width / 2, 26, title, { "text-anchor": "middle", "font-size": 16, "font-weight": "bold" }),
    ...legendMarkup(loss),
    ...panelMarkup(lossPlot, xAxis, loss, "loss", false),
    ...panelMarkup(accuracyPlot, xAxis, accuracy, "accuracy", true),
  ];
  return svgDocument(CURVES_GEOMETRY.width, CURVES_GEOMETRY.height, body);
}

