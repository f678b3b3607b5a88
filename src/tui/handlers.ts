/**
 * The handlers of the command table's ids (CONVENTIONS.md Keys): what each key does, and why it
 * cannot when it cannot (a disabled reason shown on the message line). Actions that change the
 * town run `gt` commands through the controller.
 */
import { agentsInOrder, filterFor, selectable, treeItems } from './state/selectors.js';
import { AREAS, TABS } from './state/stores.js';
import { displayKey } from './keys/help.js';
import { GRID_SIZES } from './layout.js';
import type { Controller, Handler } from './controller.js';

/** Every handler, by command id. */
export function makeHandlers(c: Controller): Record<string, Handler> {
  const h: Record<string, Handler> = {};
  const noRigs = () => (c.t.view.rigs.length ? undefined : 'the town has no rigs yet: gt rig add <name> <git-url>');
  const needBead = () => (c.readyBead() ? undefined : 'select a bead in Ready (2) first');
  const needAgent = () => (c.agent() ? undefined : 'select an agent in the tree (1) or the panes (3) first');
  const needRunning = () => {
    const a = c.agent();
    if (!a) return needAgent();
    const s = c.t.sessions[a.address];
    if (!s || s.exit) return `${a.address} has no running session${s?.exit ? ` (${s.exit.reason})` : ''}`;
    if (c.t.daemon.state !== 'up') return 'the daemon is unreachable';
    return undefined;
  };

  h['app.help'] = { run: () => c.ui.setState((s) => ({ help: !s.help })) };
  h['app.quit'] = { run: () => c.deps.quit() };
  h['app.mayor'] = {
    run: async () => {
      const mayor = c.t.view.townAgents.find((a) => a.role === 'mayor' || a.address === 'mayor');
      const s = mayor ? c.t.sessions[mayor.address] : undefined;
      if (!mayor || !s || s.exit) {
        const r = await c.gt(['mayor', 'start'], 'the Mayor is starting');
        if (r.code !== 0) return;
      }
      c.ui.setState({ agent: 'mayor', focus: 'panes', zoom: true });
    },
  };
  h['focus.next'] = { run: () => c.focus(AREAS[(AREAS.indexOf(c.u.focus) + 1) % AREAS.length]!) };
  h['focus.prev'] = { run: () => c.focus(AREAS[(AREAS.indexOf(c.u.focus) - 1 + AREAS.length) % AREAS.length]!) };
  for (let n = 1; n <= 9; n++) {
    h[`focus.${n}`] = {
      run: () => c.focus(AREAS[n - 1]!),
      disabled: () => (n <= AREAS.length ? undefined : `there are ${AREAS.length} areas: 1 town, 2 ready, 3 panes, 4 mail, 5 escalations, 6 queue`),
    };
    h[`sling.toRig${n}`] = {
      run: () => {
        const bead = c.readyBead()!;
        c.slingTo(bead.id, c.t.view.rigs[n - 1]!.name);
      },
      disabled: () => needBead() ?? (c.t.view.rigs[n - 1] ? undefined : `there is no rig ${n} (rigs: ${c.t.view.rigs.map((r, i) => `${i + 1} ${r.name}`).join(', ') || 'none'})`),
    };
  }
  h['list.down'] = { run: () => c.move(1) };
  h['list.up'] = { run: () => c.move(-1) };
  h['list.top'] = { run: () => c.move('top') };
  h['list.bottom'] = { run: () => c.move('bottom') };
  h['list.filter'] = {
    run: () => c.ui.setState({ filter: { area: c.u.focus, text: '', editing: true } }),
    disabled: () => (c.u.focus === 'panes' ? 'panes have no filter: filter the town tree (1) instead' : undefined),
  };
  h['tab.next'] = { run: () => c.focus(TABS[(TABS.indexOf(c.u.tab) + 1) % TABS.length]!) };
  h['tab.prev'] = { run: () => c.focus(TABS[(TABS.indexOf(c.u.tab) - 1 + TABS.length) % TABS.length]!) };
  h['pane.enter'] = {
    run: () => {
      const a = c.agent()!;
      c.ui.setState({ entered: a.address });
      c.toast(`typing to ${a.address}; ${displayKey(c.deps.leaveChord)} leaves`);
    },
    disabled: needRunning,
  };
  h['pane.zoom'] = { run: () => c.ui.setState((s) => ({ zoom: !s.zoom })), disabled: needAgent };
  h['pane.grid'] = {
    run: () => {
      const i = GRID_SIZES.indexOf(c.u.gridSize as (typeof GRID_SIZES)[number]);
      const next = GRID_SIZES[(i + 1) % GRID_SIZES.length]!;
      c.ui.setState({ gridSize: next, zoom: false });
      c.toast(`grid of ${next} pane${next === 1 ? '' : 's'}`);
    },
  };
  h['agent.show'] = {
    run: () => {
      const items = treeItems(c.t.view, filterFor(c.u, 'tree'));
      const it = items[selectable(items)[c.u.selected.tree] ?? -1];
      if (it?.kind === 'agent') c.ui.setState({ agent: it.agent.address, focus: 'panes' });
      else if (it?.kind === 'convoy') c.toast(`${it.convoy.id}: ${it.convoy.done}/${it.convoy.total} merged${it.convoy.landed ? ', landed' : ''} (gt convoy status ${it.convoy.id})`);
    },
    disabled: () => (selectable(treeItems(c.t.view, filterFor(c.u, 'tree'))).length ? undefined : 'the tree is empty'),
  };
  h['bead.new'] = {
    run: () => {
      const rigs = c.t.view.rigs.map((r) => r.name);
      c.form('bead', 'New bead', [
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
      const bead = c.readyBead()!;
      const rig = c.rigOfBead(bead.id);
      const targets = [
        ...c.t.view.rigs.map((r) => ({ label: `rig ${r.name} (an idle or new polecat)`, target: r.name })),
        ...c.t.view.rigs.flatMap((r) => r.agents.filter((a) => a.role === 'polecat' && !a.hook_bead).map((a) => ({ label: `polecat ${a.address} (idle)`, target: a.address }))),
        ...c.t.view.rigs.flatMap((r) => r.agents.filter((a) => a.role === 'crew').map((a) => ({ label: `crew ${a.address}`, target: a.address }))),
        { label: 'the Mayor', target: 'mayor' },
      ];
      const first = Math.max(0, targets.findIndex((x) => x.target === rig));
      c.ui.setState({ modal: { kind: 'sling', bead: bead.id, title: bead.title, targets, index: first } });
    },
    disabled: () => noRigs() ?? needBead(),
  };
  h['bead.slingTop'] = {
    run: () => {
      const top = c.t.view.ready[0]!;
      const rig = c.rigOfBead(top.id) ?? c.t.view.rigs[0]!.name;
      const idle = c.idlePolecat(rig);
      c.slingTo(top.id, idle ? idle.address : rig);
    },
    disabled: () => noRigs() ?? (c.t.view.ready.length ? undefined : 'nothing is ready to sling'),
  };
  h['mail.compose'] = {
    run: () => c.form('mail', 'New mail', [{ label: 'To', value: 'mayor' }, { label: 'Subject', value: '' }, { label: 'Body', value: '' }]),
  };
  const needMail = () => (c.mailEntry() ? undefined : 'select a message in Mail (4) first');
  h['mail.read'] = {
    run: async () => {
      const m = c.mailEntry()!;
      c.ui.setState({ modal: { kind: 'mail', id: m.message.id } });
      if (!m.delivery.read_at) {
        await c.deps.run(['mail', 'read', m.message.id]);
        c.deps.changed();
      }
    },
    disabled: needMail,
  };
  h['mail.reply'] = {
    run: () => {
      const m = c.mailEntry()!;
      c.form('reply', `Reply to ${m.message.from}: Re: ${m.message.subject}`, [{ label: 'Body', value: '' }], m.message.id);
    },
    disabled: needMail,
  };
  h['mail.archive'] = {
    run: () => { void c.gt(['mail', 'archive', c.mailEntry()!.message.id], 'archived'); },
    disabled: needMail,
  };
  const needEsc = () => (c.escalation() ? undefined : 'select an escalation in Escalations (5) first');
  h['escalation.ack'] = {
    run: () => { const e = c.escalation()!; void c.gt(['escalate', 'ack', e.id], `acknowledged ${e.id}`); },
    disabled: () => needEsc() ?? (c.escalation()!.state === 'acked' ? `already acknowledged by ${c.escalation()!.acked_by ?? 'someone'}` : undefined),
  };
  h['escalation.close'] = {
    run: () => { const e = c.escalation()!; c.form('close', `Close ${e.id}: ${e.summary}`, [{ label: 'Reason', value: 'resolved' }], e.id); },
    disabled: needEsc,
  };
  h['escalation.jump'] = {
    run: () => { const e = c.escalation()!; c.ui.setState({ agent: e.source, focus: 'panes' }); },
    disabled: () => needEsc() ?? (agentsInOrder(c.t.view).some((a) => a.address === c.escalation()!.source) ? undefined : `${c.escalation()!.source} is not an agent with a pane`),
  };
  h['agent.nudge'] = {
    run: () => { const a = c.agent()!; c.form('nudge', `Nudge ${a.address}`, [{ label: 'Text', value: 'continue' }], a.address); },
    disabled: needRunning,
  };
  h['agent.handoff'] = {
    run: () => {
      const a = c.agent()!;
      c.ui.setState({ modal: { kind: 'confirm', title: `Handoff ${a.address}`, text: `Restart ${a.address} in a fresh session on the same hook${a.hook_bead ? ` (${a.hook_bead})` : ''}?`, argv: ['handoff', '--agent', a.address, '-m', 'handoff asked from the TUI'], done: `${a.address} handed off` } });
    },
    disabled: needRunning,
  };
  h['agent.nuke'] = {
    run: () => {
      const a = c.agent()!;
      c.ui.setState({ modal: { kind: 'confirm', title: `Nuke ${a.address}`, text: `Stop ${a.address} and remove its sandbox?\nIts hook goes back to ready; uncommitted and unmerged work is kept on keep/polecat/${a.name}/….`, argv: ['polecat', 'nuke', a.address, '--force'], done: `${a.address} nuked` } });
    },
    disabled: () => needAgent() ?? (c.agent()!.role === 'polecat' ? undefined : `${c.agent()!.address} is not a polecat (only polecats are nuked)`),
  };
  return h;
}
