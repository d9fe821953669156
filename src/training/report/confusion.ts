// The confusion matrix of a classifier on the test set: counts[true class][predicted class], printed
// as an aligned table (with row totals, per-class recall and the overall accuracy) and drawn as a
// heat map. Cells are shaded by the row's fraction (the share of that true class predicted so), so a
// rare class reads as clearly as a common one.
import { formatInteger } from "../../ir/format.js";
import { coordinate, escapeXml, svgDocument, svgText } from "./svg.js";

function checkClassIndex(value: number, classes: number, what: string, index: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= classes) {
    throw new RangeError(`${what} ${index} is ${value}; class indices run from 0 to ${classes - 1}`);
  }
  return value;
}

/** counts[t][p]: how many samples of true class t were predicted as class p. */
export function confusionMatrix(predictions: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number[][] {
  if (!Number.isSafeInteger(classes) || classes < 1) throw new RangeError(`the class count must be a whole number from 1, got ${classes}`);
  if (predictions.length !== labels.length) {
    throw new RangeError(`${predictions.length} predictions but ${labels.length} labels; they must pair one to one`);
  }
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const truth = checkClassIndex(labels[i] ?? Number.NaN, classes, "label", i);
    const predicted = checkClassIndex(predictions[i] ?? Number.NaN, classes, "prediction", i);
    matrix[truth]![predicted]! += 1;
  }
  return matrix;
}

interface Totals {
  rows: number[];
  columns: number[];
  correct: number;
  total: number;
}

function totalsOf(matrix: readonly (readonly number[])[], classNames: readonly string[]): Totals {
  const size = matrix.length;
  if (size === 0 || matrix.some((row) => row.length !== size)) throw new RangeError("a confusion matrix must be square with at least one class");
  if (classNames.length !== size) throw new RangeError(`${classNames.length} class names for a ${size}-class confusion matrix`);
  const rows = matrix.map((row) => row.reduce((sum, count) => sum + count, 0));
  const columns = matrix[0]!.map((_, column) => matrix.reduce((sum, row) => sum + (row[column] ?? 0), 0));
  const correct = matrix.reduce((sum, row, index) => sum + (row[index] ?? 0), 0);
  return { rows, columns, correct, total: rows.reduce((sum, count) => sum + count, 0) };
}

/** `85.1%`, or `n/a` when nothing was counted. */
function percent(part: number, whole: number): string {
  return whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(1)}%`;
}

/**
 * The matrix as text: one row per true class (`index name`), one column per predicted class (by index),
 * then each row's total and recall, a row of column totals, and the accuracy line.
 */
export function formatConfusion(matrix: readonly (readonly number[])[], classNames: readonly string[]): string {
  const totals = totalsOf(matrix, classNames);
  const rowLabels = classNames.map((name, index) => `${index} ${name}`);
  const labelWidth = Math.max("true \\ predicted".length, ...rowLabels.map((label) => label.length));
  const cellWidth = Math.max(String(classNames.length - 1).length, ...totals.columns.map((count) => String(count).length));
  const totalWidth = Math.max("total".length, String(totals.total).length);
  const cells = (values: readonly (string | number)[]) => values.map((value) => String(value).padStart(cellWidth)).join(" ");
  const header = `${"true \\ predicted".padEnd(labelWidth)}  ${cells(classNames.map((_, index) => index))}  ${"total".padStart(totalWidth)}  recall`;
  const rows = matrix.map((row, index) => {
    const total = totals.rows[index] ?? 0;
    return `${rowLabels[index]!.padEnd(labelWidth)}  ${cells(row)}  ${String(total).padStart(totalWidth)}  ${percent(row[index] ?? 0, total).padStart(6)}`;
  });
  const columnTotals = `${"total".padEnd(labelWidth)}  ${cells(totals.columns)}  ${String(totals.total).padStart(totalWidth)}`;
  const accuracy = `accuracy ${percent(totals.correct, totals.total)} (${formatInteger(totals.correct)} of ${formatInteger(totals.total)})`;
  return [header, ...rows, columnTotals, accuracy].map((line) => line.trimEnd()).join("\n") + "\n";
}

const CELL = 44;
/** Approximate width of one 12px sans-serif character, to leave room for names. */
const CHARACTER_WIDTH = 7;

/** White to dark blue by `fraction` in [0, 1]. */
function shade(fraction: number): string {
  const mix = (light: number, dark: number) => Math.round(light + (dark - light) * fraction);
  return `rgb(${mix(255, 8)},${mix(255, 48)},${mix(255, 107)})`;
}

/** The matrix as an SVG heat map: counts in the cells, true classes down the left, predicted across the top. */
export function confusionSvg(matrix: readonly (readonly number[])[], classNames: readonly string[]): string {
  const totals = totalsOf(matrix, classNames);
  const size = matrix.length;
  const nameLength = Math.max(...classNames.map((name) => name.length));
  const left = 40 + nameLength * CHARACTER_WIDTH;
  // Column names are written at -45 degrees: their height is their length over sqrt(2).
  const top = 50 + Math.ceil((nameLength * CHARACTER_WIDTH) / Math.SQRT2);
  const width = left + size * CELL + 80;
  const height = top + size * CELL + 50;
  const body: string[] = [
    svgText(width / 2, 20, `confusion matrix: ${formatInteger(totals.total)} samples, accuracy ${percent(totals.correct, totals.total)}`, {
      "text-anchor": "middle",
      "font-size": 14,
      "font-weight": "bold",
    }),
  ];
  classNames.forEach((name, index) => {
    const rowMiddle = top + index * CELL + CELL / 2;
    const columnMiddle = left + index * CELL + CELL / 2;
    body.push(svgText(left - 6, rowMiddle + 4, name, { "text-anchor": "end" }));
    body.push(svgText(columnMiddle, top - 6, name, { transform: `rotate(-45 ${coordinate(columnMiddle)} ${coordinate(top - 6)})` }));
  });
  matrix.forEach((row, rowIndex) => {
    const rowTotal = totals.rows[rowIndex] ?? 0;
    row.forEach((count, columnIndex) => {
      const fraction = rowTotal === 0 ? 0 : count / rowTotal;
      const x = left + columnIndex * CELL;
      const y = top + rowIndex * CELL;
      body.push(
        `<rect x="${coordinate(x)}" y="${coordinate(y)}" width="${CELL}" height="${CELL}" fill="${shade(fraction)}" stroke="#ccc"><title>${escapeXml(
          `true ${classNames[rowIndex]}, predicted ${classNames[columnIndex]}: ${count}`,
        )}</title></rect>`,
      );
      body.push(svgText(x + CELL / 2, y + CELL / 2 + 4, String(count), { "text-anchor": "middle", "font-size": 11, fill: fraction > 0.5 ? "white" : "black" }));
    });
    body.push(svgText(left + size * CELL + 8, top + rowIndex * CELL + CELL / 2 + 4, percent(row[rowIndex] ?? 0, rowTotal), { "font-size": 11 }));
  });
  body.push(svgText(left + size * CELL + 8, top - 6, "recall", { "font-size": 11 }));
  body.push(svgText(left + (size * CELL) / 2, top + size * CELL + 30, "predicted class", { "text-anchor": "middle" }));
  const trueMiddle = top + (size * CELL) / 2;
  body.push(svgText(14, trueMiddle, "true class", { "text-anchor": "middle", transform: `rotate(-90 14 ${coordinate(trueMiddle)})` }));
  return svgDocument(width, height, body);
}
