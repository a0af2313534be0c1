/**
 * bench/fabric as a module, for bench/src/main.ts to wire in:
 *
 *   const o = { ...defaultFabricBenchOptions(quick), log };
 *   const r = await runFabricBench(o);
 *   if ('skipped' in r) log(`fabric: skipped (${r.skipped})`);
 *   else print(json ? JSON.stringify(r) : formatFabricReport(r));
 */
export * from './run';
export { closedLoop, summarise, type Latency, type PhaseResult } from './load';
export { durationMs } from './setup';
