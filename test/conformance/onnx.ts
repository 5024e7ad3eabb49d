// Reading the ONNX backend test vectors of Debian's libonnx-testdata: model.onnx (one-node
// graphs) and test_data_set_*/{input,output}_N.pb (TensorProto). Decoded with protobufjs (a
// maintained package; onnxruntime-web depends on it) over the subset of onnx.proto3 we read;
// field numbers are fixed by the ONNX spec, and protobufjs skips the fields we do not name.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ONNX_DATA = '/usr/share/libonnx-testdata/data';

const schema = `
syntax = "proto3";
package onnx;
message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
  repeated float float_data = 4;
  repeated int32 int32_data = 5;
  repeated int64 int64_data = 7;
  string name = 8;
  bytes raw_data = 9;
  repeated double double_data = 10;
}
message AttributeProto {
  string name = 1;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  int32 type = 20;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string domain = 7;
}
message ValueInfoProto { string name = 1; }
message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto {
  int64 ir_version = 1;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;

type Long = { toNumber(): number } | number;
const num = (v: Long) => (typeof v === 'number' ? v : v.toNumber());

interface Decoder { decode(b: Uint8Array): unknown; }
export interface Protos { tensor: Decoder; model: Decoder; }

/** Loads protobufjs and the schema; throws a clear error when the package is missing. */
export async function loadProtos(): Promise<Protos> {
  let pb: { parse(src: string, opts?: object): { root: { lookupType(n: string): Decoder } } };
  try {
    const mod = await import('protobufjs');
    pb = ((mod as { default?: unknown }).default ?? mod) as typeof pb;
  } catch (e) {
    throw new Error(`the ONNX conformance test needs the npm package protobufjs (run npm install): ${(e as Error).message}`);
  }
  const { root } = pb.parse(schema, { keepCase: true });
  return { tensor: root.lookupType('onnx.TensorProto'), model: root.lookupType('onnx.ModelProto') };
}

export interface OnnxTensor { name: string; dims: number[]; dataType: number; data: Float32Array | null; }

interface RawTensor {
  dims?: Long[]; data_type?: number; float_data?: number[]; name?: string; raw_data?: Uint8Array;
  double_data?: number[]; int32_data?: number[]; int64_data?: Long[];
}

/** A float tensor's values (float, or double/ints converted); null for other types. */
export function tensorOf(raw: RawTensor): OnnxTensor {
  const dims = (raw.dims ?? []).map(num);
  const dataType = raw.data_type ?? 0;
  const count = dims.reduce((p, d) => p * d, 1);
  let data: Float32Array | null = null;
  if (dataType === 1) {
    if (raw.raw_data && raw.raw_data.length > 0) {
      const copy = new Uint8Array(raw.raw_data); // a fresh, aligned copy (Node hands out pooled Buffers)
      data = new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
    } else data = Float32Array.from(raw.float_data ?? []);
    if (data.length !== count) throw new Error(`tensor ${raw.name}: ${data.length} values for dims [${dims}]`);
  }
  return { name: raw.name ?? '', dims, dataType, data };
}

export function readTensor(p: Protos, file: string): OnnxTensor {
  return tensorOf(p.tensor.decode(readFileSync(file)) as RawTensor);
}

export type AttrValue = number | number[] | string | undefined;

export interface OnnxNode { op: string; domain: string; inputs: string[]; outputs: string[]; attrs: Record<string, AttrValue>; }

export interface OnnxCase {
  dir: string;
  name: string;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  /** Graph inputs that are not initializers, in order: fed from input_N.pb. */
  inputs: string[];
  opset: number;
  dataSets: { inputs: OnnxTensor[]; outputs: OnnxTensor[] }[];
}

interface RawAttr { name: string; f?: number; i?: Long; s?: Uint8Array; floats?: number[]; ints?: Long[]; type?: number; }
interface RawModel {
  graph?: { node?: { input?: string[]; output?: string[]; op_type?: string; domain?: string; attribute?: RawAttr[] }[];
    initializer?: RawTensor[]; input?: { name?: string }[] };
  opset_import?: { domain?: string; version?: Long }[];
}

function attrValue(a: RawAttr): AttrValue {
  switch (a.type) {
    case 1: return a.f;
    case 2: return a.i === undefined ? 0 : num(a.i);
    case 3: return a.s ? new TextDecoder().decode(a.s) : '';
    case 6: return a.floats ?? [];
    case 7: return (a.ints ?? []).map(num);
    default: return undefined;
  }
}

export function readCase(p: Protos, dir: string): OnnxCase {
  const model = p.model.decode(readFileSync(path.join(dir, 'model.onnx'))) as RawModel;
  const g = model.graph ?? {};
  const initializers = new Map((g.initializer ?? []).map((t) => { const x = tensorOf(t); return [x.name, x] as const; }));
  const nodes = (g.node ?? []).map((n) => ({
    op: n.op_type ?? '', domain: n.domain ?? '', inputs: n.input ?? [], outputs: n.output ?? [],
    attrs: Object.fromEntries((n.attribute ?? []).map((a) => [a.name, attrValue(a)])),
  }));
  const inputs = (g.input ?? []).map((v) => v.name ?? '').filter((nm) => !initializers.has(nm));
  const opset = num((model.opset_import ?? []).find((o) => !o.domain)?.version ?? 0);
  const dataSets = readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort().map((d) => {
    const files = readdirSync(path.join(dir, d));
    const load = (prefix: string) => files.filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
      .sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length)))
      .map((f) => readTensor(p, path.join(dir, d, f)));
    return { inputs: load('input_'), outputs: load('output_') };
  });
  return { dir, name: path.basename(dir), nodes, initializers, inputs, opset, dataSets };
}

/** Every test directory (node, pytorch-converted, pytorch-operator, simple) holding a model.onnx. */
export function allCaseDirs(): string[] {
  const out: string[] = [];
  for (const group of ['node', 'pytorch-converted', 'pytorch-operator', 'simple']) {
    const base = path.join(ONNX_DATA, group);
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base)) if (existsSync(path.join(base, d, 'model.onnx'))) out.push(path.join(base, d));
  }
  return out.sort();
}
