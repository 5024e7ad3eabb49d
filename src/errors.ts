export { LanewiseError, ShapeError, DTypeError, ValueError, DisposedError, OutOfMemoryError, UnsupportedError }
  from '../bindings/errors.js';
