/**
 * LF files run with an empty environment (the sandbox's first layer: no API key of the editor's reaches them).
 * A file that reads a variable (`os.environ["SNOMEDCT_HOME"]`, "please set the KEYWORDS_HOME variable") then
 * fails as if it were unset although the user set it: its error says why, when it names a variable that is set
 * where LF Studio runs, and only for a file whose code (or a helper's) reads the environment: otherwise any LF
 * could learn which variables the editor's process has by naming them in an exception, and a KeyError for a
 * dict key that happens to be a variable's name ("USER") would get the hint.
 */
import { mapErrors, type FileRunResult } from './types.ts';

/** A name written like an environment variable: capitals, digits and underscores, three characters or more. */
const VARIABLE = /\b[A-Z][A-Z0-9_]{2,}\b/g;
/** Words that say the message is about the environment (or a KeyError, which os.environ[...] raises). */
const ABOUT_ENVIRONMENT = /environ|variable|getenv|\bKeyError\b|\benv\b/i;

/** Whether Python sources read the environment (os.environ, os.getenv, environ.get ...). */
export function readsEnvironment(sources: Iterable<string>): boolean {
  for (const s of sources) if (/\b(?:environ|getenv)\b/.test(s)) return true;
  return false;
}

export function hintEnvironment(result: FileRunResult, reads: boolean, env: NodeJS.ProcessEnv = process.env): FileRunResult {
  if (!reads) return result;
  return mapErrors(result, (e) => {
    if (!ABOUT_ENVIRONMENT.test(e.message) || e.message.includes('LF files run with an empty environment')) return e;
    const named = [...new Set(e.message.match(VARIABLE) ?? [])].filter((name) => env[name] !== undefined);
    if (named.length === 0) return e;
    const list = named.slice(0, 3).join(', ');
    return {
      ...e,
      message:
        `${e.message} (LF files run with an empty environment, so ${list}, set where LF Studio runs, is not seen there: ` +
        'read the setting from a file of the workspace, or give it a default in the file)',
    };
  });
}
