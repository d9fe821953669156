// Fitting the cost model's coefficients to measured times: each measured schedule is one row of a
// linear system (its cost terms times the unknown coefficients = its time), weighted by the inverse
// of the time so that the fit minimizes relative error (a 50 ms conv and a 0.1 ms fc count alike),
// solved by non-negative least squares (a negative cost per byte would be no model of anything).
import { COST_RATES, type CostCoefficients, type PerKindRate, type SharedRate } from "./calibration.js";
import { rateKey, type CostTerms } from "../costModel.js";

export interface TimedTerms {
  terms: CostTerms;
  seconds: number;
}

/** The coefficients minimizing the relative squared error over `measured`, per kind and op (rateKey); kinds never measured get none. */
export function fitCoefficients(measured: readonly TimedTerms[]): { coefficients: CostCoefficients; unmeasured: string[] } {
  if (measured.length === 0) throw new Error("internal: fitting a cost model to no measurements");
  // The columns: the shared coefficients, then each per-kind table's rate of every kind (COST_RATES).
  const shared = COST_RATES.filter((rate) => !rate.perKind);
  const perKind = COST_RATES.filter((rate) => rate.perKind);
  const keyOf = (terms: CostTerms): string => rateKey(terms.kind, terms.op);
  const kinds = [...new Set(measured.map(({ terms }) => keyOf(terms)))].sort();
  const names = [...shared.map(({ name }) => name), ...perKind.flatMap(({ name }) => kinds.map((kind) => `${name}.${kind}`))];
  const rows = measured.map(({ terms, seconds }) => {
    if (!(seconds > 0) || !Number.isFinite(seconds)) throw new Error(`internal: a measured time of ${seconds} s`);
    const row = [...shared.map(({ term }) => term(terms)), ...perKind.flatMap(({ term }) => kinds.map((kind) => (kind === keyOf(terms) ? term(terms) : 0)))];
    return row.map((value) => value / seconds);
  });
  const x = nonNegativeLeastSquares(rows, measured.map(() => 1));
  const unmeasured = names.filter((_, column) => rows.every((row) => row[column] === 0));
  const sharedValues = Object.fromEntries(shared.map(({ name }, column) => [name, x[column]!])) as Record<SharedRate, number>;
  const tables = Object.fromEntries(
    perKind.map(({ name }, table) => [name, Object.fromEntries(kinds.map((kind, index) => [kind, x[shared.length + table * kinds.length + index]!]))]),
  ) as Record<PerKindRate, Record<string, number>>;
  return { coefficients: { ...sharedValues, ...tables }, unmeasured };
}

/**
 * argmin ||A x - b|| subject to x >= 0 (Lawson and Hanson's active-set method). The columns are
 * scaled to unit length first, since the terms differ by many orders of magnitude (launches vs bytes).
 */
export function nonNegativeLeastSquares(A: readonly (readonly number[])[], b: readonly number[]): number[] {
  const columns = A[0]?.length ?? 0;
  if (A.length !== b.length) throw new Error(`internal: ${A.length} rows and ${b.length} right-hand sides`);
  if (A.some((row) => row.length !== columns)) throw new Error("internal: rows of different lengths");
  const norms = Array.from({ length: columns }, (_, j) => Math.hypot(...A.map((row) => row[j]!)));
  const scaled = A.map((row) => row.map((value, j) => (norms[j]! > 0 ? value / norms[j]! : 0)));
  const x = new Array<number>(columns).fill(0);
  const passive = new Set<number>();
  const tolerance = 1e-12 * Math.max(1, Math.hypot(...b));
  const gradient = (): number[] => {
    const residual = b.map((value, i) => value - scaled[i]!.reduce((sum, a, j) => sum + a * x[j]!, 0));
    return Array.from({ length: columns }, (_, j) => scaled.reduce((sum, row, i) => sum + row[j]! * residual[i]!, 0));
  };
  for (let outer = 0; outer < 3 * columns + 10; outer++) {
    const w = gradient();
    let entering = -1;
    for (let j = 0; j < columns; j++) if (!passive.has(j) && norms[j]! > 0 && w[j]! > tolerance && (entering < 0 || w[j]! > w[entering]!)) entering = j;
    if (entering < 0) break;
    passive.add(entering);
    for (let inner = 0; inner < 3 * columns + 10; inner++) {
      const set = [...passive].sort((a, c) => a - c);
      const solution = leastSquaresOn(scaled, b, set);
      if (solution.every((value) => value > 0)) {
        for (const [k, j] of set.entries()) x[j] = solution[k]!;
        break;
      }
      let step = 1;
      for (const [k, j] of set.entries()) if (solution[k]! <= 0) step = Math.min(step, x[j]! / (x[j]! - solution[k]!));
      for (const [k, j] of set.entries()) x[j] = x[j]! + step * (solution[k]! - x[j]!);
      for (const j of set) if (x[j]! <= 1e-15) {
        x[j] = 0;
        passive.delete(j);
      }
    }
  }
  return x.map((value, j) => (norms[j]! > 0 ? value / norms[j]! : 0));
}

/** Unconstrained least squares on the columns `set` (normal equations, Gaussian elimination with pivoting). */
function leastSquaresOn(A: readonly (readonly number[])[], b: readonly number[], set: readonly number[]): number[] {
  const n = set.length;
  const matrix = set.map((j) => [...set.map((k) => A.reduce((sum, row) => sum + row[j]! * row[k]!, 0)), A.reduce((sum, row, i) => sum + row[j]! * b[i]!, 0)]);
  for (let column = 0; column < n; column++) {
    let pivot = column;
    for (let row = column + 1; row < n; row++) if (Math.abs(matrix[row]![column]!) > Math.abs(matrix[pivot]![column]!)) pivot = row;
    [matrix[column], matrix[pivot]] = [matrix[pivot]!, matrix[column]!];
    const lead = matrix[column]![column]!;
    if (Math.abs(lead) < 1e-300) continue;
    for (let row = 0; row < n; row++) {
      if (row === column) continue;
      const factor = matrix[row]![column]! / lead;
      for (let k = column; k <= n; k++) matrix[row]![k] = matrix[row]![k]! - factor * matrix[column]![k]!;
    }
  }
  return matrix.map((row, k) => (Math.abs(row[k]!) < 1e-300 ? 0 : row[n]! / row[k]!));
}
