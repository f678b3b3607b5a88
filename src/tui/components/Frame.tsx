/**
 * A bordered area with its title in the top border (`╭─ 1 Town ───╮`), drawn as plain rows so
 * its size in cells is exact (the compositor places pane content by the same numbers).
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { Rect } from '../layout.js';
import { fit } from '../text.js';
import { useTheme } from './context.js';

/** Props of {@link Frame}. */
export interface FrameProps {
  rect: Rect;
  /** Title in the top border (already inert). */
  title: string;
  /** Extra text at the right end of the top border. */
  right?: string;
  focused?: boolean;
  /** Border colour key override (e.g. an entered pane). */
  accent?: boolean;
  children?: ReactNode;
}

/** See the module comment. */
export function Frame({ rect, title, right, focused, accent, children }: FrameProps) {
  const t = useTheme();
  const color = accent ? t.colors.waiting : focused ? t.colors.focus : t.colors.border;
  const innerW = Math.max(0, rect.w - 2);
  const label = fit(` ${title} `, Math.max(0, innerW - 2));
  const rightLabel = right ? fit(` ${right} `, Math.max(0, innerW - 2 - [...label].length - 1)) : '';
  const fill = Math.max(0, innerW - 1 - [...label].length - [...rightLabel].length);
  const side = Array.from({ length: Math.max(0, rect.h - 2) }, () => '│').join('\n');
  return (
    <Box flexDirection="column" width={rect.w} height={rect.h} flexShrink={0}>
      <Text color={color} bold={focused}>{`╭─`}<Text color={focused ? t.colors.focus : t.colors.accent} bold inverse={focused && !t.color}>{label}</Text>{'─'.repeat(fill)}{rightLabel ? <Text color={t.colors.muted}>{rightLabel}</Text> : null}{'╮'}</Text>
      <Box flexDirection="row" height={Math.max(0, rect.h - 2)}>
        <Text color={color}>{side}</Text>
        <Box flexDirection="column" width={innerW} height={Math.max(0, rect.h - 2)} overflow="hidden">{children}</Box>
        <Text color={color}>{side}</Text>
      </Box>
      <Text color={color}>{`╰${'─'.repeat(innerW)}╯`}</Text>
    </Box>
  );
}
