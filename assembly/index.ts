// The ABI: one export line per kernel, grouped by family. Names map mechanically to files:
// assembly/<family>/<tile>-<isa>[-<variant>].ts ⇄ <family>_<tile>__<isa>[_<variant>]
// (dashes in the family become underscores). bindings/kernels.ts registers each one.

// f32-gemm
export { f32_gemm_1x24__simd } from './f32-gemm/1x24-simd';
export { f32_gemm_1x24__simd_rows } from './f32-gemm/1x24-simd-rows';
export { f32_gemm_4x8__simd_packa } from './f32-gemm/4x8-simd-packa';

// f32-packw
export { f32_packw_x8__simd_gio } from './f32-packw/x8-simd-gio';
export { f32_packw_x8__scalar_goi } from './f32-packw/x8-scalar-goi';
export { f32_regroupw_x24__simd } from './f32-regroupw/x24-simd';

// x32-packx
export { x32_packx_4__simd } from './x32-packx/4-simd';
export { x32_packx_4__simd_t } from './x32-packx/4-simd-t';

// f32-igemm
export { f32_igemm_4x8__simd } from './f32-igemm/4x8-simd';
export { f32_igemm_2x8__simd } from './f32-igemm/2x8-simd';

// f32-dwconv
export { f32_dwconv_9p8c__simd } from './f32-dwconv/9p8c-simd';
export { f32_dwconv_25p8c__simd } from './f32-dwconv/25p8c-simd';
export { f32_dwconv_xp8c__simd } from './f32-dwconv/xp8c-simd';
export { f32_dwconv_9p4c__simd_direct } from './f32-dwconv/9p4c-simd-direct';

// f32-maxpool, f32-avgpool
export { f32_maxpool_c4__simd } from './f32-maxpool/c4-simd';
export { f32_maxpool_9p4c__simd } from './f32-maxpool/9p4c-simd';
export { f32_maxpool_4p4c__simd } from './f32-maxpool/4p4c-simd';
export { f32_avgpool_c4__simd } from './f32-avgpool/c4-simd';
export { f32_gavgpool_c4__simd } from './f32-gavgpool/c4-simd';
export { f32_avgpool_9p4c__simd } from './f32-avgpool/9p4c-simd';
export { f32_avgpool_4p4c__simd } from './f32-avgpool/4p4c-simd';

// f32-vadd, f32-vclamp
// x32-transpose (NHWC ⇄ NCHW)
export { x32_transpose_4x4__simd } from './x32-transpose/4x4-simd';
// x32-rep (depthwise channel multiplier)
export { x32_rep_x4__simd } from './x32-rep/x4-simd';

// x32-kslice (K slices of packed weights for the sliced GEMM)
export { x32_kslice_x8__simd } from './x32-kslice/x8-simd';

export { f32_vadd_x8__simd } from './f32-vadd/x8-simd';
export { f32_vadd_x8__simd_r } from './f32-vadd/x8-simd-r';
export { f32_vadd_x8__simd_c } from './f32-vadd/x8-simd-c';
export { f32_vclamp_x8__simd } from './f32-vclamp/x8-simd';

// f16-f32-vcvt, f32-f16-vcvt (IEEE binary16 ⇄ f32, nearest even)
export { f16_f32_vcvt_x16__simd } from './f16-f32-vcvt/x16-simd';
export { f32_f16_vcvt_x16__simd } from './f32-f16-vcvt/x16-simd';
export { f32_f16_vcvt_x16__simd_pos } from './f32-f16-vcvt/x16-simd-pos';

// f16-f32-packx (binary16 A → f32 [k][4] tiles for the packed-A kernels)
export { f16_f32_packx_4__simd } from './f16-f32-packx/4-simd';
export { f16_f32_packx_4__simd_t } from './f16-f32-packx/4-simd-t';

// f16-packw (binary16 weights → panels, kept binary16)
export { f16_packw_x8__simd_gio } from './f16-packw/x8-simd-gio';
export { f16_packw_x8__scalar_goi } from './f16-packw/x8-scalar-goi';

// f16-f32acc-gemm ('f16': f32 accumulation, one rounding), f16-gemm ('f16-exact': FP16 FMA per step)
export { f16_f32acc_gemm_4x8__simd_packa } from './f16-f32acc-gemm/4x8-simd-packa';
export { f16_f32acc_gemm_1x16__simd_f16w } from './f16-f32acc-gemm/1x16-simd-f16w';
export { f16_f32acc_gemm_1x16__simd_f16w_finite } from './f16-f32acc-gemm/1x16-simd-f16w-finite';
export { f16_f32acc_gemm_4x8__simd_f16w_finite } from './f16-f32acc-gemm/4x8-simd-f16w-finite';
export { f16_f32acc_gemm_2x16__simd_f16w_finite } from './f16-f32acc-gemm/2x16-simd-f16w-finite';
export { f16_f32acc_gemm_3x8__simd_f16w_finite } from './f16-f32acc-gemm/3x8-simd-f16w-finite';
export { f16_gemm_4x8__simd_exact } from './f16-gemm/4x8-simd-exact';
export { f16_gemm_1x16__simd_exact } from './f16-gemm/1x16-simd-exact';

// f16-dwconv (depthwise, multiplier 1, 'f16-exact'; 'f16' depthwise runs the f32 kernels on a widened copy)
export { f16_dwconv_xp8c__simd_exact } from './f16-dwconv/xp8c-simd-exact';

// qs8-packx, qu8-packx (quantized A → i16 k-pair tiles)
export { qs8_packx_4__simd } from './qs8-packx/4-simd';
export { qu8_packx_4__simd } from './qu8-packx/4-simd';

// qs8-qc8w-gemm, qs8-qc4w-gemm, qs8-qc2w-gemm (int8 activations × int8/int4/int2 weights)
export { qs8_qc8w_gemm_4x8__simd_dot16 } from './qs8-qc8w-gemm/4x8-simd-dot16';
export { qs8_qc8w_gemm_1x16__simd_dot16 } from './qs8-qc8w-gemm/1x16-simd-dot16';
export { qs8_qc4w_gemm_4x8__simd_dot16 } from './qs8-qc4w-gemm/4x8-simd-dot16';
export { qs8_qc4w_gemm_1x16__simd_dot16 } from './qs8-qc4w-gemm/1x16-simd-dot16';
export { qs8_qc2w_gemm_4x8__simd_dot16 } from './qs8-qc2w-gemm/4x8-simd-dot16';
export { qs8_qc2w_gemm_1x16__simd_dot16 } from './qs8-qc2w-gemm/1x16-simd-dot16';

// qs8-requant
export { qs8_requant_x1__scalar_dyadic } from './qs8-requant/x1-scalar-dyadic';
export { qs8_requant_x4__simd_dyadic } from './qs8-requant/x4-simd-dyadic';

// qs8-qc8w-igemm (i16-widened activations), qs8-vwiden, qu8-vwiden, qs8-qc8w-dwconv, qu8-qc8w-dwconv (quantized convolution)
export { qs8_qc8w_igemm_4x8__simd_dot16 } from './qs8-qc8w-igemm/4x8-simd-dot16';
export { qs8_vwiden_x16__simd } from './qs8-vwiden/x16-simd';
export { qu8_vwiden_x16__simd } from './qu8-vwiden/x16-simd';
export { qs8_qc8w_dwconv_x8__simd } from './qs8-qc8w-dwconv/x8-simd';
export { qu8_qc8w_dwconv_x8__simd } from './qu8-qc8w-dwconv/x8-simd';
export { qs8_qc8w_dwconv_9p8c__simd } from './qs8-qc8w-dwconv/9p8c-simd';
export { qu8_qc8w_dwconv_9p8c__simd } from './qu8-qc8w-dwconv/9p8c-simd';

// qs8-qc4w-unpack, qs8-qc2w-unpack (a block of int4/int2 panels → the int8 kernels' i16 panels)
export { qs8_qc4w_unpack_x8__simd } from './qs8-qc4w-unpack/x8-simd';
export { qs8_qc2w_unpack_x8__simd } from './qs8-qc2w-unpack/x8-simd';

// qs8-qc2w-gemv, qs8-qc2w-packa (int2 GEMV with mask extraction and pre-scaled activations)
export { qs8_qc2w_gemv_1x16__simd_mask } from './qs8-qc2w-gemv/1x16-simd-mask';
export { qs8_qc2w_packa_x8__simd } from './qs8-qc2w-packa/x8-simd';

// f32-rminmax (min and max, the NaN check of quantize), f32-qs8-vcvt, f32-qu8-vcvt (quantize)
export { f32_rminmax_x16__simd } from './f32-rminmax/x16-simd';
export { f32_qs8_vcvt_x16__simd } from './f32-qs8-vcvt/x16-simd';
export { f32_qu8_vcvt_x16__simd } from './f32-qu8-vcvt/x16-simd';
// x16-im2col (the exact f16 convolution's im2col)
export { x16_im2col_x8__simd } from './x16-im2col/x8-simd';

// qs8-f32-vcvt, qu8-f32-vcvt (dequantize)
export { qs8_f32_vcvt_x16__simd } from './qs8-f32-vcvt/x16-simd';
export { qu8_f32_vcvt_x16__simd } from './qu8-f32-vcvt/x16-simd';

// The first byte the module itself does not use; the bindings' arena starts above it.
export function heap_base(): usize { return __heap_base; }
