/**
 * Where a setting is in lfstudio.json: the line and column of the key a JSON pointer names ("/data/sample"
 * is the "sample" key inside "data", "/labels/1" the second class name), found in jsonc-parser's syntax tree
 * rather than by searching for the first line that mentions the key, which lands on the wrong line whenever
 * the key's name also appears earlier (in "task", a description, or another object).
 */
import { parseTree } from 'jsonc-parser';
import type { Node } from 'jsonc-parser';
import { positionAt } from '../data/jsonSyntax.ts';

export interface SettingPosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like VS Code. */
  column: number;
  /** False when the setting itself is absent and this is the place of the nearest enclosing one. */
  exact: boolean;
}

/**
 * The position in `text` (lfstudio.json) of the setting `pointer` names. A missing setting maps to the
 * nearest enclosing setting that exists (a missing "/data/sample" to the "data" key), a pointer to nothing
 * or text that does not parse as far as the setting to line 1, column 1. Comments and trailing commas are
 * tolerated here so a half-edited file still maps.
 */
export function settingPosition(text: string, pointer: string | undefined): SettingPosition {
  const start: SettingPosition = { line: 1, column: 1, exact: pointer === undefined || pointer === '' };
  // VS Code does not count a byte-order mark as a column.
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (pointer === undefined || pointer === '') return start;
  let root: Node | undefined;
  try {
    root = parseTree(source, [], { allowTrailingComma: true, disallowComments: false });
  } catch {
    // jsonc-parser recurses; absurdly deep nesting overflows the stack. Line 1 is still a place.
    return { ...start, exact: false };
  }
  if (root === undefined) return { ...start, exact: false };
  let node: Node = root;
  let exact = true;
  for (const segment of parsePointer(pointer)) {
    const next = child(node, segment);
    if (next === undefined) {
      exact = false;
      break;
    }
    node = next;
  }
  if (node === root) return { ...start, exact: false };
  // A value's place is its key's place: that is where a user looks for "sample".
  const at = node.parent?.type === 'property' ? node.parent.offset : node.offset;
  return { ...positionAt(source, at), exact };
}

/** 1-based line of the setting `pointer` names (see settingPosition). */
export function settingLine(text: string, pointer: string | undefined): number {
  return settingPosition(text, pointer).line;
}

/** Segments of an RFC 6901 JSON pointer ("/a~1b/0" -> ["a/b", "0"]). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function child(node: Node, segment: string): Node | undefined {
  if (node.type === 'object') {
    // The last of a repeated key wins, as in JSON.parse.
    let found: Node | undefined;
    for (const property of node.children ?? []) {
      const [key, value] = property.children ?? [];
      if (key?.value === segment && value !== undefined) found = value;
    }
    return found;
  }
  if (node.type === 'array' && /^(0|[1-9]\d*)$/.test(segment)) return node.children?.[Number(segment)];
  return undefined;
}
