/**
 * The TUI's controller: turns input into command ids (through the one command table) and runs
 * their handlers. Every handler either changes view state in the UI store or runs a `gt`
 * command in-process (the same code path as the CLI, so the TUI can do nothing the CLI cannot,
 * and errors read the same); after a command the runtime re-reads town.db.
 *
 * A handler may have a disabled reason; pressing its key then says why on the message line
 * instead of doing nothing (lazygit's "disabled reasons", CONVENTIONS.md Keys).
 */
import type { StoreApi } from 'zustand/vanilla';
import { COMMANDS, type Scope } from './keys/commands.js';
import { displayKey } from './keys/help.js';
import { decodeKeys, LeaveChordMatcher } from './keys/input.js';
import { resolveKey, type Keymap } from './keys/keymap.js';
import { scopesOf } from './plan.js';
import { AREAS, pushToast, type Area, type Field, type Modal, type Stores, type TownState, type UiState } from './state/stores.js';
import { agentsInOrder, clampIndex, escalationItems, filterFor, mailItems, queueItems, readyItems, selectable, treeItems } from './state/selectors.js';
import { GRID_SIZES } from './layout.js';

/** Result of running a `gt` command in-process. */
export interface CommandResult {
  code: number;
  out: string;
  err: string;
}

/** What the controller needs from the runtime. */
export interface ControllerDeps {
  stores: Stores;
  keymap: Keymap;
  /** The leave chord for entered panes (validated by {@link LeaveChordMatcher}). */
  leaveChord: string;
  /** Run `gt <argv>` in-process as the overseer. */
  run: (argv: string[]) => Promise<CommandResult>;
  /** Type raw bytes into an agent's session (generation-checked by the daemon). */
  input: (address: string, generation: number, data: string) => void;
  /** Leave the TUI. */
  quit: () => void;
  /** Called after a command changed the town (re-read town.db). */
  changed: () => void;
}

/** A handler of a command id. */
interface Handler {
  run: () => void | Promise<void>;
  /** Why it cannot run now, or undefined when it can. */
  disabled?: () => string | undefined;
}

const TABS = ['mail', 'escalations', 'queue'] as const;

/** The first line of a command's error output, without the `error: ` prefix. */
export function errorLine(r: CommandResult): string {
  const line = (r.err || r.out).split('\n').find((l) => l.trim()) ?? `failed with exit code ${r.code}`;
  return line.replace(/^error:\s*/, '');
}

/** See the module comment. */
export class Controller {
  private readonly town: StoreApi<TownState>;
  private readonly ui: StoreApi<UiState>;
  private readonly matcher: LeaveChordMatcher;
  private readonly handlers: Record<string, Handler>;

  constructor(private readonly deps: ControllerDeps) {
    this.town = deps.stores.town;
    this.ui = deps.stores.ui;
    this.matcher = new LeaveChordMatcher(deps.leaveChord);
    this.handlers = this.makeHandlers();
  }

  private get u(): UiState {
    return this.ui.getState();
  }

  private get t(): TownState {
    return this.town.getState();
  }

  private toast(text: string, kind: 'info' | 'ok' | 'error' = 'info'): void {
    pushToast(this.ui, text, kind);
  }

  /** Every command id that has a handler (a test checks the table has no id without one). */
  handledIds(): string[] {
    return Object.keys(this.handlers);
  }

  /** Feed raw terminal input. */
  handleInput(chunk: string): void {
    const entered = this.u.entered;
    if (entered) {
      const s = this.t.sessions[entered];
      const { forward, left } = this.matcher.feed(chunk);
      if (forward && s && !s.exit) this.deps.input(entered, s.generation, forward);
      if (left) {
        this.ui.setState({ entered: undefined });
        this.toast(`left ${entered}; keys drive the TUI again`);
      }
      return;
    }
    for (const key of decodeKeys(chunk)) this.handleKey(key);
  }

  /** Handle one normalized key name. */
  handleKey(key: string): void {
    const u = this.u;
    if (u.filter.editing) return this.filterKey(key);
    if (u.modal) return this.modalKey(u.modal, key);
    if (u.help) {
      if (key === '?' || key === 'escape' || key === 'q') this.ui.setState({ help: false });
      return;
    }
    const id = resolveKey(this.deps.keymap, key, scopesOf(u) as Scope[]);
    if (id) this.dispatch(id);
  }

  /**
   * Run a command by id, or say why it is disabled.
   *
   * @returns false when it was disabled or has no handler.
   */
  dispatch(id: string): boolean {
    const h = this.handlers[id];
    const label = COMMANDS.find((c) => c.id === id)?.label ?? id;
    if (!h) {
      this.toast(`${label}: not available here`, 'error');
      return false;
    }
    const why = h.disabled?.();
    if (why) {
      this.toast(`${label}: ${why}`, 'error');
      return false;
    }
    void Promise.resolve(h.run()).catch((e: unknown) => this.toast(`${label}: ${(e as Error).message}`, 'error'));
    return true;
  }

  /** Run a gt command, toast its outcome, and re-read the town. */
  private async gt(argv: string[], done: string): Promise<CommandResult> {
    this.toast(`gt ${argv.slice(0, 3).join(' ')}…`);
    const r = await this.deps.run(argv);
    if (r.code === 0) this.toast(done, 'ok');
    else this.toast(errorLine(r), 'error');
    this.deps.changed();
    return r;
  }

  // ---- selections -------------------------------------------------------------------------

  private listLength(area: Area): number {
    const v = this.t.view;
    const f = filterFor(this.u, area);
    if (area === 'tree') return selectable(treeItems(v, f)).length;
    if (area === 'ready') return readyItems(v, f).length;
    if (area === 'mail') return mailItems(v, f).length;
    if (area === 'escalations') return escalationItems(v, f).length;
    if (area === 'queue') return queueItems(v, f).length;
    return agentsInOrder(v).length;
  }

  private move(delta: number | 'top' | 'bottom'): void {
    const area = this.u.focus;
    if (area === 'panes') {
      const all = agentsInOrder(this.t.view);
      if (!all.length) return;
      const at = Math.max(0, all.findIndex((a) => a.address === this.u.agent));
      const next = delta === 'top' ? 0 : delta === 'bottom' ? all.length - 1 : clampIndex(at + delta, all.length);
      this.ui.setState({ agent: all[next]!.address });
      return;
    }
    const n = this.listLength(area);
    const cur = this.u.selected[area];
    const next = delta === 'top' ? 0 : delta === 'bottom' ? n - 1 : cur + delta;
    this.select(area, clampIndex(next, n));
  }

  private select(area: Exclude<Area, 'panes'>, index: number): void {
    this.ui.setState((s) => ({ selected: { ...s.selected, [area]: index } }));
    if (area === 'tree') {
      const items = treeItems(this.t.view, filterFor(this.u, 'tree'));
      const it = items[selectable(items)[index] ?? -1];
      if (it?.kind === 'agent') this.ui.setState({ agent: it.agent.address });
    }
  }

  private focus(area: Area): void {
    this.ui.setState((s) => ({ focus: area, ...(TABS.includes(area as never) ? { tab: area as UiState['tab'] } : {}), filter: s.filter.area === area ? s.filter : { ...s.filter, editing: false } }));
  }

  /** The selected ready bead, if the ready list has one. */
  private readyBead(): { id: string; title: string } | undefined {
    return readyItems(this.t.view, filterFor(this.u, 'ready'))[this.u.selected.ready];
  }

  /** The agent the agent commands act on: the selected one. */
  private agent() {
    const all = agentsInOrder(this.t.view);
    return all.find((a) => a.address === this.u.agent);
  }

  private mailEntry() {
    const m = this.u.modal;
    if (m?.kind === 'mail') return this.t.view.mail.find((x) => x.message.id === m.id);
    return mailItems(this.t.view, filterFor(this.u, 'mail'))[this.u.selected.mail];
  }

  private escalation() {
    return escalationItems(this.t.view, filterFor(this.u, 'escalations'))[this.u.selected.escalations];
  }

  private rigOfBead(id: string): string | undefined {
    const rigs = this.t.view.rigs.filter((r) => id.startsWith(`${r.prefix}-`)).sort((a, b) => b.prefix.length - a.prefix.length);
    return rigs[0]?.name;
  }

  private idlePolecat(rig: string | undefined) {
    const r = this.t.view.rigs.find((x) => x.name === rig);
    return r?.agents.find((a) => a.role === 'polecat' && !a.hook_bead && (a.state === 'idle' || a.state === 'done'));
  }

  // ---- modal and filter input ---------------------------------------------------------------

  private filterKey(key: string): void {
    const f = this.u.filter;
    if (key === 'escape') this.ui.setState({ filter: { text: '', editing: false } });
    else if (key === 'enter') this.ui.setState({ filter: { ...f, editing: false } });
    else if (key === 'backspace') this.ui.setState({ filter: { ...f, text: [...f.text].slice(0, -1).join('') } });
    else if ([...key].length === 1 || key === 'space') this.ui.setState({ filter: { ...f, text: f.text + (key === 'space' ? ' ' : key) } });
    else return;
    const area = f.area;
    if (area && area !== 'panes') this.select(area, 0);
  }

  private modalKey(modal: Modal, key: string): void {
    const id = resolveKey(this.deps.keymap, key, ['modal']);
    if (id === 'modal.cancel') {
      this.ui.setState({ modal: undefined });
      return;
    }
    if (modal.kind === 'form') return this.formKey(modal, key, id);
    if (modal.kind === 'sling') {
      if (id === 'modal.next' || key === 'j') this.ui.setState({ modal: { ...modal, index: clampIndex(modal.index + 1, modal.targets.length) } });
      else if (id === 'modal.prev' || key === 'k') this.ui.setState({ modal: { ...modal, index: clampIndex(modal.index - 1, modal.targets.length) } });
      else if (/^[1-9]$/.test(key) && Number(key) <= modal.targets.length) this.slingTo(modal.bead, modal.targets[Number(key) - 1]!.target);
      else if (id === 'modal.confirm') this.slingTo(modal.bead, modal.targets[modal.index]!.target);
      return;
    }
    if (modal.kind === 'confirm') {
      if (id === 'modal.confirm') {
        this.ui.setState({ modal: undefined });
        void this.gt(modal.argv, modal.done);
      }
      return;
    }
    // a mail message: the mail list's own keys work on it
    const mailId = resolveKey(this.deps.keymap, key, ['mail']);
    if (mailId === 'mail.reply') this.dispatch('mail.reply');
    else if (mailId === 'mail.archive') {
      this.ui.setState({ modal: undefined });
      this.dispatch('mail.archive');
    }
  }

  private formKey(modal: Extract<Modal, { kind: 'form' }>, key: string, id: string | undefined): void {
    const fields = modal.fields.map((f) => ({ ...f }));
    const f = fields[modal.index]!;
    const set = (patch: Partial<typeof modal>) => this.ui.setState({ modal: { ...modal, fields, ...patch } });
    if (key === 'ctrl+s' || (id === 'modal.confirm' && modal.index === fields.length - 1)) return this.submitForm({ ...modal, fields });
    if (id === 'modal.confirm' || id === 'modal.next') return set({ index: (modal.index + 1) % fields.length });
    if (id === 'modal.prev') return set({ index: (modal.index - 1 + fields.length) % fields.length });
    if (f.choices) {
      const at = f.choices.indexOf(f.value);
      if (key === 'left' || key === 'right' || key === 'space') {
        f.value = f.choices[(at + (key === 'left' ? -1 : 1) + f.choices.length) % f.choices.length]!;
        return set({});
      }
      return;
    }
    if (key === 'backspace') f.value = [...f.value].slice(0, -1).join('');
    else if (key === 'space') f.value += ' ';
    else if ([...key].length === 1) f.value += key;
    else return;
    set({});
  }

  private form(purpose: Extract<Modal, { kind: 'form' }>['purpose'], title: string, fields: Field[], context?: string): void {
    this.ui.setState({ modal: { kind: 'form', purpose, title, fields, index: 0, ...(context ? { context } : {}) } });
  }

  private submitForm(modal: Extract<Modal, { kind: 'form' }>): void {
    const v = (label: string) => modal.fields.find((f) => f.label === label)?.value.trim() ?? '';
    const missing = modal.fields.find((f) => !f.choices && f.label !== 'Body' && !f.value.trim());
    if (missing) {
      this.toast(`${missing.label} is empty: type it, or Esc to cancel`, 'error');
      this.ui.setState({ modal: { ...modal, index: modal.fields.indexOf(missing) } });
      return;
    }
    this.ui.setState({ modal: undefined });
    const c = modal.context ?? '';
    if (modal.purpose === 'bead') {
      void this.gt(['bd', 'create', v('Title'), '--rig', v('Rig'), '-p', v('Priority'), '-t', v('Type'), '--silent'], `created "${v('Title')}" in ${v('Rig')}`);
    } else if (modal.purpose === 'mail') {
      void this.gt(['mail', 'send', v('To'), '-s', v('Subject'), '-m', v('Body'), '--from', 'overseer'], `mail sent to ${v('To')}`);
    } else if (modal.purpose === 'reply') {
      void this.gt(['mail', 'reply', c, '-m', v('Body'), '--from', 'overseer'], `replied to ${c}`);
    } else if (modal.purpose === 'nudge') {
      void this.gt(['nudge', c, v('Text'), '--no-wait'], `nudge queued for ${c}`);
    } else if (modal.purpose === 'close') {
      void this.gt(['escalate', 'close', c, '-r', v('Reason')], `closed ${c}`);
    }
  }

  private slingTo(bead: string, target: string): void {
    this.ui.setState({ modal: undefined });
    void this.gt(['sling', bead, target], `slung ${bead} to ${target}`).then((r) => {
      if (r.code === 0) this.ui.setState((s) => ({ selected: { ...s.selected, ready: 0 } }));
    });
  }

  // ---- the handlers -----------------------------------------------------------------------

  private makeHandlers(): Record<string, Handler> {
    const h: Record<string, Handler> = {};
    const noRigs = () => (this.t.view.rigs.length ? undefined : 'the town has no rigs yet: gt rig add <name> <git-url>');
    const needBead = () => (this.readyBead() ? undefined : 'select a bead in Ready (2) first');
    const needAgent = () => (this.agent() ? undefined : 'select an agent in the tree (1) or the panes (3) first');
    const needRunning = () => {
      const a = this.agent();
      if (!a) return needAgent();
      const s = this.t.sessions[a.address];
      if (!s || s.exit) return `${a.address} has no running session${s?.exit ? ` (${s.exit.reason})` : ''}`;
      if (this.t.daemon.state !== 'up') return 'the daemon is unreachable';
      return undefined;
    };

    h['app.help'] = { run: () => this.ui.setState((s) => ({ help: !s.help })) };
    h['app.quit'] = { run: () => this.deps.quit() };
    h['app.mayor'] = {
      run: async () => {
        const mayor = this.t.view.townAgents.find((a) => a.role === 'mayor' || a.address === 'mayor');
        const s = mayor ? this.t.sessions[mayor.address] : undefined;
        if (!mayor || !s || s.exit) {
          const r = await this.gt(['mayor', 'start'], 'the Mayor is starting');
          if (r.code !== 0) return;
        }
        this.ui.setState({ agent: 'mayor', focus: 'panes', zoom: true });
      },
    };
    h['focus.next'] = { run: () => this.focus(AREAS[(AREAS.indexOf(this.u.focus) + 1) % AREAS.length]!) };
    h['focus.prev'] = { run: () => this.focus(AREAS[(AREAS.indexOf(this.u.focus) - 1 + AREAS.length) % AREAS.length]!) };
    for (let n = 1; n <= 9; n++) {
      h[`focus.${n}`] = {
        run: () => this.focus(AREAS[n - 1]!),
        disabled: () => (n <= AREAS.length ? undefined : `there are ${AREAS.length} areas: 1 town, 2 ready, 3 panes, 4 mail, 5 escalations, 6 queue`),
      };
      h[`sling.toRig${n}`] = {
        run: () => {
          const bead = this.readyBead()!;
          this.slingTo(bead.id, this.t.view.rigs[n - 1]!.name);
        },
        disabled: () => needBead() ?? (this.t.view.rigs[n - 1] ? undefined : `there is no rig ${n} (rigs: ${this.t.view.rigs.map((r, i) => `${i + 1} ${r.name}`).join(', ') || 'none'})`),
      };
    }
    h['list.down'] = { run: () => this.move(1) };
    h['list.up'] = { run: () => this.move(-1) };
    h['list.top'] = { run: () => this.move('top') };
    h['list.bottom'] = { run: () => this.move('bottom') };
    h['list.filter'] = {
      run: () => this.ui.setState({ filter: { area: this.u.focus, text: '', editing: true } }),
      disabled: () => (this.u.focus === 'panes' ? 'panes have no filter: filter the town tree (1) instead' : undefined),
    };
    h['tab.next'] = { run: () => this.focus(TABS[(TABS.indexOf(this.u.tab) + 1) % TABS.length]!) };
    h['tab.prev'] = { run: () => this.focus(TABS[(TABS.indexOf(this.u.tab) - 1 + TABS.length) % TABS.length]!) };
    h['pane.enter'] = {
      run: () => {
        const a = this.agent()!;
        this.ui.setState({ entered: a.address });
        this.toast(`typing to ${a.address}; ${displayKey(this.deps.leaveChord)} leaves`);
      },
      disabled: needRunning,
    };
    h['pane.zoom'] = { run: () => this.ui.setState((s) => ({ zoom: !s.zoom })), disabled: needAgent };
    h['pane.grid'] = {
      run: () => {
        const i = GRID_SIZES.indexOf(this.u.gridSize as (typeof GRID_SIZES)[number]);
        const next = GRID_SIZES[(i + 1) % GRID_SIZES.length]!;
        this.ui.setState({ gridSize: next, zoom: false });
        this.toast(`grid of ${next} pane${next === 1 ? '' : 's'}`);
      },
    };
    h['agent.show'] = {
      run: () => {
        const items = treeItems(this.t.view, filterFor(this.u, 'tree'));
        const it = items[selectable(items)[this.u.selected.tree] ?? -1];
        if (it?.kind === 'agent') this.ui.setState({ agent: it.agent.address, focus: 'panes' });
        else if (it?.kind === 'convoy') this.toast(`${it.convoy.id}: ${it.convoy.done}/${it.convoy.total} merged${it.convoy.landed ? ', landed' : ''} (gt convoy status ${it.convoy.id})`);
      },
      disabled: () => (selectable(treeItems(this.t.view, filterFor(this.u, 'tree'))).length ? undefined : 'the tree is empty'),
    };
    h['bead.new'] = {
      run: () => {
        const rigs = this.t.view.rigs.map((r) => r.name);
        this.form('bead', 'New bead', [
          { label: 'Title', value: '' },
          { label: 'Rig', value: rigs[0]!, choices: rigs },
          { label: 'Priority', value: 'P2', choices: ['P0', 'P1', 'P2', 'P3', 'P4'] },
          { label: 'Type', value: 'task', choices: ['task', 'bug', 'feature', 'chore', 'epic'] },
        ]);
      },
      disabled: noRigs,
    };
    h['bead.sling'] = {
      run: () => {
        const bead = this.readyBead()!;
        const rig = this.rigOfBead(bead.id);
        const targets = [
          ...this.t.view.rigs.map((r) => ({ label: `rig ${r.name} (an idle or new polecat)`, target: r.name })),
          ...this.t.view.rigs.flatMap((r) => r.agents.filter((a) => a.role === 'polecat' && !a.hook_bead).map((a) => ({ label: `polecat ${a.address} (idle)`, target: a.address }))),
          ...this.t.view.rigs.flatMap((r) => r.agents.filter((a) => a.role === 'crew').map((a) => ({ label: `crew ${a.address}`, target: a.address }))),
          { label: 'the Mayor', target: 'mayor' },
        ];
        const first = Math.max(0, targets.findIndex((x) => x.target === rig));
        this.ui.setState({ modal: { kind: 'sling', bead: bead.id, title: bead.title, targets, index: first } });
      },
      disabled: () => noRigs() ?? needBead(),
    };
    h['bead.slingTop'] = {
      run: () => {
        const top = this.t.view.ready[0]!;
        const rig = this.rigOfBead(top.id) ?? this.t.view.rigs[0]!.name;
        const idle = this.idlePolecat(rig);
        this.slingTo(top.id, idle ? idle.address : rig);
      },
      disabled: () => noRigs() ?? (this.t.view.ready.length ? undefined : 'nothing is ready to sling'),
    };
    h['mail.compose'] = {
      run: () => this.form('mail', 'New mail', [{ label: 'To', value: 'mayor' }, { label: 'Subject', value: '' }, { label: 'Body', value: '' }]),
    };
    const needMail = () => (this.mailEntry() ? undefined : 'select a message in Mail (4) first');
    h['mail.read'] = {
      run: async () => {
        const m = this.mailEntry()!;
        this.ui.setState({ modal: { kind: 'mail', id: m.message.id } });
        if (!m.delivery.read_at) {
          await this.deps.run(['mail', 'read', m.message.id]);
          this.deps.changed();
        }
      },
      disabled: needMail,
    };
    h['mail.reply'] = {
      run: () => {
        const m = this.mailEntry()!;
        this.form('reply', `Reply to ${m.message.from}: Re: ${m.message.subject}`, [{ label: 'Body', value: '' }], m.message.id);
      },
      disabled: needMail,
    };
    h['mail.archive'] = {
      run: () => { void this.gt(['mail', 'archive', this.mailEntry()!.message.id], 'archived'); },
      disabled: needMail,
    };
    const needEsc = () => (this.escalation() ? undefined : 'select an escalation in Escalations (5) first');
    h['escalation.ack'] = {
      run: () => { const e = this.escalation()!; void this.gt(['escalate', 'ack', e.id], `acknowledged ${e.id}`); },
      disabled: () => needEsc() ?? (this.escalation()!.state === 'acked' ? `already acknowledged by ${this.escalation()!.acked_by ?? 'someone'}` : undefined),
    };
    h['escalation.close'] = {
      run: () => { const e = this.escalation()!; this.form('close', `Close ${e.id}: ${e.summary}`, [{ label: 'Reason', value: 'resolved' }], e.id); },
      disabled: needEsc,
    };
    h['escalation.jump'] = {
      run: () => { const e = this.escalation()!; this.ui.setState({ agent: e.source, focus: 'panes' }); },
      disabled: () => needEsc() ?? (agentsInOrder(this.t.view).some((a) => a.address === this.escalation()!.source) ? undefined : `${this.escalation()!.source} is not an agent with a pane`),
    };
    h['agent.nudge'] = {
      run: () => { const a = this.agent()!; this.form('nudge', `Nudge ${a.address}`, [{ label: 'Text', value: 'continue' }], a.address); },
      disabled: needRunning,
    };
    h['agent.handoff'] = {
      run: () => {
        const a = this.agent()!;
        this.ui.setState({ modal: { kind: 'confirm', title: `Handoff ${a.address}`, text: `Restart ${a.address} in a fresh session on the same hook${a.hook_bead ? ` (${a.hook_bead})` : ''}?`, argv: ['handoff', '--agent', a.address, '-m', 'handoff asked from the TUI'], done: `${a.address} handed off` } });
      },
      disabled: needRunning,
    };
    h['agent.nuke'] = {
      run: () => {
        const a = this.agent()!;
        this.ui.setState({ modal: { kind: 'confirm', title: `Nuke ${a.address}`, text: `Stop ${a.address} and remove its sandbox?\nIts hook goes back to ready; uncommitted and unmerged work is kept on keep/polecat/${a.name}/….`, argv: ['polecat', 'nuke', a.address, '--force'], done: `${a.address} nuked` } });
      },
      disabled: () => needAgent() ?? (this.agent()!.role === 'polecat' ? undefined : `${this.agent()!.address} is not a polecat (only polecats are nuked)`),
    };
    return h;
  }
}
