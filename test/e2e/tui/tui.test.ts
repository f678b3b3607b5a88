/**
 * The TUI end to end: the built `gt` in tmux on a private socket with CI unset (Ink draws
 * nothing under CI=true), keys pressed by command id from the one key table, the screen read
 * with capture-pane, waiting on conditions (never a fixed sleep).
 *
 * Start the demo, sling with a hotkey, see the agent's output in its pane, read a mail, ack an
 * escalation, quit (the agents keep running), start again: the screen shows the same state.
 * Then the bad cases: a terminal smaller than 80x24, a daemon that dies under the TUI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/tui/keys/commands.js';
import { buildKeymap } from '../../../src/tui/keys/keymap.js';
import { processAlive, readDaemonPid } from '../../../src/daemon/client.js';
import { tempDir } from '../../cli/helpers.js';
import { GT_BIN, runBin, townDb, waitFor } from '../helpers.js';
import { requireTmux, startTmux, type TmuxSession } from './harness.js';

const keymap = buildKeymap(COMMANDS, {});
/** The first key of a command id (so the test survives rebinding). */
const key = (id: string): string => {
  const k = keymap.keysOf(id)[0];
  if (!k) throw new Error(`no key for ${id}`);
  return k;
};

describe('the TUI in tmux', () => {
  requireTmux();
  const tmp = tempDir('gt-tui-e2e-');
  const dir = join(tmp.dir, 'demo');
  const root = join(dir, 'town');
  const env = { GT_TOWN: root, BD_ACTOR: 'overseer', NODE_ENV: 'production' };
  let tmux: TmuxSession | undefined;
  const press = async (...ids: string[]) => { for (const id of ids) await tmux!.sendKeys(key(id)); };

  afterAll(async () => {
    await tmux?.kill();
    await runBin(GT_BIN, ['daemon', 'stop'], { env });
    tmp.cleanup();
  });

  it('demo → sling by hotkey → live pane → read mail → ack escalation → quit → same state again', async () => {
    tmux = await startTmux({ cols: 200, rows: 50, command: [process.execPath, GT_BIN, 'demo', '--dir', dir], env: { GT_TOWN: '', NODE_ENV: 'production' } });
    await tmux.waitForText('Gas Town · demo', 30_000);
    // the two slung agents show live output in their panes
    await tmux.waitForText(/FAKE-AGENT: working/, 30_000);
    // sling the top ready bead with one key
    const before = JSON.parse((await runBin(GT_BIN, ['bd', 'ready', '--json'], { env })).out) as Array<{ id: string; issue_type: string }>;
    const top = before.filter((b) => b.issue_type !== 'convoy')[0]!.id;
    await press('bead.slingTop');
    await tmux.waitForText(`slung ${top}`, 30_000);
    const withPane = await tmux.waitForText(new RegExp(`─ [●⟳○] hello/\\w+ \\w+ · ${top}`), 30_000);
    expect(withPane).toContain(top);
    await waitFor(async () => (await tmux!.capture()).split('\n').filter((l) => l.includes('FAKE-AGENT')).length >= 3, 30_000, 'three panes of agent output');
    // read a mail: the polecat's "ready for review" arrives within the demo's minute
    await tmux.waitForText('ready for review', 90_000);
    await press('focus.4'); // from the tree (in the ready list digits sling)
    await tmux.waitForText('[4 Mail');
    // pick it with the list filter, then open it
    await press('list.filter');
    await tmux.type('ready for review');
    await press('modal.confirm');
    await tmux.waitForNoText('deacon: Convoy landed'); // the filter left only the matching mail
    let mailScreen = '';
    await press('mail.read');
    mailScreen = await tmux.waitForText('Subject: hello v1: ready for review');
    expect(mailScreen).toMatch(/From: +hello\/polecats\/\w+/);
    await press('modal.cancel');
    await tmux.waitForNoText('Subject: hello v1');
    // ack the escalation
    await press('focus.5');
    await tmux.waitForText('[5 Escalations');
    await tmux.waitForText('Should --name accept an empty string?');
    await press('escalation.ack');
    await tmux.waitForText(/MED +\d+[smh] acked Should --name/, 15_000);
    // quit: the TUI says the agents keep running, and they do
    await press('app.quit');
    await tmux.waitForExit(15_000);
    const bye = await tmux.capture({ history: true });
    expect(bye).toMatch(/Left the TUI\. \d+ agent sessions? keeps? running in the town daemon/);
    await tmux.kill();
    const pid = readDaemonPid(root);
    expect(pid && processAlive(pid)).toBeTruthy();
    const db = townDb(root);
    let slungAgent = '';
    try {
      expect(db.prepare("SELECT state FROM escalations WHERE summary LIKE 'Should --name%'").pluck().get()).toBe('acked');
      expect(db.prepare("SELECT read_at FROM mail_deliveries d JOIN messages m ON m.id = d.message_id WHERE m.subject = 'hello v1: ready for review' AND d.address = 'overseer'").pluck().get()).toBeTruthy();
      slungAgent = db.prepare("SELECT assignee FROM issues WHERE id = ?").pluck().get(top) as string;
    } finally {
      db.close();
    }
    // the slung bead's work went on without the TUI: it is merged (closed) by the refinery
    await waitFor(async () => {
      const r = await runBin(GT_BIN, ['bd', 'show', top, '--json'], { env });
      return /"status": ?"closed"/.test(r.out);
    }, 90_000, `${top} merged while the TUI was closed`);
    // start again: the same state is on screen
    tmux = await startTmux({ cols: 200, rows: 50, command: [process.execPath, GT_BIN], env });
    const again = await tmux.waitForText('Gas Town · demo', 30_000);
    expect(again).toContain(slungAgent.split('/').pop()!);
    await press('focus.5');
    await tmux.waitForText(/MED +\d+[smh] acked Should --name/);
    await press('focus.4');
    await tmux.waitForText('[4 Mail');
    await press('list.filter');
    await tmux.type('ready for review');
    await press('modal.confirm');
    const inbox = await tmux.waitForNoText('deacon: Convoy landed');
    const mailRows = inbox.split('\n').filter((l) => /\d+[smh] hello\/polecats\/\w+: /.test(l));
    expect(mailRows).toHaveLength(1);
    expect(mailRows[0]).toMatch(/│ {3}\s*\d+[smh] hello\/polecats/); // read: no ● unread mark
  }, 300_000);

  it('a terminal smaller than 80x24 says "enlarge to 80x24" and comes back when enlarged', async () => {
    await tmux!.resize(70, 20);
    await tmux!.waitForText('enlarge to 80x24');
    await tmux!.resize(120, 40);
    await tmux!.waitForText('Gas Town · demo');
    expect(await tmux!.capture()).not.toContain('enlarge to');
  }, 60_000);

  it('a daemon that dies shows a banner with the reason, and the TUI reconnects', async () => {
    const pid = readDaemonPid(root)!;
    process.kill(pid, 'SIGKILL');
    const banner = await tmux!.waitForText('daemon unreachable', 15_000);
    expect(banner).toMatch(/daemon unreachable: .*(closed|ENOENT|ECONNREFUSED|start)/);
    // the link restarts the daemon (agents with work on their hook start again) and the banner goes
    await tmux!.waitForNoText('daemon unreachable', 30_000);
    await waitFor(() => { const p = readDaemonPid(root); return p && p !== pid && processAlive(p) ? p : undefined; }, 30_000, 'a new daemon');
    expect(readFileSync(join(root, 'logs/daemon.log'), 'utf8')).toContain('listening on');
    await tmux!.sendKeys(key('app.quit'));
    await tmux!.waitForExit(15_000);
  }, 90_000);
});
