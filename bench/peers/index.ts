/** The benchmark's peers, in table order. Each one reports for itself whether it can run here. */
import { ortNode } from './ort-node.js';
import { ortWeb } from './ort-web.js';
import { tfjsWasm } from './tfjs-wasm.js';
import type { Peer } from './types.js';

export type { Peer, PeerGemm } from './types.js';
export { graph, matMulModel, tensor, DataType } from './onnx-model.js';
export { tfjsWasm, ortWeb, ortNode };

export const peers: readonly Peer[] = [tfjsWasm, ortWeb, ortNode];

/** The peers that can run here, and for the others the reason they cannot. */
export async function availablePeers(): Promise<{ ok: Peer[]; skipped: { name: string; reason: string }[] }> {
  const ok: Peer[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const p of peers) {
    const reason = await p.available();
    if (reason === null) ok.push(p);
    else skipped.push({ name: p.name, reason });
  }
  return { ok, skipped };
}
