// Which generator computes each kind of training work (src/kernels/trainingWork.ts), at a batch: the
// one switch from the kernel graph's plain data to the training kernels' WGSL. The backward GEMMs read
// the schedule choose-schedules set on the kernel node, validated by its kind; nothing is defaulted here.
import type { Schedule } from "../../ir/graph.js";
import type { TrainingWork } from "../../kernels/trainingWork.js";
import { dataGemmScheduleOf } from "../../schedule/kinds/dataGemm.js";
import { fcDataGemmScheduleOf } from "../../schedule/kinds/fcDataGemm.js";
import { fcWeightGemmScheduleOf } from "../../schedule/kinds/fcWeightGemm.js";
import { filterGemmScheduleOf } from "../../schedule/kinds/filterGemm.js";
import { activationBackward } from "./activationBackward.js";
import { batchnormTrainBackward, batchnormTrainForward } from "./batchnormTraining.js";
import { concatBackward } from "./gradientCopies.js";
import { convBackwardBias, convBackwardData, convBackwardFilter } from "./convBackward.js";
import { convTransposeBackwardData } from "./convTransposeBackwardData.js";
import { dropoutBackward, dropoutForward } from "./dropout.js";
import { fcBackwardBias, fcBackwardData, fcBackwardWeight } from "./fcBackward.js";
import { meanSquaredError, softmaxCrossEntropy } from "./losses.js";
import { adamUpdate, sgdUpdate } from "./optimizers.js";
import { globalPoolBackward } from "./globalPoolBackward.js";
import { lrnBackward } from "./lrnBackward.js";
import { mulBackwardGate, mulBackwardOperand } from "./mulBackward.js";
import { maxPoolForwardWithSwitches, poolBackward } from "./poolTraining.js";
import { softmaxBackward } from "./softmaxBackward.js";
import { upsampleBackward } from "./upsampleBackward.js";
import type { TrainingKernels } from "./trainingKernel.js";

/** The schedule a scheduled kind of work needs (choose-schedules sets it; its absence is a bug). */
function required(schedule: Schedule | undefined, work: TrainingWork): Schedule {
  if (schedule === undefined) throw new Error(`internal: a ${work.kind} kernel has no schedule (choose-schedules sets one)`);
  return schedule;
}

/** The kernels of `work` at `batch`; `schedule` is the kernel node's (required for the backward GEMMs). */
export function generateTraining(work: TrainingWork, batch: number, schedule: Schedule | undefined): TrainingKernels {
  const what = work.kind;
  switch (work.kind) {
    case "batchnorm_train":
      return batchnormTrainForward({ batch, ...work });
    case "dropout_forward":
      return dropoutForward({ elements: batch * work.elements, p: work.p, salt: work.salt });
    case "maxpool_switches":
      return maxPoolForwardWithSwitches({ batch, attrs: work.attrs, inputShape: work.inputShape, outputShape: work.outputShape });
    case "softmax_cross_entropy":
      return softmaxCrossEntropy({ batch, classes: work.classes });
    case "mean_squared_error":
      return meanSquaredError({ batch, elements: work.elements });
    case "conv_backward_data":
      return convBackwardData({ batch, attrs: work.attrs, inputShape: work.inputShape, outputShape: work.outputShape }, dataGemmScheduleOf(required(schedule, work), what));
    case "conv_backward_filter":
      return convBackwardFilter({ batch, attrs: work.attrs, inputShape: work.inputShape, outputShape: work.outputShape }, filterGemmScheduleOf(required(schedule, work), what));
    case "conv_backward_bias":
      return convBackwardBias({ batch, attrs: work.attrs, inputShape: work.inputShape, outputShape: work.outputShape });
    case "conv_transpose_backward_data":
      return convTransposeBackwardData({ batch, attrs: work.attrs, inputShape: work.inputShape, outputShape: work.outputShape });
    case "upsample_backward":
      return upsampleBackward({ batch, attrs: work.attrs, inputShape: work.inputShape, outputShape: work.outputShape });
    case "fc_backward_data":
      return fcBackwardData({ batch, inFeatures: work.inFeatures, outFeatures: work.outFeatures }, fcDataGemmScheduleOf(required(schedule, work), what));
    case "fc_backward_weight":
      return fcBackwardWeight({ batch, inFeatures: work.inFeatures, outFeatures: work.outFeatures }, fcWeightGemmScheduleOf(required(schedule, work), what));
    case "fc_backward_bias":
      return fcBackwardBias({ batch, outFeatures: work.outFeatures });
    case "pool_backward":
      return poolBackward({ batch, attrs: work.attrs, inputShape: work.inputShape, outputShape: work.outputShape });
    case "global_pool_backward":
      return globalPoolBackward({ batch, kind: work.poolKind, inputShape: work.inputShape });
    case "activation_backward":
      return activationBackward({ elements: batch * work.elements, attrs: work.attrs, from: work.from });
    case "softmax_backward":
      return softmaxBackward({ batch, classes: work.classes, inner: work.inner });
    case "batchnorm_backward":
      return batchnormTrainBackward({ batch, ...work });
    case "dropout_backward":
      return dropoutBackward({ elements: batch * work.elements, p: work.p, salt: work.salt });
    case "concat_backward":
      return concatBackward({ batch, ...work });
    case "mul_backward_operand":
      return mulBackwardOperand({ elements: batch * work.elements, elementsPerGate: work.elementsPerGate });
    case "mul_backward_gate":
      return mulBackwardGate({ gates: batch * work.gates, elementsPerGate: work.elementsPerGate });
    case "lrn_backward":
      return lrnBackward({ batch, ...work });
    case "sgd_update":
      return sgdUpdate(work);
    case "adam_update":
      return adamUpdate(work);
  }
}
