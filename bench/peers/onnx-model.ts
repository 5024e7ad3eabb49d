/**
 * In-memory ONNX models for the ONNX Runtime peers (ort-web, ort-node).
 *
 * Why hand-encoded protobuf rather than a package: the only maintained ONNX
 * schema package on npm, `onnx-proto` 8.0.1, is generated from ONNX 1.10.2
 * (2021: no INT4/UINT4/FLOAT8 data types, which MatMulNBits-style models will
 * want), is CommonJS, and pins `protobufjs@^6` — a second copy next to the
 * protobufjs 7 that onnxruntime-web already brings. Using protobufjs directly
 * would still mean writing the ONNX schema subset by hand. What a model needs
 * is a handful of messages whose field numbers are frozen by the ONNX spec
 * (onnx/onnx.proto3), and the wire format needs only varints, length-delimited
 * fields and fixed32 floats, so ~150 lines without a dependency are simpler
 * and cannot drift. The encoder writes each message into its own buffer and
 * then length-prefixes it; models here are small enough (B up to a few
 * MiB of raw_data) that the extra copy per nesting level does not matter.
 *
 * Add a node type by writing a small function that calls `graph()` (see
 * `matMulModel`); every ONNX node, contrib (`com.microsoft`) op included, is
 * `{ op, inputs, outputs, attrs, domain }`.
 */

/** TensorProto.DataType (onnx.proto). */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
} as const;
export type DataTypeId = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType (onnx.proto). */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/**
 * A constant tensor (graph initializer or tensor attribute). `data` is stored
 * as `raw_data`: the bytes of the typed array, little-endian as on every
 * platform we run on. For packed sub-byte types (INT4/UINT4) pass the packed
 * bytes and the logical dims.
 */
export interface TensorSpec {
  name: string;
  dataType: DataTypeId;
  dims: readonly number[];
  data: ArrayBufferView;
}

/** A graph input or output: element type and shape (a string is a symbolic dim). */
export interface ValueSpec {
  name: string;
  dataType: DataTypeId;
  shape: readonly (number | string)[];
}

/** An attribute value, tagged like the AttributeProto field it is stored in. */
export type AttrValue =
  | { f: number }
  | { i: number | bigint }
  | { s: string }
  | { t: TensorSpec }
  | { floats: readonly number[] }
  | { ints: readonly (number | bigint)[] }
  | { strings: readonly string[] };

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Operator-set domain: '' (default) is ai.onnx; e.g. 'com.microsoft' for contrib ops. */
  domain?: string;
  name?: string;
  attrs?: Readonly<Record<string, AttrValue>>;
}

export interface GraphSpec {
  nodes: readonly NodeSpec[];
  initializers?: readonly TensorSpec[];
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  /** Opset per domain, or just the ai.onnx opset. Default `{ '': 17 }`. */
  opset?: number | Readonly<Record<string, number>>;
  /** ModelProto.ir_version. Default 8 (ONNX 1.10+, enough for opset 17). */
  irVersion?: number;
  name?: string;
}

/** Default ai.onnx opset: supported by every onnxruntime from 1.12 on. */
export const DEFAULT_OPSET = 17;

// ---------------------------------------------------------------------------
// Protobuf wire format (https://protobuf.dev/programming-guides/encoding/)

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;
const utf8 = new TextEncoder();

class Writer {
  private buf = new Uint8Array(64);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Unsigned varint; negative int64 values are written as 10-byte two's complement. */
  varint(v: number | bigint): this {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0x7fffffff) {
      this.reserve(5);
      while (v > 0x7f) {
        this.buf[this.len++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.len++] = v;
      return this;
    }
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`not an integer: ${v}`);
    let x = BigInt.asUintN(64, BigInt(v));
    this.reserve(10);
    while (x > 0x7fn) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
    return this;
  }

  private tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LEN).varint(data.length);
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  string(field: number, s: string | undefined): this {
    return s ? this.bytes(field, utf8.encode(s)) : this;
  }

  int(field: number, v: number | bigint): this {
    return this.tag(field, WIRE_VARINT).varint(v);
  }

  float(field: number, v: number): this {
    this.tag(field, WIRE_FIXED32);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.len, v, true);
    this.len += 4;
    return this;
  }

  /** Packed repeated int64 (proto3 default for repeated scalars). */
  packedInts(field: number, vs: readonly (number | bigint)[]): this {
    if (vs.length === 0) return this;
    const inner = new Writer();
    for (const v of vs) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  packedFloats(field: number, vs: readonly number[]): this {
    if (vs.length === 0) return this;
    const f = Float32Array.from(vs);
    return this.bytes(field, new Uint8Array(f.buffer));
  }

  message(field: number, write: (w: Writer) => void): this {
    const inner = new Writer();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

// ---------------------------------------------------------------------------
// ONNX messages (field numbers from onnx/onnx.proto3)

function writeTensor(w: Writer, t: TensorSpec): void {
  w.packedInts(1, t.dims); // dims
  w.int(2, t.dataType); // data_type
  w.string(8, t.name); // name
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)); // raw_data
}

function writeValueInfo(w: Writer, v: ValueSpec): void {
  w.string(1, v.name); // name
  w.message(2, (type) => // type: TypeProto
    type.message(1, (tensor) => { // tensor_type: TypeProto.Tensor
      tensor.int(1, v.dataType); // elem_type
      tensor.message(2, (shape) => { // shape: TensorShapeProto
        for (const d of v.shape) {
          shape.message(1, (dim) => { // dim: Dimension
            if (typeof d === 'number') dim.int(1, d); // dim_value
            else dim.string(2, d); // dim_param
          });
        }
      });
    }),
  );
}

function writeAttribute(w: Writer, name: string, a: AttrValue): void {
  w.string(1, name);
  if ('f' in a) w.float(2, a.f).int(20, AttrType.FLOAT);
  else if ('i' in a) w.int(3, a.i).int(20, AttrType.INT);
  else if ('s' in a) w.bytes(4, utf8.encode(a.s)).int(20, AttrType.STRING);
  else if ('t' in a) w.message(5, (t) => writeTensor(t, a.t)).int(20, AttrType.TENSOR);
  else if ('floats' in a) w.packedFloats(7, a.floats).int(20, AttrType.FLOATS);
  else if ('ints' in a) w.packedInts(8, a.ints).int(20, AttrType.INTS);
  else if ('strings' in a) {
    for (const s of a.strings) w.bytes(9, utf8.encode(s));
    w.int(20, AttrType.STRINGS);
  } else throw new TypeError(`attribute ${name}: unknown value ${JSON.stringify(a)}`);
}

function writeNode(w: Writer, n: NodeSpec): void {
  for (const i of n.inputs) w.bytes(1, utf8.encode(i)); // input ('' = omitted optional input)
  for (const o of n.outputs) w.bytes(2, utf8.encode(o)); // output
  w.string(3, n.name); // name
  w.string(4, n.op); // op_type
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, (a) => writeAttribute(a, k, v)); // attribute
  w.string(7, n.domain); // domain
}

/** Serialises a one-graph ONNX model (ModelProto bytes). */
export function graph(spec: GraphSpec): Uint8Array {
  const opset = typeof spec.opset === 'number' ? { '': spec.opset } : (spec.opset ?? { '': DEFAULT_OPSET });
  const w = new Writer();
  w.int(1, spec.irVersion ?? 8); // ir_version
  w.string(2, 'lanewise-bench'); // producer_name
  w.message(7, (g) => { // graph
    for (const n of spec.nodes) g.message(1, (x) => writeNode(x, n)); // node
    g.string(2, spec.name ?? 'main'); // name
    for (const t of spec.initializers ?? []) g.message(5, (x) => writeTensor(x, t)); // initializer
    for (const v of spec.inputs) g.message(11, (x) => writeValueInfo(x, v)); // input
    for (const v of spec.outputs) g.message(12, (x) => writeValueInfo(x, v)); // output
  });
  for (const [domain, version] of Object.entries(opset)) {
    w.message(8, (o) => o.string(1, domain).int(2, version)); // opset_import
  }
  return w.finish();
}

/** A constant tensor whose data type follows the typed array (Int8Array → INT8, ...). */
export function tensor(
  name: string,
  dims: readonly number[],
  data: Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array,
): TensorSpec {
  const count = dims.reduce((p, d) => p * d, 1);
  if (data.length !== count) throw new RangeError(`tensor ${name}: ${data.length} elements for dims [${dims.join(', ')}]`);
  const dataType =
    data instanceof Float32Array ? DataType.FLOAT
    : data instanceof Float64Array ? DataType.DOUBLE
    : data instanceof Int8Array ? DataType.INT8
    : data instanceof Uint8Array ? DataType.UINT8
    : data instanceof Int16Array ? DataType.INT16
    : data instanceof Uint16Array ? DataType.UINT16
    : data instanceof Int32Array ? DataType.INT32
    : data instanceof Uint32Array ? DataType.UINT32
    : DataType.INT64;
  return { name, dataType, dims, data };
}

/**
 * `Y = A · B` with A `[M, k]` as the input "A" (M symbolic, so one model serves
 * every row count), B `[k, n]` a constant initializer (onnxruntime prepacks
 * it once at session creation), Y `[M, n]` the output "Y".
 */
export function matMulModel(k: number, n: number, b: Float32Array): Uint8Array {
  return graph({
    nodes: [{ op: 'MatMul', inputs: ['A', 'B'], outputs: ['Y'] }],
    initializers: [tensor('B', [k, n], b)],
    inputs: [{ name: 'A', dataType: DataType.FLOAT, shape: ['M', k] }],
    outputs: [{ name: 'Y', dataType: DataType.FLOAT, shape: ['M', n] }],
  });
}

/**
 * Quantized matmuls for the quant suite (uint8 A `[M, k]` fed at run time, B a constant):
 * `MatMulInteger` (Y int32) and `QLinearMatMul` (Y uint8), B int8 (u8·s8, the pair MLAS has a
 * fast wasm path for) or uint8, per-tensor scales and zero points.
 */
export function matMulIntegerModel(k: number, n: number, b: Int8Array | Uint8Array, aZeroPoint: number): Uint8Array {
  return graph({
    nodes: [{ op: 'MatMulInteger', inputs: ['A', 'B', 'a_zp'], outputs: ['Y'] }],
    initializers: [tensor('B', [k, n], b), tensor('a_zp', [], new Uint8Array([aZeroPoint]))],
    inputs: [{ name: 'A', dataType: DataType.UINT8, shape: ['M', k] }],
    outputs: [{ name: 'Y', dataType: DataType.INT32, shape: ['M', n] }],
  });
}

export function qLinearMatMulModel(k: number, n: number, b: Int8Array | Uint8Array,
  q: { aScale: number; aZeroPoint: number; bScale: number; bZeroPoint: number; yScale: number; yZeroPoint: number }): Uint8Array {
  const bzp = b instanceof Int8Array ? new Int8Array([q.bZeroPoint]) : new Uint8Array([q.bZeroPoint]);
  return graph({
    nodes: [{ op: 'QLinearMatMul', inputs: ['A', 'a_s', 'a_zp', 'B', 'b_s', 'b_zp', 'y_s', 'y_zp'], outputs: ['Y'] }],
    initializers: [tensor('B', [k, n], b), tensor('a_s', [], new Float32Array([q.aScale])), tensor('a_zp', [], new Uint8Array([q.aZeroPoint])),
      tensor('b_s', [], new Float32Array([q.bScale])), tensor('b_zp', [], bzp),
      tensor('y_s', [], new Float32Array([q.yScale])), tensor('y_zp', [], new Uint8Array([q.yZeroPoint]))],
    inputs: [{ name: 'A', dataType: DataType.UINT8, shape: ['M', k] }],
    outputs: [{ name: 'Y', dataType: DataType.UINT8, shape: ['M', n] }],
  });
}

/**
 * com.microsoft `MatMulNBits` (4-bit weights, f32 activations): B `[k, n]` f32 is quantized here
 * the way onnxruntime's quantizer does (blocks of `blockSize` along k per column, unsigned
 * nibbles with zero point 8, scale max|w|/7, low nibble first), stored `[n, blocks, blockSize/2]`.
 */
export function matMulNBitsModel(k: number, n: number, b: Float32Array, blockSize = 32): Uint8Array {
  const blocks = Math.ceil(k / blockSize), blob = blockSize / 2;
  const packed = new Uint8Array(n * blocks * blob);
  const scales = new Float32Array(n * blocks);
  for (let j = 0; j < n; j++) {
    for (let bl = 0; bl < blocks; bl++) {
      let mx = 0;
      for (let i = bl * blockSize; i < Math.min(k, (bl + 1) * blockSize); i++) mx = Math.max(mx, Math.abs(b[i * n + j]));
      const s = mx > 0 ? mx / 7 : 1;
      scales[j * blocks + bl] = s;
      for (let t = 0; t < blockSize; t++) {
        const i = bl * blockSize + t;
        const q = i < k ? Math.max(0, Math.min(15, Math.round(b[i * n + j] / s) + 8)) : 8;
        packed[(j * blocks + bl) * blob + (t >> 1)] |= q << ((t & 1) * 4);
      }
    }
  }
  return graph({
    nodes: [{ op: 'MatMulNBits', domain: 'com.microsoft', inputs: ['A', 'B', 'scales'], outputs: ['Y'],
      attrs: { K: { i: k }, N: { i: n }, bits: { i: 4 }, block_size: { i: blockSize } } }],
    initializers: [tensor('B', [n, blocks, blob], packed), tensor('scales', [n * blocks], scales)],
    inputs: [{ name: 'A', dataType: DataType.FLOAT, shape: ['M', k] }],
    outputs: [{ name: 'Y', dataType: DataType.FLOAT, shape: ['M', n] }],
    opset: { '': DEFAULT_OPSET, 'com.microsoft': 1 },
  });
}

/**
 * `QLinearConv` (NCHW uint8 X `[1, ci, h, w]` fed at run time, int8 W `[co, ci, k, k]` constant,
 * per-tensor scales, uint8 Y), square kernel, stride 1, symmetric padding `pad`.
 */
export function qLinearConvModel(ci: number, h: number, w: number, co: number, k: number, pad: number, weights: Int8Array,
  q: { xScale: number; xZeroPoint: number; wScale: number; yScale: number; yZeroPoint: number }): Uint8Array {
  const oh = h + 2 * pad - k + 1, ow = w + 2 * pad - k + 1;
  return graph({
    nodes: [{ op: 'QLinearConv', inputs: ['X', 'x_s', 'x_zp', 'W', 'w_s', 'w_zp', 'y_s', 'y_zp'], outputs: ['Y'],
      attrs: { kernel_shape: { ints: [k, k] }, pads: { ints: [pad, pad, pad, pad] }, strides: { ints: [1, 1] } } }],
    initializers: [tensor('W', [co, ci, k, k], weights), tensor('x_s', [], new Float32Array([q.xScale])),
      tensor('x_zp', [], new Uint8Array([q.xZeroPoint])), tensor('w_s', [], new Float32Array([q.wScale])),
      tensor('w_zp', [], new Int8Array([0])), tensor('y_s', [], new Float32Array([q.yScale])),
      tensor('y_zp', [], new Uint8Array([q.yZeroPoint]))],
    inputs: [{ name: 'X', dataType: DataType.UINT8, shape: [1, ci, h, w] }],
    outputs: [{ name: 'Y', dataType: DataType.UINT8, shape: [1, co, oh, ow] }],
  });
}
