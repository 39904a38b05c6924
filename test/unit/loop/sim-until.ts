/** Advances the simulated host (`tick`) until `cond` holds; throws after `ms` of real time. */
export async function untilSim(cond: () => boolean, ms: number, tick: () => void): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    tick();
    await new Promise((r) => setTimeout(r, 20));
  }
}
