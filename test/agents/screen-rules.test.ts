import { describe, expect, it } from 'vitest';
import { GtError } from '../../src/core/errors.js';
import {
  SCREEN_RULE_IDS, compileRules, getCompiledRules, getScreenRules, matchScreen, parseScreenRules, screenTail,
  type ScreenMatch,
} from '../../src/core/agents/screen-rules.js';

const screen = (text: string) => text.split('\n');
const EXPECTED_IDS = ['aider', 'amp', 'claude', 'codex', 'copilot', 'cursor', 'fake', 'gemini', 'generic', 'opencode', 'shell'];

describe('rules files', () => {
  it('ships one file per rules id', () => {
    expect(SCREEN_RULE_IDS).toEqual(EXPECTED_IDS);
  });

  it.each(EXPECTED_IDS)('%s validates, compiles, and has waiting and idle rules', (id) => {
    const rules = getScreenRules(id);
    expect(rules.id).toBe(id);
    expect(rules.waiting.length).toBeGreaterThan(0);
    expect(rules.idle.length).toBeGreaterThan(0);
    const c = compileRules(rules);
    for (const r of [...c.waiting, ...c.working, ...c.idle, ...c.title.working, ...c.title.idle]) {
      expect(r.re.flags).toContain('m');
      expect(r.why.length).toBeGreaterThan(3);
    }
    expect(getCompiledRules(id)).toBe(getCompiledRules(id));
  });

  it('unknown id → INVALID_VALUE with close matches', () => {
    try {
      getScreenRules('claud');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GtError);
      const g = e as GtError;
      expect(g.code).toBe('INVALID_VALUE');
      expect(g.message).toBe('unknown screen rules "claud"');
      expect(g.fix).toContain('did you mean claude');
    }
  });

  it.each([
    ['a bad regex', { id: 'x', waiting: [{ pattern: '(', why: 'w' }], working: [], idle: [] }, 'waiting.0.pattern'],
    ['a stateful g flag', { id: 'x', waiting: [{ pattern: 'a', flags: 'g', why: 'w' }], working: [], idle: [] }, 'waiting.0.flags'],
    ['an unknown key', { id: 'x', waiting: [], working: [], idle: [], extra: 1 }, '(top level)'],
    ['a missing why', { id: 'x', waiting: [{ pattern: 'a' }], working: [], idle: [] }, 'waiting.0.why'],
    ['a bad scope', { id: 'x', waiting: [{ pattern: 'a', why: 'w', scope: 'top' }], working: [], idle: [] }, 'waiting.0.scope'],
  ])('parseScreenRules rejects %s', (_name, data, key) => {
    try {
      parseScreenRules(data, 'x.json');
      expect.unreachable();
    } catch (e) {
      expect((e as GtError).code).toBe('CONFIG_INVALID');
      expect((e as GtError).details.key).toBe(key);
      expect((e as GtError).message).toContain('x.json');
    }
  });
});

describe('screenTail', () => {
  it('right-trims, drops trailing blank rows and keeps the last 15', () => {
    const rows = [...Array.from({ length: 20 }, (_, i) => `line ${i}   `), '', '   ', ''];
    const tail = screenTail(rows);
    expect(tail).toHaveLength(15);
    expect(tail[0]).toBe('line 5');
    expect(tail.at(-1)).toBe('line 19');
  });
});

// Realistic screens. `expect` lists the rule lists that must (true) or must not (false) match.
interface Sample { name: string; rules: string; text: string; title?: string; expect: Partial<Record<keyof ScreenMatch, boolean>> }

const SAMPLES: Sample[] = [
  // ---- claude ----
  { name: 'claude Bash permission prompt', rules: 'claude', expect: { waiting: true }, text: `⏺ I'll clean the build first.

⏺ Bash(rm -rf build)

────────────────────────────────────────────────────────
 Bash command

   rm -rf build
   Remove the build directory

 Do you want to proceed?
 ❯ 1. Yes
   2. Yes, and don't ask again for rm commands in /work/app
   3. No, and tell Claude what to do differently (esc)` },
  { name: 'claude boxed edit prompt', rules: 'claude', expect: { waiting: true, idle: false }, text: `╭──────────────────────────────────────────────────────╮
│ Edit file                                            │
│ Do you want to make this edit to app.ts?             │
│ ❯ 1. Yes                                             │
│   2. Yes, allow all edits during this session (shift+tab) │
│   3. No, and tell Claude what to do differently (esc) │
╰──────────────────────────────────────────────────────╯` },
  { name: 'claude trust-folder dialog', rules: 'claude', expect: { waiting: true, idle: false }, text: `╭──────────────────────────────────────────────────────╮
│ Do you trust the files in this folder?               │
│                                                      │
│ /work/rigs/app/polecats/rust                         │
│                                                      │
│ ❯ 1. Yes, proceed                                    │
│   2. No, exit                                        │
╰──────────────────────────────────────────────────────╯
   Enter to confirm · Esc to exit` },
  { name: 'claude bypass-permissions warning', rules: 'claude', expect: { waiting: true }, text: ` WARNING: Claude Code running in Bypass Permissions mode

 By proceeding, you accept all responsibility for actions taken while running in Bypass Permissions mode.

 ❯ 1. No, exit
   2. Yes, I accept` },
  { name: 'claude theme picker', rules: 'claude', expect: { waiting: true }, text: ` Let's get started.

 Choose the text style that looks best with your terminal:
 To change this later, run /theme

 ❯ 1. Dark mode ✔
   2. Light mode` },
  { name: 'claude login method', rules: 'claude', expect: { waiting: true }, text: ` Claude Code can be used with your Claude subscription or billed based on API usage through your Console account.

 Select login method:

 ❯ 1. Claude account with subscription
   2. Anthropic Console account` },
  { name: 'claude question (AskUserQuestion)', rules: 'claude', expect: { waiting: true }, text: ` ☐ Database

 Which database should I use for the cache?

 ❯ 1. PostgreSQL
      Relational, already in the stack
   2. SQLite
      Embedded, zero config
   3. Type something.

 Enter to select · ↑/↓ to navigate · Esc to cancel` },
  { name: 'claude spinner while working', rules: 'claude', expect: { waiting: false, working: true, idle: true }, text: `⏺ Read(src/app.ts)
  ⎿  Read 120 lines

✻ Pondering… (12s · ↑ 1.2k tokens · esc to interrupt)

────────────────────────────────────────────────────────
❯
────────────────────────────────────────────────────────
  ⏵⏵ bypass permissions on (shift+tab to cycle)` },
  { name: 'claude idle after a turn', rules: 'claude', expect: { waiting: false, working: false, idle: true }, text: `⏺ All 42 tests pass. Should I also update the changelog?

✻ Worked for 1m 12s

────────────────────────────────────────────────────────
❯ 
────────────────────────────────────────────────────────
  ? for shortcuts` },
  { name: 'claude title while working', rules: 'claude', text: '', title: '⠐ Fix flaky test', expect: { titleWorking: true, titleIdle: false } },
  { name: 'claude title when idle', rules: 'claude', text: '', title: '✳ Fix flaky test', expect: { titleWorking: false, titleIdle: true } },
  // ---- codex ----
  { name: 'codex command approval', rules: 'codex', expect: { waiting: true, idle: false }, text: `Would you like to run the following command?

Reason: Need to write to .git/worktrees metadata to stage changes

$ git add test.ts

› 1. Yes, proceed (y)
  2. Yes, and don't ask again for this command (a)
  3. No, and tell Codex what to do differently (esc)

Press enter to confirm or esc to cancel` },
  { name: 'codex trust dialog', rules: 'codex', expect: { waiting: true }, text: `> You are running Codex in /work/app

  Since this folder is version controlled, you may wish to allow Codex to work in this folder without asking for approval.

› 1. Yes, allow Codex to work in this folder without asking for approval
  2. No, ask me to approve edits and commands

  Press enter to continue` },
  { name: 'codex sign-in', rules: 'codex', expect: { waiting: true }, text: `  Welcome to Codex, OpenAI's command-line coding agent

  Sign in with ChatGPT to use Codex as part of your paid plan
  or connect an API key for usage-based billing

> 1. Sign in with ChatGPT
  2. Provide your own API key` },
  { name: 'codex working', rules: 'codex', expect: { waiting: false, working: true }, text: `• Ran npm test
  └ 42 passing

• Working (14s • esc to interrupt)

› Ask Codex to do anything` },
  { name: 'codex idle', rules: 'codex', expect: { waiting: false, working: false, idle: true }, text: `• Done: the flaky test now waits for the server.

› Find and fix a bug in @filename

  ⏎ send   ⌃J newline   ⌃T transcript   ⌃C quit` },
  // ---- gemini ----
  { name: 'gemini shell confirmation', rules: 'gemini', expect: { waiting: true }, text: `╭──────────────────────────────────────────────╮
│ ?  Shell npm test                            │
│                                              │
│ Allow execution of: 'npm'?                   │
│                                              │
│ ● 1. Yes, allow once                         │
│   2. Yes, allow always ...                   │
│   3. No, suggest changes (esc)               │
╰──────────────────────────────────────────────╯
⠏ Waiting for user confirmation...` },
  { name: 'gemini auth dialog', rules: 'gemini', expect: { waiting: true }, text: `│ Get started                                        │
│ How would you like to authenticate for this project? │
│ ● 1. Login with Google                             │
│   2. Use Gemini API Key                            │` },
  { name: 'gemini working', rules: 'gemini', expect: { waiting: false, working: true }, text: `⠼ Reading the test harness (esc to cancel, 3s)

╭──────────────────────────────────────────────╮
│ >   Type your message or @path/to/file       │
╰──────────────────────────────────────────────╯` },
  { name: 'gemini idle', rules: 'gemini', expect: { waiting: false, working: false, idle: true }, text: `✦ The fix is in place and the tests pass.

╭──────────────────────────────────────────────╮
│ >   Type your message or @path/to/file       │
╰──────────────────────────────────────────────╯
~/app (main*)       no sandbox       gemini-2.5-pro (98% context left)` },
  // ---- cursor ----
  { name: 'cursor run approval', rules: 'cursor', expect: { waiting: true }, text: `  Run this command?
  npm test
   (y) (enter)  Run once
   Auto-run everything (shift+tab)
   Skip (esc or n)` },
  { name: 'cursor working', rules: 'cursor', expect: { waiting: false, working: true }, text: `  ⬢ Generating…
                                            ctrl+c to stop` },
  { name: 'cursor idle', rules: 'cursor', expect: { waiting: false, working: false, idle: true }, text: `  Updated src/app.ts.

  → Add a follow-up` },
  // ---- opencode ----
  { name: 'opencode permission', rules: 'opencode', expect: { waiting: true }, text: `opencode v0.1.0

△ Permission required
The AI wants to execute a shell command

Press Enter to allow, Esc to deny` },
  { name: 'opencode working', rules: 'opencode', expect: { waiting: false, working: true }, text: `┃  Reading src/app.ts
   esc interrupt` },
  { name: 'opencode idle', rules: 'opencode', expect: { waiting: false, working: false, idle: true }, text: `Done.
  tab switch agent                      ctrl+p commands` },
  // ---- amp ----
  { name: 'amp tool approval', rules: 'amp', expect: { waiting: true }, text: `Run: rm -rf dist
Allow this command? [y/n]` },
  { name: 'amp working', rules: 'amp', expect: { waiting: false, working: true }, text: `≈ Running tools...  Esc to interrupt` },
  // ---- copilot ----
  { name: 'copilot command permission', rules: 'copilot', expect: { waiting: true }, text: ` Run command
 ╭──────────╮
 │ npm test │
 ╰──────────╯
 Do you want to run this command?
 ❯ 1. Yes
   2. Yes, and approve \`npm\` for the rest of the running session
   3. No, and tell Copilot what to do differently (Esc)

 Confirm with number keys or ↑↓ keys and Enter, Cancel with Esc` },
  { name: 'copilot folder trust', rules: 'copilot', expect: { waiting: true }, text: ` Confirm folder trust
 Do you trust the files in this folder?
 ❯ 1. Yes
   2. Yes, and remember this folder for future sessions
   3. No (Esc)` },
  { name: 'copilot working', rules: 'copilot', expect: { waiting: false, working: true }, text: ` ∙ Thinking (Esc to cancel)

 > Enter @ to mention files or / for commands` },
  { name: 'copilot idle', rules: 'copilot', expect: { waiting: false, working: false, idle: true }, text: ` ● Fixed the test.

 > Enter @ to mention files or / for commands` },
  // ---- aider ----
  { name: 'aider unanswered confirmation', rules: 'aider', expect: { waiting: true, idle: false }, text: `Aider v0.86.1
Main model: anthropic/claude-sonnet-4 with diff edit format
Add README.md to the chat? (Y)es/(N)o/(D)on't ask again [Yes]:` },
  { name: 'aider auto-answered confirmation then prompt', rules: 'aider', expect: { waiting: false, idle: true }, text: `Add README.md to the chat? (Y)es/(N)o/(D)on't ask again [Yes]: y
Applied edit to README.md
Commit 1a2b3c4 docs: fix typo
>` },
  { name: 'aider waiting for the model', rules: 'aider', expect: { waiting: false, working: true, idle: false }, text: `> fix the flaky test
░█        Waiting for anthropic/claude-sonnet-4` },
  { name: 'aider architect prompt', rules: 'aider', expect: { idle: true }, text: 'architect> ' },
  // ---- shell ----
  { name: 'shell apt confirmation', rules: 'shell', expect: { waiting: true, idle: false }, text: `alice@box:~/app$ sudo apt install jq
The following NEW packages will be installed: jq
Do you want to continue? [Y/n]` },
  { name: 'shell sudo password', rules: 'shell', expect: { waiting: true }, text: `alice@box:~/app$ sudo true
[sudo] password for alice:` },
  { name: 'shell rm -i question', rules: 'shell', expect: { waiting: true }, text: `alice@box:~/app$ rm -i notes.txt
rm: remove regular file 'notes.txt'?` },
  { name: 'shell idle prompt after an answered question', rules: 'shell', expect: { waiting: false, idle: true }, text: `Do you want to continue? [Y/n] y
Setting up jq (1.7.1-3) ...
alice@box:~/app$` },
  { name: 'shell running a command', rules: 'shell', expect: { waiting: false, idle: false }, text: `alice@box:~/app$ sleep 100` },
  // ---- generic ----
  { name: 'generic y/n', rules: 'generic', expect: { waiting: true }, text: 'Overwrite config.json? (y/n)' },
  { name: 'generic prompt', rules: 'generic', expect: { waiting: false, idle: true }, text: 'Ready.\n> ' },
  { name: 'generic spinner', rules: 'generic', expect: { working: true }, text: '⠹ Thinking… (esc to interrupt)' },
  // ---- fake ----
  { name: 'fake working', rules: 'fake', expect: { waiting: false, working: true, idle: false }, text: `FAKE-AGENT: working
[polecat/rust 1a2b3c4] feat: add the widget
 1 file changed, 3 insertions(+)` },
  { name: 'fake question', rules: 'fake', expect: { waiting: true, idle: false }, text: `FAKE-AGENT: working
FAKE-AGENT: question: Which branch should I rebase onto?
? ` },
  { name: 'fake question being answered', rules: 'fake', expect: { waiting: true }, text: `FAKE-AGENT: question: Which branch should I rebase onto?
? mai` },
  { name: 'fake question answered, working again', rules: 'fake', expect: { waiting: false, working: true }, text: `FAKE-AGENT: question: Which branch should I rebase onto?
? main
FAKE-AGENT: working` },
  { name: 'fake idle', rules: 'fake', expect: { waiting: false, working: false, idle: true }, text: `FAKE-AGENT: working
done: committed 1a2b3c4
FAKE-AGENT: idle
fake> ` },
];

describe('samples', () => {
  it.each(SAMPLES.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const m = matchScreen(getCompiledRules(s.rules), screen(s.text), s.title ?? '');
    for (const [key, want] of Object.entries(s.expect)) {
      expect({ key, hit: m[key as keyof ScreenMatch] !== undefined }).toEqual({ key, hit: want });
    }
  });

  it('reports the matched line and the rule why', () => {
    const m = matchScreen(getCompiledRules('fake'), screen('FAKE-AGENT: question: Which branch?\n? '), '');
    expect(m.waiting?.text).toBe('FAKE-AGENT: question: Which branch?');
    expect(m.waiting?.why).toMatch(/question/);
  });

  it('reports the whole screen line, not just the matched fragment', () => {
    const m = matchScreen(getCompiledRules('claude'), screen('✻ Pondering… (12s · esc to interrupt)\n❯'), '');
    expect(m.working?.text).toBe('✻ Pondering… (12s · esc to interrupt)');
  });

  it('only the last 15 lines count', () => {
    const rows = ['Do you want to proceed?', '❯ 1. Yes', ...Array.from({ length: 15 }, (_, i) => `output ${i}`)];
    expect(matchScreen(getCompiledRules('claude'), rows, '').waiting).toBeUndefined();
  });
});

// The prompt shapes every agent runtime's rules must treat as waiting (brief: permission prompts,
// questions, first-run dialogs).
const COMMON_WAITING = [
  'Do you want to proceed?\n❯ 1. Yes\n  2. No',
  '❯ 1. Yes\n  2. No, exit',
  'Allow command?',
  'Allow write access to /etc/hosts?',
  'Continue? (y/n)',
  'Overwrite file? [Y/n]',
  'Do you trust the files in this folder?',
  'Please log in to continue',
  '> 1. Sign in with your GitHub account',
  'Sign in to continue:',
  'Select a theme',
  'Enter your API key:',
];

// An agent's own prose in its transcript is not a prompt.
const PROSE = [
  '⏺ Users can now log in with GitHub and select a theme in settings.',
  '⏺ Set the API key in .env before running, then enter your API key in the dashboard.',
  '⏺ I updated the trust settings for this project.',
  '⏺ Allowed origins are now configurable.',
  '⏺ The CLI asks (y/n) before deleting.',
];
const TUI_RULES = ['claude', 'codex', 'gemini', 'cursor', 'opencode', 'amp', 'copilot', 'generic'];

describe('common waiting prompts', () => {
  it.each(TUI_RULES.flatMap((id) => COMMON_WAITING.map((text) => [id, text] as const)))('%s: %j', (id, text) => {
    expect(matchScreen(getCompiledRules(id), screen(`some earlier output\n${text}`), '').waiting).toBeDefined();
  });

  it.each(TUI_RULES.flatMap((id) => PROSE.map((text) => [id, text] as const)))('%s: prose is not waiting: %j', (id, text) => {
    expect(matchScreen(getCompiledRules(id), screen(`${text}\n\n────────\n❯\n────────`), '').waiting).toBeUndefined();
  });

  it.each(['aider', 'shell', 'generic'])('%s: y/n questions count on the last line only', (id) => {
    const c = getCompiledRules(id);
    expect(matchScreen(c, screen('Apply the patch? (y/n)'), '').waiting).toBeDefined();
    expect(matchScreen(c, screen('Apply the patch? [Y/n]'), '').waiting).toBeDefined();
  });
});
