// @ts-check
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * The boundary rules for `files`, whose folder reaches `src/` as `up` (`..` from src/shared, `.` from
 * src/task.ts): imports, `export … from`, `require()` and `import()` alike.
 * @param {string[]} files
 * @param {'..' | '.'} up
 * @returns {import('eslint').Linter.Config[]}
 */
function sideBoundary(files, up) {
  const dots = up === '..' ? String.raw`\.\.` : String.raw`\.`;
  /** Specifiers that reach the main side from `files`. */
  const forbidden = [
    // src/main/…, src/bullmq/… (also through detours such as `../shared/../main/pool`)
    String.raw`^\.{1,2}/(?:.*/)?(?:main|bullmq)(?:/|$)`,
    // the package index: `..`, `../`, `../index`, `../index.js`
    String.raw`^${dots}(?:/(?:index(?:\.[cm]?[jt]s)?)?)?$`,
    // the package itself by name, and Piscina
    String.raw`^(?:asyncthreadpool|piscina)(?:/|$)`,
  ];
  const message =
    'A module a thread loads (src/shared, src/worker, src/task.ts) must not reach the main side (src/main, src/bullmq, the package index) nor Piscina: move what both sides need into src/shared.';
  // esquery ends a regex at the first `/`, escaped or not: spell it `\x2F` there.
  const literal = forbidden.map((regex) => `Literal[value=/${regex.replaceAll('/', String.raw`\x2F`)}/]`).join(', ');
  return [
    {
      files,
      rules: {
        'no-restricted-imports': ['error', { patterns: forbidden.map((regex) => ({ regex, message })) }],
        'no-restricted-syntax': [
          'error',
          { selector: `CallExpression[callee.name='require'] > :matches(${literal}).arguments`, message },
          { selector: `ImportExpression > :matches(${literal}).source`, message },
        ],
      },
    },
  ];
}

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'docs/**', '__tests__/fixtures/**/*.cjs', '__tests__/fixtures/**/*.mjs', '__tests__/fixtures/esm-project/**'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Task classes are classes of static methods by design: that is how @task finds them.
      '@typescript-eslint/no-extraneous-class': 'off',
      // The library handles arbitrary classes and methods as identities (registry keys, `this` of a task).
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  // The sides of the tree (src/main runs on the caller's thread only; src/shared on both; src/worker
  // on threads only): nothing a thread loads may reach the main side, the package index that
  // re-exports it, the BullMQ subpath, or Piscina. Matched on the import's text, relative to the
  // folder of each block's files; `__tests__/the-side-boundary-is-linted.test.ts` proves it fails.
  ...sideBoundary(['src/shared/**', 'src/worker/**'], '..'),
  ...sideBoundary(['src/task.ts'], '.'),
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' } },
    // JSDoc casts of `require()` results read as `any` to the linter; tsc checks them (checkJs).
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['__tests__/**/*.ts'],
    rules: {
      // Tests poke at the runtime behind the types on purpose.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Type tests bind values only to inspect their types, and call things that must not compile.
    files: ['__tests__/types/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      '@typescript-eslint/no-unnecessary-type-arguments': 'off',
      '@typescript-eslint/await-thenable': 'off',
    },
  },
);
