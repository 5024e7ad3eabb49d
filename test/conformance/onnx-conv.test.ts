// External conformance: every Conv / MaxPool / AveragePool / GlobalAveragePool / GlobalMaxPool
// vector of the ONNX backend test data (Debian's libonnx-testdata: node tests and the
// pytorch-converted Conv1d/Conv2d depthwise, grouped, dilated, strided variants) whose semantics
// lanewise supports, run through the public API (NCHW → fromNCHW → op → toNCHW) and compared with
// the shipped outputs at the ONNX backend tolerance (rtol 1e-3, atol 1e-7). Vectors outside our
// semantics are listed with the reason below; a vector that is neither run nor listed fails.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Lanewise, type Tensor } from '../../src/index.js';
import { allCaseDirs, loadProtos, ONNX_DATA, readCase, type OnnxCase, type OnnxTensor, type Protos } from './onnx.js';

/** Vectors we do not run, and why. Anything else matching the ops above must pass. */
const notSupported: Record<string, string> = {
  test_averagepool_2d_ceil: 'ceil_mode = 1 (output sizes round down only)',
  test_maxpool_2d_ceil: 'ceil_mode = 1 (output sizes round down only)',
  test_averagepool_3d_default: '3-D pooling',
  test_maxpool_3d_default: '3-D pooling',
  test_AvgPool3d: '3-D pooling',
  test_AvgPool3d_stride: '3-D pooling',
  test_AvgPool3d_stride1_pad0_gpu_input: '3-D pooling',
  test_MaxPool3d: '3-D pooling',
  test_MaxPool3d_stride: '3-D pooling',
  test_MaxPool3d_stride_padding: '3-D pooling',
  test_Conv3d: '3-D convolution',
  test_Conv3d_dilated: '3-D convolution',
  test_Conv3d_dilated_strided: '3-D convolution',
  test_Conv3d_groups: '3-D convolution',
  test_Conv3d_no_bias: '3-D convolution',
  test_Conv3d_stride: '3-D convolution',
  test_Conv3d_stride_padding: '3-D convolution',
  test_maxpool_2d_uint8: 'uint8 pooling (float32 only)',
  test_maxpool_with_argmax_2d_precomputed_pads: 'second output (argmax indices)',
  test_maxpool_with_argmax_2d_precomputed_strides: 'second output (argmax indices)',
  test_Conv1d_pad1size1: 'padding ≥ the window (rejected by design: outputs that see only padding)',
  test_Conv1d_pad2size1: 'padding ≥ the window (rejected by design: outputs that see only padding)',
};

const OPS = new Set(['Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool']);

let lw: Lanewise;
let protos: Protos;
let cases: OnnxCase[] = [];

beforeAll(async () => {
  if (!existsSync(ONNX_DATA)) {
    // The suite installs its system packages itself (needs root, as CI runs); then it must be there.
    try { execFileSync('bash', [path.resolve('scripts/system-deps.sh')], { stdio: 'inherit' }); } catch { /* reported below */ }
  }
  if (!existsSync(ONNX_DATA)) {
    throw new Error(`ONNX test vectors missing: ${ONNX_DATA} (install the Debian package libonnx-testdata: bash scripts/system-deps.sh as root)`);
  }
  protos = await loadProtos();
  lw = await Lanewise.create();
  for (const dir of allCaseDirs()) {
    if (!/conv|pool/i.test(path.basename(dir)) || /integer|qlinear|transpose|unpool|lppool/i.test(path.basename(dir))) continue;
    const c = readCase(protos, dir);
    if (c.nodes.length === 1 && OPS.has(c.nodes[0].op) && c.nodes[0].domain === '') cases.push(c);
  }
}, 120_000);
afterAll(() => lw?.dispose());

type Ints = number[] | undefined;
const ints = (v: unknown): Ints => (Array.isArray(v) ? v as number[] : undefined);

/** ONNX's spatial attributes as lanewise 2-D options (1-D ops become H = 1). */
function spatial(attrs: Record<string, unknown>, xDims: number[], kernel: number[]) {
  const rank = xDims.length - 2;
  const lift = (v: number[] | undefined, d: number) => (v === undefined ? [d, d] : rank === 1 ? [d, v[0]] : v);
  const strides = lift(ints(attrs.strides), 1) as [number, number];
  const dilations = lift(ints(attrs.dilations), 1) as [number, number];
  const k = rank === 1 ? [1, kernel[0]] : kernel;
  const autoPad = (attrs.auto_pad as string | undefined) ?? 'NOTSET';
  let pad: 'same' | 'valid' | [number, number, number, number];
  if (autoPad === 'SAME_UPPER') pad = 'same';
  else if (autoPad === 'VALID') pad = 'valid';
  else if (autoPad === 'SAME_LOWER') {
    const ih = rank === 1 ? 1 : xDims[2], iw = xDims[xDims.length - 1];
    const one = (i: number, kk: number, s: number, d: number) => {
      const total = Math.max(0, (Math.ceil(i / s) - 1) * s + (kk - 1) * d + 1 - i);
      return [Math.ceil(total / 2), Math.floor(total / 2)];
    };
    const [t, b] = one(ih, k[0], strides[0], dilations[0]), [l, r] = one(iw, k[1], strides[1], dilations[1]);
    pad = [t, b, l, r];
  } else {
    const p = ints(attrs.pads) ?? new Array(2 * rank).fill(0);
    pad = rank === 1 ? [0, 0, p[0], p[1]] : [p[0], p[2], p[1], p[3]];
  }
  return { strides, dilations, pad, kernel: k as [number, number] };
}

/** An ONNX NCHW / NCL tensor as a lanewise NHWC tensor. */
function toNHWC(t: OnnxTensor): Tensor {
  const d = t.dims.length === 3 ? [t.dims[0], t.dims[1], 1, t.dims[2]] : t.dims;
  const nchw = lw.tensor('float32', t.data!, d);
  const y = lw.fromNCHW(nchw);
  nchw.dispose();
  return y;
}

function run(c: OnnxCase, feeds: OnnxTensor[]): Float32Array {
  const node = c.nodes[0];
  const byName = new Map<string, OnnxTensor>(c.initializers);
  c.inputs.forEach((name, i) => byName.set(name, feeds[i]));
  const get = (i: number) => (node.inputs[i] ? byName.get(node.inputs[i]) : undefined);
  const xIn = get(0)!;
  const x = toNHWC(xIn);
  let y: Tensor;
  if (node.op === 'Conv') {
    const w = get(1)!, b = get(2);
    const kernel = w.dims.slice(2);
    const s = spatial(node.attrs, xIn.dims, kernel);
    const wDims = w.dims.length === 3 ? [w.dims[0], w.dims[1], 1, w.dims[2]] : w.dims;
    const filter = lw.tensor('float32', w.data!, wDims);
    y = lw.conv2d(x, filter, { strides: s.strides, dilations: s.dilations, pad: s.pad, groups: (node.attrs.group as number) || 1,
      bias: b?.data ?? undefined, filterLayout: 'OIHW' });
    filter.dispose();
  } else if (node.op === 'GlobalAveragePool') {
    y = lw.globalAvgPool(x);
  } else if (node.op === 'GlobalMaxPool') {
    y = lw.maxPool(x, { windowShape: [x.dims[1], x.dims[2]] });
  } else {
    const s = spatial(node.attrs, xIn.dims, ints(node.attrs.kernel_shape)!);
    const common = { windowShape: s.kernel, strides: s.strides, dilations: s.dilations, pad: s.pad };
    y = node.op === 'MaxPool' ? lw.maxPool(x, common)
      : lw.avgPool(x, { ...common, countIncludePad: node.attrs.count_include_pad === 1 });
  }
  const nchw = lw.toNCHW(y);
  const out = nchw.data as Float32Array;
  x.dispose(); y.dispose(); nchw.dispose();
  return out;
}

describe('ONNX backend vectors (libonnx-testdata): Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool', () => {
  it('finds the vectors', () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  it('runs every supported vector and matches the shipped outputs (rtol 1e-3, atol 1e-7)', () => {
    const ran: string[] = [];
    const failures: string[] = [];
    for (const c of cases) {
      if (c.name in notSupported) continue;
      for (const [k, set] of c.dataSets.entries()) {
        try {
          const want = set.outputs[0];
          const got = run(c, set.inputs);
          if (got.length !== want.data!.length) { failures.push(`${c.name}/${k}: ${got.length} values, want ${want.data!.length}`); continue; }
          let worst = 0, at = -1;
          for (let i = 0; i < got.length; i++) {
            const err = Math.abs(got[i] - want.data![i]) - (1e-7 + 1e-3 * Math.abs(want.data![i]));
            if (!(err <= worst)) { worst = Number.isNaN(err) ? Infinity : err; at = i; }
          }
          if (at >= 0) failures.push(`${c.name}/${k}: element ${at} got ${got[at]} want ${want.data![at]}`);
          else ran.push(c.name);
        } catch (e) {
          failures.push(`${c.name}/${k}: ${(e as Error).message}`);
        }
      }
    }
    console.log(`ONNX conformance: ${ran.length} vector data sets passed (${new Set(ran).size} models); `
      + `${Object.keys(notSupported).length} listed as outside lanewise semantics`);
    expect(failures).toEqual([]);
    // Depthwise, grouped, dilated, strided, padded and 1-D variants all ran.
    for (const must of ['test_Conv2d_depthwise', 'test_Conv2d_depthwise_with_multiplier', 'test_Conv2d_depthwise_strided',
      'test_Conv2d_depthwise_padded', 'test_Conv2d_groups', 'test_Conv2d_dilated', 'test_Conv2d_strided', 'test_Conv1d_groups',
      'test_conv_with_autopad_same', 'test_conv_with_strides_and_asymmetric_padding', 'test_maxpool_2d_dilations',
      'test_averagepool_2d_pads_count_include_pad', 'test_globalaveragepool', 'test_maxpool_2d_same_lower']) {
      expect(ran, must).toContain(must);
    }
    expect(ran.length).toBeGreaterThan(45);
  });

  it('skips only the vectors listed with a reason', () => {
    const names = new Set(cases.map((c) => c.name));
    for (const name of Object.keys(notSupported)) expect(names.has(name), `${name} is listed but absent`).toBe(true);
  });
});
