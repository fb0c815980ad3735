import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const MONGODB_FENCE = {
  name: 'mongodb',
  message: 'Only src/storage/mongodb may import the MongoDB driver',
};
const SQLITE_FENCE = {
  name: 'better-sqlite3',
  message: 'Only src/storage/sqlite may import better-sqlite3 (a native module)',
};

// The layers of src/, lowest first: a folder may import only from the folders before it (and
// errors.ts, internal/). `npm run lint` also runs madge, which fails on any import cycle.
const LAYERS = [
  ['time'],
  ['streams'],
  ['storage'],
  ['channels', 'plates'],
  ['tools'],
  ['kinds'],
  ['workflow'],
  ['engine'],
  ['online'],
  ['config'],
  // The web view: beside the CLI (which starts it), over the engine and config.
  ['ui'],
  ['cli'],
];

// Files that may import the MongoDB driver (src/mongodb.ts is the entry point, outside the layers).
const MONGODB_FILES = [
  'src/storage/mongodb/**',
  'src/channels/database-channel.ts',
  'src/channels/assets-channel.ts',
];
// Files that may import the native SQLite module (src/sqlite.ts, the entry point, re-exports them).
const SQLITE_FILES = ['src/storage/sqlite/**'];

/** The driver fences a file set keeps: each driver only in its own files. */
function fencesFor(files) {
  return [
    ...(files === MONGODB_FILES ? [] : [MONGODB_FENCE]),
    ...(files === SQLITE_FILES ? [] : [SQLITE_FENCE]),
  ];
}

function restrictedImports(folder, forbidden, fences) {
  return [
    'error',
    {
      ...(fences.length ? { paths: fences } : {}),
      patterns: forbidden.length
        ? [
            {
              regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
              message: `src/${folder} is below ${forbidden.join(', ')}: dependencies point one way (time ← streams ← storage ← channels/plates ← tools ← kinds ← workflow ← engine ← online ← config ← ui ← cli)`,
            },
          ]
        : [],
    },
  ];
}

const layerRules = LAYERS.flatMap((folders, level) => {
  const above = LAYERS.slice(level + 1).flat();
  return folders.flatMap((folder) => {
    const forbidden = [...above, ...folders.filter((other) => other !== folder)];
    const files = [`src/${folder}/**/*.ts`];
    // A later block's rule replaces an earlier one's: each file set gets its complete list.
    return [
      {
        files,
        rules: { 'no-restricted-imports': restrictedImports(folder, forbidden, fencesFor()) },
      },
      ...[MONGODB_FILES, SQLITE_FILES].map((driverFiles) => ({
        files: driverFiles.filter((f) => f.startsWith(`src/${folder}/`)),
        rules: {
          'no-restricted-imports': restrictedImports(folder, forbidden, fencesFor(driverFiles)),
        },
      })),
    ].filter((block) => block.files.length);
  });
});

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
  {
    files: ['src/**/*.ts'],
    ignores: [...MONGODB_FILES, ...SQLITE_FILES, 'src/mongodb.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: fencesFor() }],
    },
  },
  {
    files: ['src/mongodb.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: fencesFor(MONGODB_FILES) }],
    },
  },
  ...layerRules,
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
