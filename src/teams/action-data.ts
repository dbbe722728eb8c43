/**
 * Card action data comes from the client and can be forged: each verb declares the exact fields it
 * accepts (src/teams/verbs.ts), anything else is refused. Identity never comes from here, only from
 * the activity.
 */
import { isObjectId } from '../object-id.js';

export type FieldSpec =
  | { kind: 'guid'; required?: boolean }
  | { kind: 'text'; required?: boolean; maxLength: number }
  | { kind: 'choice'; required?: boolean; choices: readonly string[] };
export type ActionSpec = Readonly<Record<string, FieldSpec>>;

type FieldValue<F> = F extends { kind: 'choice'; choices: readonly (infer C)[] } ? C : string;
type RequiredKeys<S> = { [K in keyof S]: S[K] extends { required: true } ? K : never }[keyof S];

/** The fields as the handler reads them: required ones typed as present, choices as their union. */
export type ActionData<S extends ActionSpec> = { [K in RequiredKeys<S>]: FieldValue<S[K]> } & {
  [K in Exclude<keyof S, RequiredKeys<S>>]?: FieldValue<S[K]>;
};

export class BadActionData extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadActionData';
  }
}

/** Fields Teams itself adds to Action.Execute data; not the card's, never trusted, never read. */
const CLIENT_FIELDS = new Set(['msteams']);
const GUID_LENGTH = 36;

export function readActionData<S extends ActionSpec>(data: unknown, spec: S): ActionData<S> {
  if (data === undefined || data === null) data = {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new BadActionData('the button sent data that is not an object');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (CLIENT_FIELDS.has(key)) continue;
    // Only the spec's own keys: "constructor" or "toString" are not fields just because every object inherits them.
    const field = Object.hasOwn(spec, key) ? spec[key] : undefined;
    if (!field) throw new BadActionData(`the button sent an unexpected field "${key.slice(0, 40)}"`);
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw new BadActionData(`"${key}" must be text`);
    const max = field.kind === 'text' ? field.maxLength : field.kind === 'guid' ? GUID_LENGTH : 500;
    if (value.length > max) throw new BadActionData(`"${key}" is longer than ${max} characters`);
    if (field.kind === 'guid' && !isObjectId(value)) throw new BadActionData(`"${key}" is not an object id`);
    if (field.kind === 'choice' && !field.choices.includes(value))
      throw new BadActionData(`"${key}" is not one of the choices`);
    out[key] = value;
  }
  for (const [key, field] of Object.entries(spec)) {
    if (field.required && out[key] === undefined) throw new BadActionData(`"${key}" is missing`);
  }
  return out as ActionData<S>;
}
