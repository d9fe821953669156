// The ONNX exporter's op table: every op kind of the IR to the ONNX nodes it becomes. Keyed by OpKind,
// so a new op is a type error here until it has an entry (or an entry that explains why ONNX cannot
// express it exactly, as a CnncUserError naming the layer).
import type { OpKind } from "../../ir/graph.js";
import {
  exportAdd,
  exportBatchnorm,
  exportConcat,
  exportDropout,
  exportElu,
  exportFc,
  exportFlatten,
  exportInput,
  exportLeakyRelu,
  exportRelu,
  exportSigmoid,
  exportSoftmax,
  exportTanh,
} from "./denseExports.js";
import type { LayerExporter, LayerExporters } from "./layerExport.js";
import { exportLrn } from "./lrnExport.js";
import { exportHardsigmoid, exportHardswish, exportMul, exportRelu6, exportSilu } from "./modernExports.js";
import { exportConv, exportGlobalPool, exportPool } from "./spatialExports.js";
import { exportConvTranspose, exportUpsample } from "./upsamplingExports.js";

const LAYER_EXPORTERS: LayerExporters = {
  input: exportInput,
  conv: exportConv,
  conv_transpose: exportConvTranspose,
  upsample: exportUpsample,
  pool: exportPool,
  global_pool: exportGlobalPool,
  fc: exportFc,
  flatten: exportFlatten,
  relu: exportRelu,
  leaky_relu: exportLeakyRelu,
  elu: exportElu,
  tanh: exportTanh,
  sigmoid: exportSigmoid,
  relu6: exportRelu6,
  hardsigmoid: exportHardsigmoid,
  hardswish: exportHardswish,
  silu: exportSilu,
  softmax: exportSoftmax,
  batchnorm: exportBatchnorm,
  dropout: exportDropout,
  lrn: exportLrn,
  add: exportAdd,
  mul: exportMul,
  concat: exportConcat,
};

/** The table entry of one op; called as `layerExporter(attrs.op)` with the same `attrs`, like opDefinition. */
export function layerExporter<K extends OpKind>(op: K): LayerExporter<K> {
  return LAYER_EXPORTERS[op];
}
