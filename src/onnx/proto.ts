// Messages of ONNX's schema. ./onnx-schema.json is protobufjs's JSON form of the part of onnx.proto (IR
// version 8) that the exporter and importer use, with the real field numbers, loaded at start-up (no
// generated code). Fields absent there are skipped when decoding, as protobuf allows; so every value field
// of AttributeProto is there, and GraphProto's sparse_initializer, for the importer to see and refuse.
import protobuf from 'protobufjs';
import ONNX_SCHEMA from './onnx-schema.json';
import { InternalError } from '../core/errors.js';

const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
export const ModelProto = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT8: 3, INT32: 6, INT64: 7 } as const;
/** AttributeProto.AttributeType, all of it (the importer names the type it expected and the one it got). */
export const AttrType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10,
  SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;
export type AttrTypeName = keyof typeof AttrType;

// Plain-object views of the messages (as protobufjs' toObject gives them, longs as numbers).
export interface TensorMsg {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  data_location?: number;
}
export interface AttributeMsg {
  name: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMsg;
  floats?: number[];
  ints?: number[];
  // value fields the importer never reads, only checks for: a value there under another type is refused
  g?: object;
  sparse_tensor?: object;
  tp?: object;
  strings?: Uint8Array[];
  tensors?: object[];
  graphs?: object[];
  sparse_tensors?: object[];
  type_protos?: object[];
}
export interface NodeMsg {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeMsg[];
}
export interface ValueInfoMsg {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: number; dim_param?: string }[] } } };
}
export interface GraphMsg {
  node?: NodeMsg[];
  name?: string;
  initializer?: TensorMsg[];
  /** Decoded only to refuse them: the importer reads dense initializers. */
  sparse_initializer?: object[];
  input?: ValueInfoMsg[];
  output?: ValueInfoMsg[];
}
export interface ModelMsg {
  ir_version?: number;
  opset_import?: { domain?: string; version?: number }[];
  producer_name?: string;
  producer_version?: string;
  graph?: GraphMsg;
}

/** Serialises a ModelProto given as a plain object (snake_case field names). */
export function encodeModel(model: ModelMsg): Uint8Array {
  const err = ModelProto.verify(model);
  if (err) throw new InternalError(`onnx: internal error building the ModelProto: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** Parses a ModelProto into a plain object (int64 as numbers, bytes as Uint8Array). Throws protobufjs' errors. */
export function decodeModel(bytes: Uint8Array): ModelMsg {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, arrays: true, defaults: false }) as ModelMsg;
}
