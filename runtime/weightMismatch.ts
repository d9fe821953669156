// Weights checked against the tensors a network (or a training run) expects: missing, mis-shaped and
// unexpected tensors, as one short message. A file saved under another naming scheme (another
// version's names, a wrapper's prefix) has as many unexpected tensors as missing ones, so each
// unexpected tensor is first paired with a missing one of the same shape, the closest by name: the
// message then says which tensor to rename to what, instead of two unrelated lists.
import { closestMatch, SUGGESTION_BUDGET, type SuggestionBudget } from "../grammar/diagnostics.js";
import { shortText } from "../grammar/displayText.js";
import { CnncUserError } from "../src/errors.js";
import { countOf } from "../src/ir/format.js";
import { describeShape, type Tensor, type WeightMap } from "../src/tensor.js";

export interface ExpectedWeight {
  name: string;
  shape: number[];
}

/** Lines of a message: a header, these, `... and N more`, the hint: about a screenful. */
const MAX_PROBLEMS_SHOWN = 16;

/**
 * PyTorch saves an int64 step counter with every BatchNorm layer. Inference never reads it, so it is
 * skipped on load (whatever its dtype) and never reported as an unexpected tensor.
 */
export function isTrainingCounter(name: string): boolean {
  return name === "num_batches_tracked" || name.endsWith(".num_batches_tracked");
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((extent, axis) => extent === b[axis]);
}

const NATURAL = new Intl.Collator("en", { numeric: true });
const naturalOrder = (a: string, b: string): number => NATURAL.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/** The last part of a dotted name: `weight` of `layer1.0.conv1.weight`. */
function lastPart(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

/**
 * The missing tensor an unexpected one of the same shape most likely is: the one it ends with (a
 * wrapper's prefix), else the closest name (within `budget`), else the first of its kind (`weight`,
 * `bias`, ...) with that shape.
 */
function renamedFrom(name: string, candidates: readonly ExpectedWeight[], budget: SuggestionBudget): ExpectedWeight | undefined {
  const suffixOf = candidates.find((candidate) => name.endsWith(`.${candidate.name}`));
  if (suffixOf !== undefined) return suffixOf;
  const closest = closestMatch(
    name,
    candidates.map((candidate) => candidate.name),
    budget,
  );
  if (closest !== undefined) return candidates.find((candidate) => candidate.name === closest);
  // Else the first of its kind left: unexpected tensors are taken in name order and candidates in the
  // network's, and state_dicts of one architecture list their layers in the same order.
  return candidates.find((candidate) => lastPart(candidate.name) === lastPart(name));
}

function renameLine(missing: ExpectedWeight, found: string): string {
  const shape = describeShape(missing.shape);
  const fix = found.endsWith(`.${missing.name}`) ? `strip the prefix \`${shortText(found.slice(0, found.length - missing.name.length))}\`` : "rename it";
  return `missing ${missing.name} ${shape}: found ${shortText(found)} of that shape (${fix})`;
}

/** Why an unexpected tensor without a same-shape partner might be there: the closest expected name. */
function unexpectedLine(name: string, tensor: Tensor, missing: readonly ExpectedWeight[], budget: SuggestionBudget): string {
  const closest = closestMatch(
    name,
    missing.map((weight) => weight.name),
    budget,
  );
  const expected = missing.find((weight) => weight.name === closest);
  const note = expected === undefined ? "the network has no such parameter" : `did you mean ${expected.name}? it is ${describeShape(expected.shape)}`;
  return `unexpected tensor ${shortText(name)} ${describeShape(tensor.shape)} (${note})`;
}

/**
 * Missing, mis-shaped and unexpected tensors of `weights`, each with the expected shape; empty when
 * they match. Renames (an unexpected tensor paired with a missing one of its shape) come first, one
 * line each, then mis-shaped, missing and unexpected tensors.
 */
export function weightProblems(expected: readonly ExpectedWeight[], weights: WeightMap): string[] {
  const misShaped: string[] = [];
  const missing: ExpectedWeight[] = [];
  for (const weight of expected) {
    const tensor = weights.get(weight.name);
    if (tensor === undefined) missing.push(weight);
    else if (!sameShape(tensor.shape, weight.shape)) misShaped.push(`${weight.name} has shape ${describeShape(tensor.shape)}, expected ${describeShape(weight.shape)}`);
  }
  const expectedNames = new Set(expected.map((weight) => weight.name));
  // Numbers in names compare as numbers (`features.2` before `features.10`), as layers are ordered.
  const extras = [...weights.keys()].filter((name) => !expectedNames.has(name) && !isTrainingCounter(name)).sort(naturalOrder);

  // Missing tensors by shape, in the network's order (ties go to the earlier one: `.1` before `.2`).
  const missingByShape = new Map<string, ExpectedWeight[]>();
  for (const weight of missing) {
    const key = describeShape(weight.shape);
    missingByShape.set(key, [...(missingByShape.get(key) ?? []), weight]);
  }
  // One suggestion budget for all of them: a file of a million stray tensors stays quick to refuse.
  const budget: SuggestionBudget = { left: SUGGESTION_BUDGET };
  const renamed = new Map<ExpectedWeight, string>();
  const unpaired: string[] = [];
  for (const name of extras) {
    const key = describeShape((weights.get(name) as Tensor).shape);
    const candidates = missingByShape.get(key) ?? [];
    const partner = renamedFrom(name, candidates, budget);
    if (partner === undefined) {
      unpaired.push(name);
      continue;
    }
    renamed.set(partner, name);
    missingByShape.set(
      key,
      candidates.filter((candidate) => candidate !== partner),
    );
  }
  const stillMissing = missing.filter((weight) => !renamed.has(weight));
  return [
    ...missing.flatMap((weight) => {
      const found = renamed.get(weight);
      return found === undefined ? [] : [renameLine(weight, found)];
    }),
    ...misShaped,
    ...stillMissing.map((weight) => `missing ${weight.name}, expected shape ${describeShape(weight.shape)}`),
    ...unpaired.map((name) => unexpectedLine(name, weights.get(name) as Tensor, stillMissing, budget)),
  ];
}

/** `(N problems):` and the first problems, one per indented line, for a message. */
export function problemList(problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
  if (problems.length > shown.length) shown.push(`... and ${countOf(problems.length - shown.length, "more problem")}`);
  return `(${countOf(problems.length, "problem")}):\n  ${shown.join("\n  ")}`;
}

/**
 * Checks loaded weights against what the network expects. Missing, mis-shaped and unexpected tensors
 * are all reported in ONE CnncUserError, each with the expected shape. `source` is the weights' file
 * (quoted in the message), or undefined for weights given in memory.
 */
export function checkWeights(expected: readonly ExpectedWeight[], weights: WeightMap, source: string | undefined): void {
  const problems = weightProblems(expected, weights);
  if (problems.length === 0) return;
  const subject = source === undefined ? "the weights do" : `\`${source}\` does`;
  throw new CnncUserError(`${subject} not match the network ${problemList(problems)}`, {
    hint:
      `weights are matched by PyTorch state_dict name and shape (conv weight [out, in/groups, kH, kW], fc weight ` +
      `[out, in]); the network expects ${countOf(expected.length, "tensor")}, and \`cnnc weights MODEL.cnn\` lists them`,
  });
}
