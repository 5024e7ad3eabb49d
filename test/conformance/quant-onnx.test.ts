// External conformance for quantization: the ONNX backend vectors of Debian's libonnx-testdata
// (QuantizeLinear, DequantizeLinear incl. _axis, DynamicQuantizeLinear, MatMulInteger,
// QLinearMatMul 2-D and 3-D, ConvInteger, QLinearConv) run through the public API and compared with the shipped outputs
// exactly. Reuses the conv suite's loader (test/conformance/onnx.ts) for models; integer tensors
// are decoded here from raw_data (that loader decodes float tensors only).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise } from '../../src/index.js';
import { loadProtos, readCase, ONNX_DATA, type Protos } from './onnx.js';

interface IntTensor { dims: number[]; dataType: number; data: Float32Array | Int8Array | Uint8Array | Int32Array; }

function readAny(p: Protos, file: string): IntTensor {
  const raw = p.tensor.decode(readFileSync(file)) as { dims?: unknown[]; data_type?: number; raw_data?: Uint8Array;
    float_data?: number[]; int32_data?: number[] };
  const dims = (raw.dims ?? []).map((d) => Number(d));
  const dataType = raw.data_type ?? 0;
  const bytes = raw.raw_data && raw.raw_data.length ? new Uint8Array(raw.raw_data) : null;
  let data: IntTensor['data'];
  switch (dataType) {
    case 1: data = bytes ? new Float32Array(bytes.buffer, 0, bytes.length / 4) : Float32Array.from(raw.float_data ?? []); break;
    case 2: data = bytes ?? Uint8Array.from(raw.int32_data ?? []); break;
    case 3: data = bytes ? new Int8Array(bytes.buffer) : Int8Array.from(raw.int32_data ?? []); break;
    case 6: data = bytes ? new Int32Array(bytes.buffer, 0, bytes.length / 4) : Int32Array.from(raw.int32_data ?? []); break;
    default: throw new Error(`${file}: data type ${dataType} not handled`);
  }
  return { dims, dataType, data };
}

const typeOf = (t: IntTensor) => (t.dataType === 2 ? 'uint8' : 'int8') as 'uint8' | 'int8';

const CASES = ['test_quantizelinear', 'test_quantizelinear_axis', 'test_dequantizelinear', 'test_dequantizelinear_axis',
  'test_dynamicquantizelinear', 'test_dynamicquantizelinear_max_adjusted', 'test_dynamicquantizelinear_min_adjusted',
  'test_matmulinteger', 'test_qlinearmatmul_2D', 'test_qlinearmatmul_3D',
  'test_basic_convinteger', 'test_convinteger_with_padding', 'test_convinteger_without_padding', 'test_qlinearconv'];

let lw: Lanewise;
let protos: Protos;
beforeAll(async () => {
  if (!existsSync(ONNX_DATA)) {
    try { execFileSync('bash', [path.resolve('scripts/system-deps.sh')], { stdio: 'inherit' }); } catch { /* reported below */ }
  }
  lw = await Lanewise.create();
  protos = await loadProtos();
});
afterAll(() => lw?.dispose());

function dataSets(name: string): { op: string; attrs: Record<string, unknown>; sets: { inputs: IntTensor[]; outputs: IntTensor[] }[] } {
  const dir = path.join(ONNX_DATA, 'node', name);
  const c = readCase(protos, dir);
  const sets = readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort().map((d) => {
    const files = readdirSync(path.join(dir, d)).sort((a, b) => parseInt(a.replace(/\D/g, '')) - parseInt(b.replace(/\D/g, '')));
    const load = (pre: string) => files.filter((f) => f.startsWith(pre)).map((f) => readAny(protos, path.join(dir, d, f)));
    return { inputs: load('input_'), outputs: load('output_') };
  });
  return { op: c.nodes[0].op, attrs: c.nodes[0].attrs, sets };
}

function same(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(Array.from(got)).toEqual(Array.from(want));
}

describe('ONNX quantization vectors (libonnx-testdata)', () => {
  it('the vectors are installed', () => {
    expect(existsSync(ONNX_DATA), `${ONNX_DATA} missing: install libonnx-testdata (scripts/system-deps.sh)`).toBe(true);
  });

  for (const name of CASES) {
    it(name, () => {
      if (!existsSync(path.join(ONNX_DATA, 'node', name))) expect.fail(`${name} missing from libonnx-testdata`);
      const { op, attrs, sets } = dataSets(name);
      expect(sets.length).toBeGreaterThan(0);
      for (const { inputs, outputs } of sets) {
        // ONNX's per-axis default is axis 1.
        const axisOf = (_rank: number, n: number) => (n > 1 ? ((attrs.axis as number | undefined) ?? 1) : undefined);
        if (op === 'QuantizeLinear') {
          const [x, s, z] = inputs;
          const t = lw.tensor('float32', x.data as Float32Array, x.dims);
          const q = lw.quantize(t, { scheme: 'asymmetric', signed: typeOf(z) === 'int8', scale: Array.from(s.data), zeroPoint: Array.from(z.data),
            axis: axisOf(x.dims.length, s.data.length), ...(s.data.length === 1 ? { scale: s.data[0], zeroPoint: z.data[0] } : {}) });
          same(q.data, outputs[0].data);
        } else if (op === 'DequantizeLinear') {
          const [x, s, z] = inputs;
          const q = lw.quantized(typeOf(x), x.data, x.dims, s.data.length === 1 ? { scale: s.data[0], zeroPoint: z.data[0] }
            : { scale: s.data, zeroPoint: z.data, axis: axisOf(x.dims.length, s.data.length) });
          same(new Uint32Array(lw.dequantize(q).read().buffer), new Uint32Array((outputs[0].data as Float32Array).slice().buffer));
        } else if (op === 'DynamicQuantizeLinear') {
          const [x] = inputs;
          const q = lw.quantize(lw.tensor('float32', x.data as Float32Array, x.dims), { scheme: 'asymmetric' });
          same(q.data, outputs[0].data);
          expect(q.scale[0]).toBe(outputs[1].data[0]);
          expect(q.zeroPoint[0]).toBe(outputs[2].data[0]);
        } else if (op === 'MatMulInteger') {
          const [a, b, za, zb] = inputs;
          const qa = lw.quantized(typeOf(a), a.data, a.dims, { scale: 1, zeroPoint: za ? za.data[0] : 0 });
          const qb = lw.quantized(typeOf(b), b.data, b.dims, { scale: 1, zeroPoint: zb ? zb.data[0] : 0 });
          const y = lw.qMatMul(qa, qb, { output: 'int32' });
          expect(y.dims).toEqual(outputs[0].dims);
          same(y.read(), outputs[0].data);
        } else if (op === 'QLinearMatMul') {
          const [a, sa, za, b, sb, zb, sy, zy] = inputs;
          // Batched B (the 3-D vector): one qMatMul per batch; lanewise weights are 2-D.
          const bk = b.dims[b.dims.length - 2], bn = b.dims[b.dims.length - 1];
          const batches = b.dims.length > 2 ? b.dims.slice(0, -2).reduce((x, y) => x * y, 1) : 1;
          const am = a.dims[a.dims.length - 2];
          const got: number[] = [];
          for (let i = 0; i < batches; i++) {
            const aRows = batches > 1 ? a.data.slice(i * am * bk, (i + 1) * am * bk) : a.data;
            const qa = lw.quantized(typeOf(a), aRows, [am, bk], { scale: sa.data[0], zeroPoint: za.data[0] });
            const qb = lw.quantized(typeOf(b), b.data.slice(i * bk * bn, (i + 1) * bk * bn), [bk, bn], { scale: sb.data[0], zeroPoint: zb.data[0] });
            const y = lw.qMatMul(qa, qb, { outScale: sy.data[0], outZeroPoint: zy.data[0], outType: typeOf(zy) });
            got.push(...y.data);
          }
          same(got, outputs[0].data);
        } else if (op === 'ConvInteger' || op === 'QLinearConv') {
          const q = op === 'QLinearConv';
          const [x, xs, xz, w, ws, wz, ys, yz] = q ? inputs : [inputs[0], undefined, inputs[2], inputs[1], undefined, inputs[3], undefined, undefined];
          const [n, c, h, wd] = x.dims;
          const nhwc = new (x.data.constructor as Uint8ArrayConstructor)(x.data.length);
          for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * wd; i++) nhwc[(b * h * wd + i) * c + ch] = x.data[(b * c + ch) * h * wd + i];
          const qx = lw.quantized(typeOf(x), nhwc, [n, h, wd, c], { scale: xs ? xs.data[0] : 1, zeroPoint: xz ? xz.data[0] : 0 });
          const perChannel = !!ws && ws.data.length > 1;
          const qw = lw.quantized(typeOf(w), w.data, w.dims, perChannel ? { scale: ws!.data, zeroPoint: wz!.data, axis: 0 }
            : { scale: ws ? ws.data[0] : 1, zeroPoint: wz ? wz.data[0] : 0 });
          const pads = (attrs.pads as number[] | undefined) ?? [0, 0, 0, 0];
          const opts = { pad: [pads[0], pads[2], pads[1], pads[3]] as [number, number, number, number],
            strides: (attrs.strides as [number, number] | undefined), dilations: (attrs.dilations as [number, number] | undefined), filterLayout: 'OIHW' as const };
          const y = q ? lw.qConv2d(qx, qw, { ...opts, outScale: ys!.data[0], outZeroPoint: yz!.data[0], outType: typeOf(yz!) }).data
            : lw.qConv2d(qx, qw, { ...opts, output: 'int32' }).read();
          const [, co, oh, ow] = outputs[0].dims;
          const nchw = Array.from({ length: y.length }, (_, i) => {
            const b = Math.floor(i / (co * oh * ow)), ch = Math.floor(i / (oh * ow)) % co, pix = i % (oh * ow);
            return y[(b * oh * ow + pix) * co + ch];
          });
          same(nchw, outputs[0].data);
        } else {
          expect.fail(`unexpected op ${op}`);
        }
      }
    });
  }
});
