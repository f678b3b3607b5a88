/**
 * The flows recorded into the real-screen corpus (test/fixtures/screens/, issue #11 §1): each
 * starts a real agent CLI from test/agent-clis in a fresh HOME and a fresh git repository, with
 * the runtime preset's own arguments, and walks its first-run screens with the keys a person
 * would press. Every step waits for a screen, then types; the screen just before each typed
 * input, and the last screen, are checkpoints whose expected status the replay test checks
 * (test/agents/real-screens.test.ts).
 */
import type { AgentStatus } from '../../src/core/agents/status.js';

/** A key or text typed at a step: `Enter`, `Down`, `Up`, `Esc`, or literal text. */
export type Key = 'Enter' | 'Down' | 'Up' | 'Esc' | { text: string };

/** What the status decision must say of a checkpoint's screen. */
export interface Expectation {
  /** The status. */
  status: AgentStatus;
  /** A substring of the verdict's reason ("codex: sign-in menu"). */
  why: string;
}

/** One step of a flow. */
export interface Step {
  /** Regex source the screen (joined rows) must match before the step types anything. */
  waitFor: string;
  /** The status expected of the screen at this point (the checkpoint before `keys`). */
  expect: Expectation;
  /** false: take the checkpoint as soon as the screen matches (a short-lived working screen). */
  settle?: boolean;
  /** Keys typed one at a time, ~0.4 s apart; none on the last step. */
  keys?: Key[];
}

/** One recorded flow. */
export interface Scenario {
  /** File name stem: `<runtime>/<name>-<cols>x<rows>.cast`. */
  name: string;
  /** Runtime preset (claude, codex, gemini); its command and args are used. */
  runtime: 'claude' | 'codex' | 'gemini';
  /** Extra environment (fake keys, provider switches); values are recorded in the README. */
  env: Record<string, string>;
  /** The first prompt, delivered as the preset delivers it (`launchArgv`). */
  prompt?: string;
  /** What the flow shows, for the README. */
  about: string;
  /** The steps, in order. */
  steps: Step[];
  /** The flow ends with the CLI exiting: the expected exit status and a substring of the reason. */
  exits?: Expectation;
}

/**
 * Claude Code on Bedrock with fake static keys: it skips its start-up connection check, and the
 * AWS SDK never asks the EC2 metadata address for credentials (only loopback is ours to reach).
 */
const BEDROCK_OFFLINE = {
  IS_SANDBOX: '1', CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'AKIAFAKEFORTESTS0000', AWS_SECRET_ACCESS_KEY: 'fake-secret-for-tests', CLAUDE_CODE_MAX_RETRIES: '0',
};

/** Every recorded flow. */
export const SCENARIOS: Scenario[] = [
  {
    name: 'first-run', runtime: 'codex', env: {},
    about: 'no key: the sign-in menu, "Sign in another way", and the empty API key box',
    steps: [
      { waitFor: 'Sign in with ChatGPT', expect: { status: 'waiting', why: 'codex: sign-in menu' }, keys: ['Down', 'Down', 'Enter'] },
      { waitFor: 'Use an OpenAI API key', expect: { status: 'waiting', why: 'codex: sign-in menu' }, keys: ['Enter'] },
      { waitFor: 'Paste or type your API key', expect: { status: 'waiting', why: 'codex: API key' } },
    ],
  },
  {
    name: 'api-key', runtime: 'codex', env: { OPENAI_API_KEY: 'sk-fake-key-for-tests' },
    about: 'a fake OPENAI_API_KEY: sign-in menu, key detected, trust this folder, the idle prompt, a prompt that cannot reach the network',
    steps: [
      { waitFor: 'Sign in with ChatGPT', expect: { status: 'waiting', why: 'codex: sign-in menu' }, keys: ['Down', 'Down', 'Enter'] },
      { waitFor: 'Use an OpenAI API key', expect: { status: 'waiting', why: 'codex: sign-in menu' }, keys: ['Enter'] },
      { waitFor: 'Detected OPENAI_API_KEY', expect: { status: 'waiting', why: 'codex: API key' }, keys: ['Enter'] },
      { waitFor: 'Trust this folder\\?', expect: { status: 'waiting', why: 'codex: trust folder?' }, keys: ['Enter'] },
      { waitFor: 'Ask Codex to do anything', expect: { status: 'idle', why: 'input prompt' }, keys: [{ text: 'say hi' }, 'Enter'] },
      { waitFor: 'Reconnecting', expect: { status: 'working', why: 'interrupt' } },
    ],
  },
  {
    name: 'first-run', runtime: 'gemini', env: {}, prompt: 'say hi',
    about: 'no key: trust this folder, then the sign-in menu',
    steps: [
      { waitFor: 'Do you trust the files in this folder', expect: { status: 'waiting', why: 'gemini: trust folder?' }, keys: ['Enter'] },
      { waitFor: 'How would you like to authenticate', expect: { status: 'waiting', why: 'gemini: sign-in menu' } },
    ],
  },
  {
    name: 'api-key', runtime: 'gemini', env: { GEMINI_API_KEY: 'fake-key-for-tests' }, prompt: 'say hi',
    about: 'a fake GEMINI_API_KEY: trust, sign-in menu, API key entry, the first prompt failing offline, the idle prompt, a second prompt',
    steps: [
      { waitFor: 'Do you trust the files in this folder', expect: { status: 'waiting', why: 'gemini: trust folder?' }, keys: ['Enter'] },
      { waitFor: 'How would you like to authenticate', expect: { status: 'waiting', why: 'gemini: sign-in menu' }, keys: ['Enter'] },
      { waitFor: 'Enter Gemini API Key', expect: { status: 'waiting', why: 'gemini: API key' }, keys: ['Enter'] },
      { waitFor: 'Type your message', expect: { status: 'waiting', why: 'gemini: request failed' }, keys: [{ text: 'say hi again' }, 'Enter'] },
      { waitFor: 'esc to cancel', expect: { status: 'working', why: 'esc to cancel' } },
    ],
  },
  {
    name: 'offline-root', runtime: 'claude', env: {},
    about: 'as root, the preset\'s --dangerously-skip-permissions is refused and Claude Code exits',
    steps: [{ waitFor: 'cannot be used with root', expect: { status: 'waiting', why: 'x' } }],
    exits: { status: 'exited', why: 'cannot be used with root/sudo privileges' },
  },
  {
    name: 'offline', runtime: 'claude', env: { IS_SANDBOX: '1' },
    about: 'no network: Claude Code cannot reach its API at start-up and exits',
    steps: [{ waitFor: 'Unable to connect to Anthropic services', expect: { status: 'exited', why: 'x' } }],
    exits: { status: 'exited', why: 'Failed to connect to api.anthropic.com' },
  },
  {
    name: 'first-run', runtime: 'claude', env: BEDROCK_OFFLINE, prompt: 'say hi',
    about: 'Bedrock mode with fake static AWS keys (skips the network check): theme, security notes, trust this folder, the Bypass Permissions warning, working on the prompt, then its API error',
    steps: [
      { waitFor: 'Choose the text style', expect: { status: 'waiting', why: 'claude: select a theme' }, keys: ['Enter'] },
      { waitFor: 'Press Enter to continue', expect: { status: 'waiting', why: 'claude: security notes' }, keys: ['Enter'] },
      { waitFor: 'Yes, I trust this folder', expect: { status: 'waiting', why: 'claude: trust folder?' }, keys: ['Enter'] },
      { waitFor: 'Yes, I accept', expect: { status: 'waiting', why: 'claude: bypass permissions warning' }, keys: ['Down', 'Enter'] },
      { waitFor: 'esc to interrupt', settle: false, expect: { status: 'working', why: 'interrupt' } },
      { waitFor: 'API Error', expect: { status: 'waiting', why: 'claude: API error' } },
    ],
  },
];
