// 8-bit loads, sign- or zero-extended as `signed` says: a constant in the kernels that serve int8
// and uint8 from one body, a parameter where a kernel reads one byte of its own parameters.

/** Half 0 (bytes 0–7) or 1 (bytes 8–15) of x widened to i16 lanes, sign- or zero-extended. */
// @ts-ignore: decorator
@inline export function widen8(x: v128, half: i32, signed: bool): v128 {
  if (signed) return half == 0 ? i16x8.extend_low_i8x16_s(x) : i16x8.extend_high_i8x16_s(x);
  return half == 0 ? i16x8.extend_low_i8x16_u(x) : i16x8.extend_high_i8x16_u(x);
}

/** The byte at p as an i32, sign- or zero-extended. */
// @ts-ignore: decorator
@inline export function loadInt8(p: usize, signed: bool): i32 {
  return signed ? <i32>load<i8>(p) : <i32>load<u8>(p);
}
