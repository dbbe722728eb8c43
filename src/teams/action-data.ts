/**
 * Card action data comes from the client and can be forged: each verb declares the exact fields it
 * accepts, anything else is refused. Identity never comes from here, only from the activity.
 */
import { isObjectId } from '../object-id.js';

type FieldKind = 'guid' | 'text' | 'choice';
interface FieldSpec {
  kind: FieldKind;
  required?: boolean;
  maxLength?: number;
  choices?: readonly string[];
}
export type ActionSpec = Record<string, FieldSpec>;

export class BadActionData extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadActionData';
  }
}

/** Fields Teams itself adds to Action.Execute data; not the card's, never trusted, never read. */
const CLIENT_FIELDS = new Set(['msteams']);

export function readActionData<S extends ActionSpec>(data: unknown, spec: S): { [K in keyof S]?: string } {
  if (data === undefined || data === null) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new BadActionData('the button sent data that is not an object');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (CLIENT_FIELDS.has(key)) continue;
    const field = spec[key];
    if (!field) throw new BadActionData(`the button sent an unexpected field "${key.slice(0, 40)}"`);
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw new BadActionData(`"${key}" must be text`);
    const max = field.maxLength ?? (field.kind === 'guid' ? 36 : 500);
    if (value.length > max) throw new BadActionData(`"${key}" is longer than ${max} characters`);
    if (field.kind === 'guid' && !isObjectId(value)) throw new BadActionData(`"${key}" is not an object id`);
    if (field.kind === 'choice' && !field.choices?.includes(value)) throw new BadActionData(`"${key}" is not one of the choices`);
    out[key] = value;
  }
  for (const [key, field] of Object.entries(spec)) {
    if (field.required && out[key] === undefined) throw new BadActionData(`"${key}" is missing`);
  }
  return out as { [K in keyof S]?: string };
}
