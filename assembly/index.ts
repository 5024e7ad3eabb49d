// The ABI: one export line per kernel, grouped by family. Names map mechanically to files:
// assembly/<family>/<tile>-<isa>[-<variant>].ts ⇄ <family>_<tile>__<isa>[_<variant>]
// (dashes in the family become underscores). bindings/kernels.ts registers each one.

// f32-gemm
export { f32_gemm_1x32__simd } from './f32-gemm/1x32-simd';
export { f32_gemm_4x8__simd_packa } from './f32-gemm/4x8-simd-packa';

// f32-packw
export { f32_packw_x8__simd_gio } from './f32-packw/x8-simd-gio';
export { f32_packw_x8__scalar_goi } from './f32-packw/x8-scalar-goi';

// x32-packx
export { x32_packx_4__simd } from './x32-packx/4-simd';
export { x32_packx_4__simd_t } from './x32-packx/4-simd-t';

// The first byte the module itself does not use; the bindings' arena starts above it.
export function heap_base(): usize { return __heap_base; }
