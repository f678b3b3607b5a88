// ESLint flat config. The layer rules of ../shared/design/ARCHITECTURE.md are enforced here as
// import restrictions, so a layer violation fails `npm run lint` (and so `npm test`).
import tseslint from 'typescript-eslint';

const uiLibs = ['ink', 'ink/*', 'react', 'react/*', 'ink-testing-library', '@alcalzone/ink-table', 'zustand', 'zustand/*'];

/** @param {string[]} names @param {string} why */
const ban = (names, why) => names.map((name) => ({ group: [name], message: why }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**', 'bench/.cache/**', '.scratch/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...ban(uiLibs, 'src/core has no UI: keep Ink/React/zustand in src/tui (ARCHITECTURE.md layer rule).'),
          ...ban(['node-pty'], 'only src/sessions may import node-pty (ARCHITECTURE.md).'),
          ...ban(['better-sqlite3'], 'only src/store/sqlite may import better-sqlite3 (ARCHITECTURE.md).'),
          ...ban(['simple-git'], 'only src/store/git may import simple-git (ARCHITECTURE.md).'),
          ...ban(['execa'], 'src/core does no process I/O; put it behind an interface in store/ or sessions/.'),
          ...ban(['commander'], 'src/core is not CLI code.'),
          ...ban(['**/tui/**', '**/cli/**', '**/store/**', '**/sessions/**', '**/daemon/**'], 'src/core must not import outer layers.'),
        ],
      }],
    },
  },
  {
    files: ['src/store/**/*.ts', 'src/sessions/**/*.ts', 'src/daemon/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...ban(uiLibs, 'only src/tui may import Ink/React/zustand (ARCHITECTURE.md).'),
          ...ban(['**/tui/**', '**/cli/**'], 'store, sessions and daemon must not import the UI or CLI layers.'),
        ],
      }],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    ignores: ['src/store/sqlite/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...ban(['better-sqlite3'], 'only src/store/sqlite may import better-sqlite3 (ARCHITECTURE.md).'),
          ...ban(['node-pty'], 'only src/sessions may import node-pty (ARCHITECTURE.md).'),
          ...ban(uiLibs, 'only src/tui may import Ink/React/zustand (ARCHITECTURE.md).'),
        ],
      }],
    },
  },
  {
    files: ['src/store/sqlite/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...ban(['simple-git'], 'only src/store/git may import simple-git (ARCHITECTURE.md).'),
          ...ban(['node-pty'], 'only src/sessions may import node-pty (ARCHITECTURE.md).'),
          ...ban(uiLibs, 'only src/tui may import Ink/React/zustand (ARCHITECTURE.md).'),
        ],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      // Commands that do not draw the TUI must not pay for Ink/React (STACK.md: +0.5 s each).
      // The TUI entry is loaded with a dynamic import(), which this rule does not restrict.
      'no-restricted-imports': ['error', {
        patterns: [
          ...ban(uiLibs, 'src/cli must not import Ink/React statically; load the TUI with import() (STACK.md).'),
          ...ban(['better-sqlite3'], 'only src/store/sqlite may import better-sqlite3 (ARCHITECTURE.md).'),
          ...ban(['simple-git'], 'only src/store/git may import simple-git (ARCHITECTURE.md).'),
          ...ban(['node-pty'], 'only src/sessions may import node-pty (ARCHITECTURE.md).'),
        ],
      }],
    },
  },
);
