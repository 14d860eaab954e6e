/**
 * Zod shape pieces for the AWS API shapes the model mirrors. Those shapes are mostly runs of fields of
 * one type (a dozen optional strings in a row); naming them in a list says so once, and spreading the
 * result into a `z.object` / `z.looseObject` gives exactly the type the fields written out one by one
 * would (`{ A?: string | undefined, ... }`), in the same key order.
 */
import { z } from 'zod';

/** `{ [name]: schema }` for every name, in the order given. */
export function fields<T extends z.ZodType, const K extends string>(schema: T, ...names: K[]): { [P in K]: T } {
  return Object.fromEntries(names.map((name) => [name, schema])) as { [P in K]: T };
}

/** Fields that are always present strings. */
export function strings<const K extends string>(...names: K[]): { [P in K]: z.ZodString } {
  return fields(z.string(), ...names);
}

/** Fields that are strings when present: most of an AWS response. */
export function optionalStrings<const K extends string>(...names: K[]): { [P in K]: z.ZodOptional<z.ZodString> } {
  return fields(z.string().optional(), ...names);
}
