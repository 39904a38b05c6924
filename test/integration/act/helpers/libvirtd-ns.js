#!/usr/bin/env node
/**
 * Runs inside `unshare --mount --propagation private`: bind-mounts a private state tree over
 * libvirt's system directories (config, sockets, domain state, logs, cache) so the test's libvirtd
 * neither sees nor touches the host's, then runs /usr/sbin/libvirtd in the foreground and exits
 * with it. argv: STATE_DIR. SIGTERM/SIGINT are passed on to libvirtd. argv arrays only.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const state = process.argv[2];
if (!state || !path.isAbsolute(state)) {
  console.error('usage: libvirtd-ns.js ABSOLUTE_STATE_DIR');
  process.exit(2);
}
for (const dir of [
  '/etc/libvirt',
  '/run/libvirt',
  '/var/lib/libvirt',
  '/var/log/libvirt',
  '/var/cache/libvirt',
]) {
  const src = path.join(state, dir);
  fs.mkdirSync(src, { recursive: true });
  fs.mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['--bind', src, dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`mount --bind ${src} ${dir}: ${r.stderr}`);
    process.exit(1);
  }
}
const child = spawn('/usr/sbin/libvirtd', [], { stdio: 'inherit' });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
