/**
 * Place children at a screen rectangle (absolute, from the root's top-left), so the Ink tree
 * uses exactly the numbers of layout.ts.
 */
import { Box } from 'ink';
import type { ReactNode } from 'react';
import type { Rect } from '../layout.js';

/** See the module comment. */
export function At({ rect, children }: { rect: Rect; children?: ReactNode }) {
  return (
    <Box position="absolute" marginLeft={rect.x} marginTop={rect.y} width={rect.w} height={rect.h} flexDirection="column" overflow="hidden">
      {children}
    </Box>
  );
}

/**
 * Props equal by value (rects, arrays of rows, sets): lets a memoized area skip re-rendering
 * when the app re-renders for something that does not concern it (a keypress that opens the
 * help overlay must not rebuild the tree, the grid and the tabs).
 */
export function sameByValue<P extends object>(a: Readonly<P>, b: Readonly<P>): boolean {
  const keys = Object.keys(a) as Array<keyof P>;
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => {
    const x = a[k];
    const y = b[k];
    if (x === y) return true;
    if (x instanceof Set && y instanceof Set) return x.size === y.size && [...x].every((v) => y.has(v));
    if (typeof x === 'object' && typeof y === 'object' && x && y) return JSON.stringify(x) === JSON.stringify(y);
    return false;
  });
}
