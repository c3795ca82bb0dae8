// Lint: type-aware TypeScript rules, import order, React hooks in web/; formatting is Prettier's
// (eslint-config-prettier, last, turns off every rule it would fight with).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      'dist/',
      'coverage/',
      'libs/platform/database/src/generated/',
      'libs/ingest/grpc-contract/src/generated/',
      'web/src/api/generated/',
      'bench/results/',
      '.hookline/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        // The closest tsconfig.json of each file: the root one for the server, tests and bench,
        // web/tsconfig.json for the portal and console.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        // Nest resolves constructor parameters from the metadata these emit: with both set,
        // consistent-type-imports leaves files with decorators alone, so it never turns an
        // injected class into a type-only import (which would erase it at run time).
        emitDecoratorMetadata: true,
        experimentalDecorators: true,
      },
    },
    settings: { 'import-x/internal-regex': '^@hookline/' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      'import-x/order': ['error', { groups: [['builtin', 'external'], 'internal', ['parent', 'sibling', 'index']], 'newlines-between': 'never' }],
      'import-x/no-duplicates': 'error',
      // A variable a closure reads before its one assignment (a timer set last) cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['web/**/*.{ts,tsx,mts}'],
    ...reactHooks.configs.flat['recommended-latest'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.flat['recommended-latest'].rules,
      // React ignores what an event handler returns; the async handlers here catch their own errors.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    // Not part of a tsconfig project: linted without type information.
    files: ['**/*.{js,cjs,mjs}', 'prisma.config.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
