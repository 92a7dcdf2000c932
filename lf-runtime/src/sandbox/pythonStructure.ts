/**
 * What Python's own parser reports about a text (lf_runner.parse_structure, checked by replySchema.ts), as
 * runtime code, the language server's protocol and the extension see it. Types only: the webviews and the
 * extension import them without the sandbox's process code.
 */
import type { ParsedLf, StatementSpan } from './wireProtocol.ts';

/** A text's top-level statements and the labeling functions defined at its module level. */
export interface PythonStructure {
  statements: StatementSpan[];
  lfs: ParsedLf[];
}

/** One text's structure, or why Python's parser refused it (message and 1-based line, when known). */
export type PythonParseOutcome = { ok: true; structure: PythonStructure } | { ok: false; error: string; line: number | null };

/** What parses Python for runtime code: the executor in the language server and the CLI, the server for the editor. */
export interface PythonParser {
  /** One outcome per source, in order. Rejects only when the runtime itself fails. */
  parsePython(sources: readonly string[], signal?: AbortSignal): Promise<PythonParseOutcome[]>;
}
