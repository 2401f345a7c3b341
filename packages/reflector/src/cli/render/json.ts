/** The JSON printer: every command's `--json` output is its result, pretty-printed, one document. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
