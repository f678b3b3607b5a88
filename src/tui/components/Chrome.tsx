/**
 * The thin rows: the daemon banner, the message line (toasts, errors, disabled reasons) and the
 * key hint bar (generated from the command table for the current scope).
 */
import { Text } from 'ink';
import { memo } from 'react';
import { sameByValue } from './At.js';
import { inert, pad } from '../text.js';
import { TOAST_MS } from '../state/stores.js';
import { useKeys, useTheme, useTown, useUi } from './context.js';

/** The banner while the daemon is unreachable: the reason and when it tries again. */
export function Banner({ width }: { width: number }) {
  const t = useTheme();
  const daemon = useTown((s) => s.daemon);
  const readError = useTown((s) => s.readError);
  const now = useUi((s) => s.now);
  let text = '';
  if (daemon.state === 'down') {
    const secs = daemon.retryAt ? Math.max(0, Math.ceil((daemon.retryAt - now) / 1000)) : 0;
    text = ` ✕ daemon unreachable: ${inert(daemon.reason ?? 'no answer')} · retrying${secs ? ` in ${secs}s` : ''} · agents keep running if it is alive; see gt daemon logs`;
  } else if (daemon.state === 'connecting') text = ' ⟳ connecting to the town daemon…';
  else if (readError) text = ` ✕ could not read town.db: ${inert(readError)}`;
  return <Text color={t.colors.banner} backgroundColor={t.colors.bannerBg} inverse={!t.color} bold wrap="truncate">{pad(text, width)}</Text>;
}

/** The message line: the newest toast still fresh. */
export function MessageLine({ width }: { width: number }) {
  const t = useTheme();
  const toasts = useUi((s) => s.toasts);
  const now = useUi((s) => s.now);
  const filter = useUi((s) => s.filter);
  if (filter.editing) {
    return <Text wrap="truncate"><Text color={t.colors.key} bold>/</Text>{pad(`${inert(filter.text)}▏  Enter keeps · Esc clears`, width - 1)}</Text>;
  }
  const last = [...toasts].reverse().find((x) => now - x.at < TOAST_MS);
  if (!last) return <Text>{pad('', width)}</Text>;
  const color = last.kind === 'error' ? t.colors.error : last.kind === 'ok' ? t.colors.ok : t.colors.accent;
  const mark = last.kind === 'error' ? '✕ ' : last.kind === 'ok' ? '✓ ' : '• ';
  return <Text color={color} bold={last.kind === 'error'} wrap="truncate">{pad(mark + inert(last.text), width)}</Text>;
}

/** The key hint bar. */
export const HintBar = memo(function HintBar({ width, scopes }: { width: number; scopes: string[] }) {
  const t = useTheme();
  const keys = useKeys();
  const items = scopes[0] === 'entered' ? [{ keys: keys.leave, label: 'leave the pane (every other key goes to the agent)' }] : keys.hints(scopes);
  let used = 0;
  const parts: Array<{ keys: string; label: string }> = [];
  for (const h of items) {
    const n = h.keys.length + h.label.length + 3;
    if (used + n > width) break;
    parts.push(h);
    used += n;
  }
  return (
    <Text wrap="truncate">
      {parts.map((h, i) => <Text key={i}><Text color={t.colors.key} bold>{` ${h.keys}`}</Text><Text color={t.colors.muted}>{` ${h.label} `}</Text></Text>)}
      {pad('', width - used)}
    </Text>
  );
}, sameByValue);
