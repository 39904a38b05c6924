// A scan thread that never answers: the caller must time out and fall back.
const { parentPort } = require('node:worker_threads');
parentPort.on('message', () => undefined);
