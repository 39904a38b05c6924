/**
 * A realistic `multipathd show maps json` text for N maps × M paths (two path groups, every field
 * multipathd 0.9.4 prints, in its own layout), for the parse benchmark.
 */
function path(dev: string, devT: string, active: boolean): Record<string, unknown> {
  return {
    dev,
    dev_t: devT,
    dm_st: active ? 'active' : 'failed',
    dev_st: 'running',
    chk_st: active ? 'ready' : 'faulty',
    checker: 'tur',
    pri: 50,
    host_wwnn: '0x20000024ff7a1b2c',
    target_wwnn: '0x50060e8012345600',
    host_wwpn: '0x21000024ff7a1b2c',
    target_wwpn: '0x50060e8012345601',
    host_adapter: '0000:3b:00.0',
    lun_hex: '0x0001000000000000',
    marginal_st: 'normal',
  };
}

export function multipathdJson(maps: number, pathsPerMap: number): string {
  let minor = 0;
  const out = [];
  for (let m = 0; m < maps; m++) {
    const half = Math.max(1, Math.floor(pathsPerMap / 2));
    const groups = [0, 1].map((g) => ({
      selector: 'service-time 0',
      pri: g === 0 ? 50 : 10,
      dm_st: g === 0 ? 'active' : 'enabled',
      marginal_st: 'normal',
      group: g + 1,
      paths: Array.from({ length: g === 0 ? half : pathsPerMap - half }, () => {
        const n = minor++;
        return path(`sd${n.toString(36)}`, `${65 + (n >> 4)}:${(n & 15) * 16}`, n % 97 !== 0);
      }),
    }));
    out.push({
      name: `mpath${m.toString(36)}`,
      uuid: `3600a098038314b6d4a2b4f${m.toString(16).padStart(8, '0')}`,
      sysfs: `dm-${m}`,
      failback: 'immediate',
      queueing: '12 chk',
      paths: pathsPerMap,
      write_prot: 'rw',
      dm_st: 'active',
      features: '1 queue_if_no_path',
      hwhandler: '1 alua',
      action: '',
      path_faults: 0,
      vend: 'NETAPP',
      prod: 'LUN C-Mode',
      rev: '9800',
      switch_grp: 0,
      map_loads: 1,
      total_q_time: 0,
      q_timeouts: 0,
      path_groups: groups,
    });
  }
  let text = '{\n   "major_version": 0,\n   "minor_version": 1,\n   "maps": ';
  text += objects(out, '   ');
  return `${text}\n}\n`;
}

type Fields = Record<string, unknown>;

/**
 * multipathd's own layout (libmultipath print.c, as in test/fixtures/multipath-tools-0.9.4): an
 * array of objects opens `[{`, separates `},{` and closes `}]`, each on the parent's indent;
 * scalar members print `"key" : value`, array members `"key": [`.
 */
function objects(items: readonly Fields[], indent: string): string {
  const inner = indent + '   ';
  const bodies = items.map((o) =>
    Object.entries(o)
      .map(([k, v]) =>
        Array.isArray(v)
          ? `${inner}"${k}": ${objects(v as Fields[], inner)}`
          : `${inner}"${k}" : ${JSON.stringify(v)}`,
      )
      .join(',\n'),
  );
  return `[{\n${bodies.join(`\n${indent}},{\n`)}\n${indent}}]`;
}
