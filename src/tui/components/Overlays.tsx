/**
 * Things drawn over everything (the compositor hides live panes under them): the `?` help
 * overlay generated from the command table, and the modal dialogs (sling picker, forms,
 * confirmations, a mail message).
 */
import { Text } from 'ink';
import type { Rect } from '../layout.js';
import type { Modal } from '../state/stores.js';
import { fit, inert, pad } from '../text.js';
import { At } from './At.js';
import { useKeys, useTheme, useTown } from './context.js';
import { Frame } from './Frame.js';

function Lines({ lines, width }: { lines: Array<{ text: string; color?: string | undefined; bold?: boolean; inverse?: boolean }>; width: number }) {
  return <>{lines.map((l, i) => <Text key={i} color={l.color} bold={l.bold} inverse={l.inverse} wrap="truncate">{pad(l.text, width)}</Text>)}</>;
}

/** The `?` screen: every command by category with its keys (it takes the whole body, so nothing under it needs covering). */
export function HelpOverlay({ rect }: { rect: Rect }) {
  const t = useTheme();
  const keys = useKeys();
  const w = rect.w - 2;
  const rows = keys.help();
  const lines: Array<{ text: string; color?: string | undefined; bold?: boolean }> = [];
  let category = '';
  for (const r of rows) {
    if (r.category !== category) {
      category = r.category;
      lines.push({ text: category, color: t.colors.accent, bold: true });
    }
    lines.push({ text: `  ${pad(r.keys, 16)} ${pad(r.label, 18)} ${r.description}` });
  }
  lines.push({ text: '' }, { text: `In an entered pane every key goes to the agent; ${keys.leave} leaves. Quitting leaves every agent running.`, color: t.colors.muted });
  const h = rect.h - 2;
  // two columns when it does not fit in one
  const cols = lines.length > h && w >= 120 ? Math.min(3, Math.ceil(lines.length / Math.max(1, h))) : 1;
  const colW = Math.floor(w / cols);
  const grid = Array.from({ length: h }, (_, y) => Array.from({ length: cols }, (_, c) => lines[c * h + y] ?? { text: '' }));
  return (
    <At rect={rect}>
      <Frame rect={rect} title="Gas Town keys · ? or Esc closes" focused>
        {grid.map((parts, i) => (
          <Text key={i} wrap="truncate">
            {parts.map((l, c) => <Text key={c} color={l.color} bold={l.bold}>{c === cols - 1 ? fit(l.text, w - colW * (cols - 1)) : pad(l.text, colW)}</Text>)}
          </Text>
        ))}
      </Frame>
    </At>
  );
}

/** A modal dialog. */
export function ModalView({ modal, rect }: { modal: Modal; rect: Rect }) {
  const t = useTheme();
  const keys = useKeys();
  const view = useTown((s) => s.view);
  const w = rect.w - 2;
  let title = '';
  let lines: Array<{ text: string; color?: string | undefined; bold?: boolean; inverse?: boolean }> = [];
  if (modal.kind === 'sling') {
    title = `Sling ${inert(modal.bead)}`;
    lines = [{ text: inert(modal.title), bold: true }, { text: 'to:', color: t.colors.muted },
      ...modal.targets.map((x, i) => ({ text: `${i === modal.index ? '▸' : ' '} ${inert(x.label)}`, inverse: i === modal.index, bold: i === modal.index })),
      { text: '' }, { text: 'j/k choose · Enter slings · Esc cancels', color: t.colors.muted }];
  } else if (modal.kind === 'form') {
    title = modal.title;
    lines = modal.fields.flatMap((f, i) => {
      const cur = i === modal.index;
      const value = f.choices ? `‹ ${inert(f.value)} ›` : `${inert(f.value)}${cur ? '▏' : ''}`;
      return [{ text: `${cur ? '▸' : ' '} ${pad(f.label, 10)} ${fit(value, Math.max(1, w - 13))}`, bold: cur, ...(cur ? { color: t.colors.focus } : {}) }];
    });
    if (modal.context) lines.unshift({ text: inert(modal.context), color: t.colors.muted });
    lines.push({ text: '' }, { text: 'Tab/↓ next · ←/→ change a choice · Enter on the last field or Ctrl-S submits · Esc cancels', color: t.colors.muted });
  } else if (modal.kind === 'confirm') {
    title = modal.title;
    lines = [...modal.text.split('\n').map((l) => ({ text: inert(l) })), { text: '' }, { text: 'Enter confirms · Esc cancels', color: t.colors.error, bold: true }];
  } else {
    const m = view.mail.find((x) => x.message.id === modal.id);
    title = m ? `Mail ${inert(m.message.id)}` : 'Mail';
    if (!m) lines = [{ text: 'this message is gone (archived elsewhere?)', color: t.colors.muted }];
    else {
      lines = [
        { text: `From:    ${inert(m.message.from)}`, bold: true },
        { text: `Subject: ${inert(m.message.subject)}`, bold: true },
        { text: `Kind:    ${m.message.kind}${m.message.bead_id ? ` · bead ${inert(m.message.bead_id)}` : ''} · ${m.message.created_at}`, color: t.colors.muted },
        { text: '' },
        ...inert(m.message.body, { oneLine: false }).split('\n').flatMap((l) => wrap(l, w)).map((text) => ({ text })),
      ];
      lines = lines.slice(0, Math.max(1, rect.h - 4));
      lines.push({ text: '' }, { text: `${keys.keyOf('mail.reply')} reply · ${keys.keyOf('mail.archive')} archive · ${keys.keyOf('modal.cancel')} closes`, color: t.colors.muted });
    }
  }
  return (
    <At rect={rect}>
      <Frame rect={rect} title={title} focused>
        <Lines lines={[...lines, ...Array.from({ length: Math.max(0, rect.h - 2 - lines.length) }, () => ({ text: '' }))]} width={w} />
      </Frame>
    </At>
  );
}

/** Hard-wrap a line to `w` characters. */
function wrap(line: string, w: number): string[] {
  if (!line) return [''];
  const chars = [...line];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += w) out.push(chars.slice(i, i + w).join(''));
  return out;
}
