/**
 * One list row of an exact width: coloured segments, cut with `…` when too long, padded with
 * spaces, drawn inverted (or in the theme's selection colours) when selected.
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
  if (left > 0) parts.push({ text: ' '.repeat(left) });
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
