// ESLint for the whole repository (run by `npm run check` and CI): the recommended JavaScript and
// typescript-eslint rules, with formatting left to Prettier. Server code logs through pino, never
// the console; tests, scripts and the bench may print.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'web/dist/', 'node_modules/', 'migrations/', 'coverage/', '.tap/', 'test/corpus/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_name` marks a value left out on purpose (a destructured field that must not travel on).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Control characters are matched on purpose: refused in header values, cut from error text.
      'no-control-regex': 'off',
      'no-console': 'off',
    },
  },
  { files: ['server/**/*.ts'], rules: { 'no-console': 'error' } },
  // Tests and the bench read JSON answers whose shape the assertions check.
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['web/src/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
);
