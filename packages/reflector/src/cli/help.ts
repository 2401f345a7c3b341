/**
 * PURE: what --help says beyond commander's layout, from the same data the code runs
 * on: each option's line from its row in the options table (type, allowed values,
 * environment variable, default), the exit codes from their catalogue.
 */
import type { OptionSpec } from '../config/options.js';
import { allowedText } from '../config/values.js';
import { EXIT_CODES } from './exit-codes.js';

/** "hold time offered to peers ...; 0 = no KEEPALIVEs ... (env BGP_RR_HOLD_TIME; 0 or 3..65535; default 30)". */
export function optionHelp(o: OptionSpec): string {
  let text = o.help;
  if (o.type === 'int' && o.zero !== undefined) text += `; 0 = ${o.zero}`;
  if (o.type === 'enum' && Object.values(o.choices).some((m) => m !== '')) {
    text += ': ' + Object.entries(o.choices).map(([choice, meaning]) => (meaning === '' ? choice : `${choice} = ${meaning}`)).join('; ');
  }
  const allowed = allowedText(o);
  const d = o.default === undefined ? undefined : typeof o.default === 'string' ? o.default : o.default.join(',');
  const dflt = d === undefined ? undefined : `default ${d === '' ? "''" : d}`;
  return `${text} (${[`env ${o.env}`, allowed, dflt].filter((x) => x !== undefined).join('; ')})`;
}

/** The exit-code catalogue as a help section, wrapped to `width` columns. */
export function exitCodesHelp(width = 80): string {
  const nameWidth = Math.max(...EXIT_CODES.map((e) => e.name.length));
  const indent = 2 + 1 + 2 + nameWidth + 2;
  const lines = ['Exit codes:'];
  for (const e of EXIT_CODES) {
    const head = `  ${e.code}  ${e.name.padEnd(nameWidth)}  `;
    lines.push(...wrap(e.meaning, width - indent).map((l, i) => (i === 0 ? head : ' '.repeat(indent)) + l));
  }
  return lines.join('\n') + '\n';
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out;
}
