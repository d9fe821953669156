// The trait combinations the op definitions share.
import type { OpTraits } from "./definition.js";

/** Activations and dropout: elementwise, and each output element can overwrite its own input element. */
export const ELEMENTWISE_IN_PLACE: OpTraits = { elementwise: true, inPlace: true };
/**
 * Batchnorm and add: elementwise, but not marked in place (batchnorm's output is counted as new
 * memory in the summary, as PyTorch's BatchNorm2d has no inplace; add reads several values).
 */
export const ELEMENTWISE: OpTraits = { elementwise: true, inPlace: false };
export const NOT_ELEMENTWISE: OpTraits = { elementwise: false, inPlace: false };
