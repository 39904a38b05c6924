// Worker-thread entry for tests of the TypeScript sources: compiles .ts on require (with the
// @swc/core that jest already uses) and loads the scan thread's TypeScript source, so a test can
// run agent/observe/sysfs/scan-thread.ts in a real worker without a build.
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
require(path.join(__dirname, '../../../../agent/observe/sysfs/scan-thread.ts'));
