/**
 * One list row of at most a width: coloured segments, cut with `…` when too long; when selected,
 * padded to the width and drawn inverted (or in the theme's selection colours).
 */
import { Text } from 'ink';
import { fit } from '../text.js';
import { useTheme } from './context.js';

/** A piece of a row: text (already inert) and an optional colour. */
export interface Segment {
  text: string;
  color?: string | undefined;
  bold?: boolean;
}

/** See the module comment. */
export function Row({ segments, width, selected }: { segments: Segment[]; width: number; selected?: boolean }) {
  const t = useTheme();
  let left = width;
  const parts: Segment[] = [];
  for (const s of segments) {
    if (left <= 0) break;
    const text = fit(s.text, left);
    parts.push({ ...s, text });
    left -= [...text].length;
  }
  // Only a selected row needs its blanks (the highlight spans the width); other rows leave them
  // out, which is most of the characters Ink would measure and tokenize every frame.
  if (selected && left > 0) parts.push({ text: ' '.repeat(left) });
  if (selected) {
    return (
      <Text wrap="truncate" color={t.colors.selection} backgroundColor={t.colors.selectionBg} inverse={!t.color} bold>
        {parts.map((p) => p.text).join('')}
      </Text>
    );
  }
  return (
    <Text wrap="truncate">
      {parts.map((p, i) => <Text key={i} color={p.color} bold={p.bold}>{p.text}</Text>)}
    </Text>
  );
}

/** The window of rows to show so `selected` stays visible: [start, end). */
export function scrollWindow(selected: number, count: number, height: number): [number, number] {
  if (count <= height) return [0, count];
  const start = Math.min(Math.max(0, selected - Math.floor(height / 2)), count - height);
  return [start, start + height];
}
