// The lifecycle every packed-weight object shares (f32 and f16 matMul weights, f32 and f16
// convolution filters): one block of wasm memory, `dispose()` / `using`, a FinalizationRegistry
// backstop, and the checks that refuse disposed or stale weights with a typed error.
import type { Block } from '../bindings/device.js';
import { DisposedError } from './errors.js';
import type { Owner } from './tensor.js';

const disposeSymbol: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose');

export abstract class PackedWeights {
  /** @internal */ readonly block: Block;
  /** @internal */ readonly owner: Owner;
  private isDisposed = false;

  /** @internal */
  protected constructor(owner: Owner, block: Block) {
    this.owner = owner;
    this.block = block;
    owner.registry.register(this, { device: owner.device, block }, this);
  }

  get disposed(): boolean { return this.isDisposed || this.owner.disposed; }

  /** Bytes of wasm memory the packed weights take. */
  get byteLength(): number { return this.block.bytes; }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.owner.registry.unregister(this);
    if (!this.owner.disposed) { this.freeExtra(); this.owner.device.free(this.block); }
  }

  [disposeSymbol](): void { this.dispose(); }

  /** @internal Frees what a subclass holds besides the block (called once, by dispose). */
  protected freeExtra(): void {}

  /** @internal Throws a DisposedError when these weights may not be used. */
  check(arg: string): void {
    if (this.isDisposed) throw new DisposedError(arg, 'live packed weights', 'disposed packed weights');
    if (this.owner.disposed) throw new DisposedError(arg, 'packed weights of a live instance', 'packed weights of a disposed instance');
    if (this.owner.device.generation !== this.block.generation) {
      throw new DisposedError(arg, 'live packed weights', 'packed weights of a reset instance');
    }
  }
}
