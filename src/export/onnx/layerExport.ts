// What the ONNX exporter hands each layer's entry in its op table (layerExporters.ts): the layer, the
// ONNX names of its inputs, the name its output must get, and the graph being built.
import type { Node, OpKind, ParamSpec, Shape } from "../../ir/graph.js";
import type { OpAttrsOf } from "../../ops/registry.js";
import type { OnnxGraphBuilder } from "./graphBuilder.js";

export interface LayerExport<K extends OpKind> {
  node: Node;
  attrs: OpAttrsOf<K>;
  /** The ONNX value names of the layer's inputs, in argument order. */
  inputs: readonly string[];
  /** The per-sample shapes of those inputs. */
  inputShapes: readonly Shape[];
  /** The name (already claimed) that the layer's last ONNX node must write: the layer's name. */
  output: string;
  builder: OnnxGraphBuilder;
  /** Adds the layer's parameter as an initializer under its state_dict name and returns that name. */
  weight(name: ParamSpec["name"]): string;
  /** A fresh value name for an intermediate result of this layer (`conv1/pad`). */
  temporary(what: string): string;
}

/** Writes one layer as ONNX nodes, ending in one that defines `output`. */
export type LayerExporter<K extends OpKind> = (layer: LayerExport<K>) => void;

/** Every op kind to its ONNX form; an op kind without an entry is a type error. */
export type LayerExporters = { [K in OpKind]: LayerExporter<K> };

