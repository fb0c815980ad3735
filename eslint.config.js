import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const MONGODB_FILES = [
  'src/storage/mongodb/**',
  'src/channels/database-channel.ts',
  'src/channels/assets-channel.ts',
  'src/mongodb.ts',
];
const SQLITE_FILES = ['src/storage/sqlite/**'];
const MONGODB_FENCE = {
  name: 'mongodb',
  message: 'Only src/storage/mongodb may import the MongoDB driver',
};
const SQLITE_FENCE = {
  name: 'better-sqlite3',
  message: 'Only src/storage/sqlite may import better-sqlite3 (a native module)',
};

function importFences() {
  const fence = (paths) => ({ 'no-restricted-imports': ['error', { paths }] });
  return [
    {
      files: ['src/**/*.ts'],
      ignores: [...MONGODB_FILES, ...SQLITE_FILES],
      rules: fence([MONGODB_FENCE, SQLITE_FENCE]),
    },
    { files: MONGODB_FILES, rules: fence([SQLITE_FENCE]) },
    { files: SQLITE_FILES, rules: fence([MONGODB_FENCE]) },
  ];
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results/', '.cache/', 'fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'always'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      // Async generators often yield from memory without awaiting; that is fine.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: { 'no-console': 'error' },
  },
  // Import fences: the MongoDB driver and the native SQLite module each stay in their folder, so
  // the main entry never loads them. (A later block's rule replaces an earlier one's, so each file
  // set gets one complete list.)
  ...importFences(),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
