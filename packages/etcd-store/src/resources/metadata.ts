/** The v3 envelope: kind, apiVersion, metadata (name, labels), spec. */
import { fail, type IssueSink } from './issues.js';
import { objectAt, optObject, optString, stringMap, type JsonObject } from './json.js';

export interface Envelope {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: JsonObject;
}

export function readEnvelope(value: unknown, kind: string, keyName: string, _sink: IssueSink): Envelope {
  const o = objectAt(value, 'value');
  const k = optString(o, 'kind', '');
  if (k !== undefined && k !== kind) fail(`kind: expected ${kind}, got ${JSON.stringify(k)}`);
  const api = optString(o, 'apiVersion', '');
  if (api !== undefined && api !== 'projectcalico.org/v3') fail(`apiVersion: expected projectcalico.org/v3, got ${JSON.stringify(api)}`);
  const metadata = optObject(o, 'metadata', '');
  const name = optString(metadata, 'name', 'metadata');
  // The key is the authority on the name (Calico writes both; they agree).
  if (name !== undefined && name !== keyName) fail(`metadata.name ${JSON.stringify(name)} does not match the key (${JSON.stringify(keyName)})`);
  return { name: keyName, labels: stringMap(metadata, 'labels', 'metadata'), spec: optObject(o, 'spec', '') };
}
