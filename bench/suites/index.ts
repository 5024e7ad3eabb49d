// Every suite `lanewise bench` knows, in run order.
import type { Suite } from '../suite.js';
import { gemmSuite } from './gemm.js';
import { convSuite } from './conv.js';
import { threadsSuite } from './threads.js';
import { quantSuite } from './quant.js';
import { f16Suite } from './f16.js';

export const suites: readonly Suite[] = [gemmSuite, convSuite, threadsSuite, quantSuite, f16Suite];
