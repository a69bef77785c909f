/** Query-key handling shared by the rule types (ruletypes.py `hashable(lookup_es_key(event, qk))`). */
import { lookupField } from './lookup-field';
import { pyStr } from './py-values';

/** The per-key bucket name of an event; `missing` is what the type uses when the field is absent. */
export function eventKey(fields: Record<string, unknown>, queryKey: string | undefined, missing: string): string {
  if (!queryKey) return 'all';
  const v = lookupField(fields, queryKey);
  return v === undefined || v === null ? missing : pyStr(v);
}

/** Compound query keys are joined into one field as process_hits does ("a, b"). */
export function withCompoundKey(fields: Record<string, unknown>, queryKey: string | undefined, compound: string[] | undefined) {
  if (!queryKey || !compound) return fields;
  return { ...fields, [queryKey]: compound.map((k) => pyStr(lookupField(fields, k) ?? null)).join(', ') };
}
