// What a shape function returns: the node's derived facts, or a problem explained in the user's terms.
// Shape functions are pure; the caller (elaboration, the verifier, a pass) attaches the source span.
import { inexactCount, WHOLE_NUMBER_LIMIT } from "../format.js";
import { type ParamSpec, type Shape, shapeSize } from "../graph.js";

/** Everything a node derives from its attrs and input shapes. */
export interface NodeFacts {
  shape: Shape;
  params: ParamSpec[];
  /** Trainable parameters (weights and biases; batchnorm running statistics excluded). */
  paramCount: number;
  /** Multiply-accumulates per sample. */
  macs: number;
  /** Output elements per sample. */
  activations: number;
}

/** A shape error: becomes a Diagnostic with the same code, message, notes and hint. */
export interface ShapeProblem {
  code: string;
  message: string;
  notes?: string[];
  hint?: string;
}

export type ShapeResult = { ok: true; facts: NodeFacts } | { ok: false; problem: ShapeProblem };

/**
 * The facts of a node whose shape is fine, unless one of its counts is past 2^53 - 1: counts are
 * JavaScript numbers, exact only up to there, and every later size (buffers, --batch limits, the
 * summary) is computed from them.
 */
export function shapeOk(shape: Shape, params: ParamSpec[] = [], macs = 0): ShapeResult {
  const paramCount = params.filter((param) => param.trainable).reduce((total, param) => total + shapeSize(param.shape), 0);
  const activations = shapeSize(shape);
  const counts: [string, number][] = [
    ["output elements per sample", activations],
    ...params.map((param): [string, number] => [`elements in its ${param.name}`, shapeSize(param.shape)]),
    ["parameters", paramCount],
    ["multiply-accumulates per sample", macs],
  ];
  const inexact = counts.find(([, count]) => !Number.isSafeInteger(count));
  if (inexact !== undefined) {
    const [what, count] = inexact;
    return shapeProblem("count-too-large", `this layer has ${inexactCount(count, what)}`, {
      notes: [WHOLE_NUMBER_LIMIT],
      hint: "use smaller sizes (fewer channels or features, a smaller input)",
    });
  }
  return { ok: true, facts: { shape, params, paramCount, macs, activations } };
}

export function shapeProblem(code: string, message: string, extra: { notes?: string[]; hint?: string } = {}): ShapeResult {
  const problem: ShapeProblem = { code, message };
  if (extra.notes !== undefined && extra.notes.length > 0) problem.notes = extra.notes;
  if (extra.hint !== undefined) problem.hint = extra.hint;
  return { ok: false, problem };
}
