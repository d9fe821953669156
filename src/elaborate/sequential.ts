// Sequential numbering: in `layer2 = down(32) -> [basic(32)] * 2` the block instances are `layer2.0`,
// `layer2.1`, `layer2.2`, the way PyTorch's nn.Sequential numbers its children, so a torchvision stage
// loads as `layer2.1.conv1.weight` without spelling out `as layer2.1`. Built-in layers do not count:
// they do not map one to one onto PyTorch modules (fc flattens, relu is often a function), so a chain
// with one keeps the statement naming rules (`NAME`, `NAME.op`, `NAME.repeat.i.`).
import type { Chain } from "../../grammar/ast.js";
import { isValueReference } from "./chain.js";
import type { BodyFrame, StepNaming } from "./state.js";

/**
 * Whether a named statement's chain is numbered like nn.Sequential: after an optional starting value
 * (`x -> ...`), every step is a block call without `as` or a repetition of such steps (nested
 * repetitions too), and there is more than one block instance to number: a repetition or at least two
 * calls. `l1 = basic(64)` alone stays the instance `l1`.
 */
export function isSequential(frame: BodyFrame, chain: Chain): boolean {
  const steps = chain.steps[0]?.kind === "call" && isValueReference(frame, chain.steps[0]) ? chain.steps.slice(1) : chain.steps;
  if (!onlyBlockCalls(frame, steps)) return false;
  return steps.length > 1 || steps.some((step) => step.kind === "repeat");
}

function onlyBlockCalls(frame: BodyFrame, steps: Chain["steps"]): boolean {
  if (steps.length === 0) return false;
  return steps.every((step) =>
    step.kind === "repeat"
      ? onlyBlockCalls(frame, step.body.steps)
      : step.alias === undefined && !isValueReference(frame, step) && frame.file.blocks.has(step.callee),
  );
}

/** The next child's name, `NAME.<n>`, counting across the whole statement (repetitions included). */
export function nextSequentialName(sequence: NonNullable<StepNaming["sequence"]>): string {
  const name = `${sequence.base}.${sequence.next}`;
  sequence.next += 1;
  return name;
}
