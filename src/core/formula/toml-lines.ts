/**
 * Where keys are in a TOML text, so a schema error can name the line (smol-toml reports lines
 * only for syntax errors). A light line scanner, not a parser: it follows `[table]` and
 * `[[array.of.tables]]` headers (counting array elements) and `key =` lines, skips the inside
 * of multi-line strings, and maps dotted paths like `steps.2.priority` to 1-based lines. Keys
 * inside multi-line inline tables or arrays are not indexed; a lookup then falls back to the
 * nearest indexed parent, which is good enough to point a person at the right block.
 */

/** Dotted path (array elements as indexes: `steps.2.id`) → 1-based line. */
export type LineIndex = Map<string, number>;

const HEADER = /^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/;
const KEY = /^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=/;

/** Split a dotted TOML key (`a."b.c".d`) into its parts, quotes removed. */
function splitKey(key: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key)) !== null && m[0] !== '') parts.push(m[1] ?? m[2] ?? m[3] ?? '');
  return parts;
}

/** Count non-overlapping occurrences of `needle` in `s`. */
function count(s: string, needle: string): number {
  let n = 0;
  for (let i = s.indexOf(needle); i !== -1; i = s.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * Index the keys of a TOML text.
 *
 * @param text the TOML source.
 * @returns dotted path → 1-based line of its header or `key =`.
 */
export function indexTomlLines(text: string): LineIndex {
  const index: LineIndex = new Map();
  const arrays = new Map<string, number>(); // resolved path of an array of tables → last index
  let table: string[] = [];
  let open: '"""' | "'''" | undefined; // inside a multi-line string
  const lines = text.split('\n');
  const resolvePrefix = (segments: string[]): string[] => {
    const out: string[] = [];
    for (const seg of segments) {
      out.push(seg);
      const last = arrays.get(out.join('.'));
      if (last !== undefined) out.push(String(last));
    }
    return out;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (open) {
      if (count(line, open) % 2 === 1) open = undefined;
      continue;
    }
    const header = HEADER.exec(line);
    if (header) {
      const segments = splitKey(header[2]!);
      if (header[1] === '[[') {
        const parent = resolvePrefix(segments.slice(0, -1));
        const key = [...parent, segments[segments.length - 1]!].join('.');
        const idx = (arrays.get(key) ?? -1) + 1;
        arrays.set(key, idx);
        table = [...key.split('.'), String(idx)];
      } else {
        table = resolvePrefix(segments);
      }
      if (!index.has(table.join('.'))) index.set(table.join('.'), i + 1);
      continue;
    }
    const key = KEY.exec(line);
    if (key) {
      const path = [...table, ...splitKey(key[1]!)].join('.');
      if (!index.has(path)) index.set(path, i + 1);
      const rest = line.slice(key[0].length);
      for (const q of ['"""', "'''"] as const) {
        if (rest.includes(q) && count(rest, q) % 2 === 1) { open = q; break; }
      }
    }
  }
  return index;
}

/**
 * The line of `path`, or of its nearest indexed parent.
 *
 * @param path dotted path segments (`['steps', 2, 'priority']`).
 * @returns the 1-based line, or undefined when nothing on the path is indexed.
 */
export function lineOf(index: LineIndex, path: ReadonlyArray<string | number>): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const line = index.get(path.slice(0, n).join('.'));
    if (line !== undefined) return line;
  }
  return undefined;
}
