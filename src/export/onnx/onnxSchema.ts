// ONNX's protobuf messages, encoded by protobufjs from the vendored onnx.proto (ONNX's own schema,
// Apache-2.0, see its header). The .proto is parsed at run time rather than compiled into generated
// code: the schema stays the one reviewable file ONNX publishes, there is no code-generation step or
// generated file to keep in sync, and protobufjs checks every message against it before encoding.
// The interfaces below type the part of the schema cnnc writes, with the .proto's own field names.
import { readFileSync } from "node:fs";

import protobuf from "protobufjs";

/** TensorProto.DataType values cnnc writes. */
export const TENSOR_FLOAT = 1;
export const TENSOR_INT64 = 7;

/** AttributeProto.AttributeType values cnnc writes. */
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

export interface OnnxTensor {
  name: string;
  dims: number[];
  data_type: number;
  /** Little-endian values, as the ONNX spec requires for raw_data. */
  raw_data: Uint8Array;
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
}

export interface OnnxNode {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: OnnxAttribute[];
}

/** One axis of a value's shape: a size, or a symbol shared by every value with the same axis (the batch). */
export type OnnxDimension = { dim_value: number } | { dim_param: string };

export interface OnnxValueInfo {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: OnnxDimension[] } } };
}

export interface OnnxGraph {
  name: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  doc_string?: string;
}

export interface OnnxModel {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: OnnxGraph;
}

let modelType: protobuf.Type | undefined;

/** ModelProto, from onnx.proto beside this file (copied next to the built JavaScript by `npm run build`). */
function onnxModelType(): protobuf.Type {
  if (modelType === undefined) {
    const source = readFileSync(new URL("./onnx.proto", import.meta.url), "utf8");
    modelType = protobuf.parse(source, { keepCase: true }).root.lookupType("onnx.ModelProto");
  }
  return modelType;
}

/** The model as protobuf bytes, after checking it against the schema (a mismatch is a bug here, not the user's). */
export function encodeModel(model: OnnxModel): Uint8Array {
  const type = onnxModelType();
  const object: { [field: string]: unknown } = { ...model };
  const problem = type.verify(object);
  if (problem !== null) throw new Error(`internal: the ONNX model does not fit onnx.proto: ${problem}`);
  return type.encode(type.fromObject(object)).finish();
}

/** Decodes ModelProto bytes into plain objects with the .proto's field names (int64 as numbers): for tests and tools. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const type = onnxModelType();
  return type.toObject(type.decode(bytes), { longs: Number, defaults: false, arrays: true }) as OnnxModel;
}
