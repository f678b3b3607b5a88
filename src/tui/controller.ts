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
import { decodeKeys, LeaveChordMatcher } from './keys/input.js';
import { resolveKey, type Keymap } from './keys/keymap.js';
import { scopesOf } from './plan.js';
import { pushToast, TABS, type Area, type Field, type Modal, type Stores, type TownState, type UiState } from './state/stores.js';
import { agentsInOrder, clampIndex, escalationItems, filterFor, mailItems, queueItems, readyItems, selectable, treeItems } from './state/selectors.js';
import { formCommand, formKey, type FormModal } from './form.js';
import { makeHandlers } from './handlers.js';

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
export interface Handler {
  run: () => void | Promise<void>;
  /** Why it cannot run now, or undefined when it can. */
  disabled?: () => string | undefined;
}

/** The first line of a command's error output, without the `error: ` prefix. */
export function errorLine(r: CommandResult): string {
  const line = (r.err || r.out).split('\n').find((l) => l.trim()) ?? `failed with exit code ${r.code}`;
  return line.replace(/^error:\s*/, '');
}

/** See the module comment. */
export class Controller {
  /** The town store. */
  readonly town: StoreApi<TownState>;
  /** The UI store. */
  readonly ui: StoreApi<UiState>;
  private readonly matcher: LeaveChordMatcher;
  private readonly handlers: Record<string, Handler>;

  constructor(readonly deps: ControllerDeps) {
    this.town = deps.stores.town;
    this.ui = deps.stores.ui;
    this.matcher = new LeaveChordMatcher(deps.leaveChord);
    this.handlers = makeHandlers(this);
  }

  /** The UI store's state now. */
  get u(): UiState {
    return this.ui.getState();
  }

  /** The town store's state now. */
  get t(): TownState {
    return this.town.getState();
  }

  /** @internal for the handlers (handlers.ts). */
  toast(text: string, kind: 'info' | 'ok' | 'error' = 'info'): void {
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
  /** @internal for the handlers (handlers.ts). */
  async gt(argv: string[], done: string): Promise<CommandResult> {
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

  /** @internal for the handlers (handlers.ts). */
  move(delta: number | 'top' | 'bottom'): void {
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

  /** @internal for the handlers (handlers.ts). */
  select(area: Exclude<Area, 'panes'>, index: number): void {
    this.ui.setState((s) => ({ selected: { ...s.selected, [area]: index } }));
    if (area === 'tree') {
      const items = treeItems(this.t.view, filterFor(this.u, 'tree'));
      const it = items[selectable(items)[index] ?? -1];
      if (it?.kind === 'agent') this.ui.setState({ agent: it.agent.address });
    }
  }

  /** @internal for the handlers (handlers.ts). */
  focus(area: Area): void {
    this.ui.setState((s) => ({ focus: area, ...(TABS.includes(area as never) ? { tab: area as UiState['tab'] } : {}), filter: s.filter.area === area ? s.filter : { ...s.filter, editing: false } }));
  }

  /** The selected ready bead, if the ready list has one. */
  /** @internal for the handlers (handlers.ts). */
  readyBead(): { id: string; title: string } | undefined {
    return readyItems(this.t.view, filterFor(this.u, 'ready'))[this.u.selected.ready];
  }

  /** The agent the agent commands act on: the selected one. */
  /** @internal for the handlers (handlers.ts). */
  agent() {
    const all = agentsInOrder(this.t.view);
    return all.find((a) => a.address === this.u.agent);
  }

  /** @internal for the handlers (handlers.ts). */
  mailEntry() {
    const m = this.u.modal;
    if (m?.kind === 'mail') return this.t.view.mail.find((x) => x.message.id === m.id);
    return mailItems(this.t.view, filterFor(this.u, 'mail'))[this.u.selected.mail];
  }

  /** @internal for the handlers (handlers.ts). */
  escalation() {
    return escalationItems(this.t.view, filterFor(this.u, 'escalations'))[this.u.selected.escalations];
  }

  /** @internal for the handlers (handlers.ts). */
  rigOfBead(id: string): string | undefined {
    const rigs = this.t.view.rigs.filter((r) => id.startsWith(`${r.prefix}-`)).sort((a, b) => b.prefix.length - a.prefix.length);
    return rigs[0]?.name;
  }

  /** @internal for the handlers (handlers.ts). */
  idlePolecat(rig: string | undefined) {
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

  private formKey(modal: FormModal, key: string, id: string | undefined): void {
    const step = formKey(modal, key, id);
    if (step.kind === 'edit') this.ui.setState({ modal: step.modal });
    else if (step.kind === 'submit') this.submitForm(step.modal);
  }

  /** @internal for the handlers (handlers.ts). */
  form(purpose: FormModal['purpose'], title: string, fields: Field[], context?: string): void {
    this.ui.setState({ modal: { kind: 'form', purpose, title, fields, index: 0, ...(context ? { context } : {}) } });
  }

  private submitForm(modal: FormModal): void {
    const cmd = formCommand(modal);
    if ('missing' in cmd) {
      this.toast(`${cmd.missing} is empty: type it, or Esc to cancel`, 'error');
      this.ui.setState({ modal: { ...modal, index: cmd.index } });
      return;
    }
    this.ui.setState({ modal: undefined });
    void this.gt(cmd.argv, cmd.done);
  }

  /** @internal for the handlers (handlers.ts). */
  slingTo(bead: string, target: string): void {
    this.ui.setState({ modal: undefined });
    void this.gt(['sling', bead, target], `slung ${bead} to ${target}`).then((r) => {
      if (r.code === 0) this.ui.setState((s) => ({ selected: { ...s.selected, ready: 0 } }));
    });
  }
}
