// Shared by the hooks: send one notice line to the vmpath agent and never fail the caller.
// Fast and fail-safe: a VM start must never wait on or fail because of vmpath (at most ~1 s).
'use strict';
const net = require('net');

const SOCKET = process.env.VMPATH_NOTIFY_SOCKET || '/run/vmpath/notify.sock';

function notify(notice, done) {
  let finished = false;
  const finish = () => {
    if (!finished) {
      finished = true;
      done();
    }
  };
  const timer = setTimeout(() => {
    sock.destroy();
    finish();
  }, 1000);
  const sock = net.createConnection(SOCKET, () => sock.end(JSON.stringify(notice) + '\n'));
  sock.on('error', () => {
    clearTimeout(timer);
    finish();
  });
  sock.on('close', () => {
    clearTimeout(timer);
    finish();
  });
}

module.exports = { notify };
