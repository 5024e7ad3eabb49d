import { Lanewise } from '../../src/index.js';
import { executorOf } from '../../bindings/exec.js';
import type { Pool } from '../../bindings/pool.js';

/**
 * A 1-thread instance and a 2-thread one whose pool takes every job however small (minOps = 0),
 * its workers started: the pair the op batteries compare, bit for bit, on every case.
 */
export async function oneAndTwoThreads(): Promise<{ instances: Lanewise[]; pool: Pool }> {
  const instances = [await Lanewise.create({ threads: 1 }), await Lanewise.create({ threads: 2 })];
  const pool = executorOf(instances[1].device.kmod) as Pool;
  await pool.whenReady();
  pool.minOps = 0;
  return { instances, pool };
}
