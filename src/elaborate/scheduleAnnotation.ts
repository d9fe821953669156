// `conv(64, 3, pad=1) @winograd`: a call step's schedule annotation. It names one of the schedule
// kinds and stands on a layer that has a schedule to choose (conv, conv1d, fc, linear); anywhere else
// (relu, a block call, a value) it is a located error. Whether the kind can compute that layer's
// workload is choose-schedules' check, which knows the shapes and the target.
import type { CallStep } from "../../grammar/ast.js";
import type { Node } from "../ir/graph.js";
import { isScheduleKindName, SCHEDULE_KIND_NAMES } from "../schedule/kindNames.js";
import type { LayerSpec } from "./layers.js";
import type { Elaboration } from "./state.js";

const KINDS_TEXT = SCHEDULE_KIND_NAMES.join(", ");

/** What a call step turned out to call: a layer, a block, or a value it refers to. */
export type AnnotatedCallee = { kind: "layer"; spec: LayerSpec } | { kind: "block" } | { kind: "value" };

/**
 * The annotation `step` carries for the node it makes, or undefined: none, or a misplaced or unknown
 * one (reported; the layer is still built, so that its other mistakes are reported too).
 */
export function scheduleAnnotationOf(state: Elaboration, step: CallStep, callee: AnnotatedCallee): Node["scheduleAnnotation"] {
  const annotation = step.schedule;
  if (annotation === undefined) return undefined;
  const { reporter } = state;
  const remove = `remove \`@${annotation.kind}\``;
  if (callee.kind === "block") {
    reporter.error("misplaced-schedule", `\`${step.callee}\` is a block; a schedule annotation applies to one conv or fc layer`, annotation.span, {
      hint: `${remove}, and annotate the conv or fc layers inside the block \`${step.callee}\``,
    });
    return undefined;
  }
  if (callee.kind === "value") {
    reporter.error("misplaced-schedule", `\`${step.callee}\` is a value; a schedule annotation applies to one conv or fc layer`, annotation.span, {
      hint: `${remove}, and annotate the layer that computes \`${step.callee}\``,
    });
    return undefined;
  }
  if (callee.spec.hasSchedule !== true) {
    reporter.error("misplaced-schedule", `\`${callee.spec.name}\` has no schedule to choose; only conv and fc layers do`, annotation.span, {
      hint: `${remove}: ${callee.spec.name} runs as it is, or fused into the kernel of the conv or fc before it`,
    });
    return undefined;
  }
  if (!isScheduleKindName(annotation.kind)) {
    reporter.error("unknown-schedule", `unknown schedule \`${annotation.kind}\``, annotation.kindSpan, {
      hint: () => {
        const suggestion = reporter.closestName(annotation.kind, SCHEDULE_KIND_NAMES);
        return `${suggestion === undefined ? "" : `did you mean \`${suggestion}\`? `}schedules are ${KINDS_TEXT}`;
      },
    });
    return undefined;
  }
  return { kind: annotation.kind, span: annotation.span };
}
