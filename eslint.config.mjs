// Lint rules. The one that matters most: decide/ is pure. It may import only model/ (and itself);
// anything that does I/O (fs, child_process, net, observe/, act/, ...) is an error there.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'fs',
  'fs/promises',
  'child_process',
  'net',
  'http',
  'https',
  'dgram',
  'os',
  'process',
  'worker_threads',
  'tls',
  'readline',
];
const nodeIo = ioModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench-results/', 'coverage/', '.lab/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='shell'][value.value=true]",
          message: 'Never use a shell: run programs with argv arrays.',
        },
      ],
    },
  },
  {
    files: ['agent/decide/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeIo.map((name) => ({ name, message: 'decide/ is pure: no I/O.' })),
          patterns: [
            {
              group: [
                '**/observe',
                '**/observe/*',
                '**/act',
                '**/act/*',
                '**/loop/*',
                '**/api/*',
                '**/cli/*',
                '**/sim/*',
              ],
              message: 'decide/ may import only model/.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'decide/ is pure: time and environment are inputs.' },
        { name: 'fetch', message: 'decide/ is pure: no I/O.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'decide/ is pure: time is an input.' },
        { object: 'Math', property: 'random', message: 'decide/ is deterministic.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        module: 'writable',
        require: 'readonly',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
