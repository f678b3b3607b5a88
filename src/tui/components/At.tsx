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
