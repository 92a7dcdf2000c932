// ESLint for the whole repository (`npm run lint`, part of `npm test`): typescript-eslint's recommended rules
// on every TypeScript file, @eslint/js's on the JavaScript ones, and import-x/no-cycle everywhere, because an
// import cycle between modules (defaultModel.ts <-> parallelFit.ts was one) makes load order decide what is
// defined. Type-only imports do not count: they vanish at run time.
//
// typescript-eslint needs TypeScript's JavaScript compiler API, which TypeScript 7 (the native compiler this
// project type-checks with) no longer has. So while ESLint runs, `require('typescript')` is answered with
// TypeScript 6 from scripts/eslint-typescript/, a package of its own so that its `tsc` never shadows the
// project's. The hook only affects this ESLint process.
import Module, { createRequire } from 'node:module';

const typescript6 = createRequire(new URL('./scripts/eslint-typescript/', import.meta.url)).resolve('typescript');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, request === 'typescript' ? typescript6 : request, ...rest);
};

const { default: js } = await import('@eslint/js');
const { defineConfig } = await import('eslint/config');
const { default: globals } = await import('globals');
const { default: tseslint } = await import('typescript-eslint');
const { importX, createNodeResolver } = await import('eslint-plugin-import-x');

export default defineConfig(
  {
    ignores: ['dist/', 'test-results/', '**/.lfstudio/', 'scripts/eslint-typescript/node_modules/', 'examples/**/.vscode/'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      // `_name` marks a parameter or binding kept on purpose (an interface's signature, a destructured rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A conditional expression as a statement (`ok ? right++ : wrong++`) is a style, not a slip.
      '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true }],
    },
  },
  {
    files: ['**/*.{ts,js,mjs,cjs}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] })],
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
);
