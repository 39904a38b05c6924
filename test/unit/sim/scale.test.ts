/**
 * Scale: a 300 VM / 512 map / 4096 path host builds and ticks cheaply. CPU time is asserted (the
 * machine is shared, wall time is noisy); the numbers are printed for the record.
 */
import { createSimHost, scaleSpec, type SimHost } from '../../../agent/sim';

function cpuMs(f: () => void): number {
  const c = process.cpuUsage();
  f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

test('300 VMs, 512 maps, 4096 paths: build, tick, outputs', () => {
  let host: SimHost | undefined;
  const build = cpuMs(() => (host = createSimHost(scaleSpec())));
  const h = host as SimHost;
  try {
    const m = h.metrics();
    expect(m.vms).toHaveLength(300);
    expect(m.paths).toHaveLength(4096);
    expect(m.maps.filter((x) => x.owner === 'multipathd')).toHaveLength(512);
    for (let i = 0; i < 10; i++) h.tick(100); // warm up
    const ticks = 30;
    const tick =
      cpuMs(() => {
        for (let i = 0; i < ticks; i++) h.tick(100);
      }) / ticks;
    h.inject({ fail: 'A' });
    const faultTick = cpuMs(() => h.tick(100));
    let json = '';
    const show = cpuMs(() => (json = h.runner.runSync(['multipathd', 'show', 'maps', 'json']).stdout));
    expect(JSON.parse(json).maps).toHaveLength(512);
    const status = cpuMs(() => h.runner.runSync(['dmsetup', 'status', '--target', 'multipath']));
    process.stdout.write(
      `sim scale (cpu ms): build ${build.toFixed(0)}, tick(100ms) ${tick.toFixed(2)}, tick with fabric fault ${faultTick.toFixed(1)}, ` +
        `show maps json ${show.toFixed(1)} (${(json.length / 1e6).toFixed(1)} MB), dmsetup status ${status.toFixed(1)}\n`,
    );
    expect(tick).toBeLessThan(25);
    expect(h.metrics().vms.reduce((n, v) => n + v.throughputMBps, 0)).toBeGreaterThan(0);
  } finally {
    h.dispose();
  }
}, 300_000);
