import { Type, type TSchema, type TString, type TObject, type TProperties } from '@sinclair/typebox';
import { Errors } from '../errors.js';

/**
 * Schema pieces for Twilio's form parameters. Form values arrive as strings; Ajv
 * coerces numbers and booleans ("true"/"false") and wraps single values in arrays.
 */
export const P = {
  str: (opts: { maxLength?: number; minLength?: number; description?: string } = {}) => Type.String(opts),
  sid: (prefix: string, description?: string) => Type.String({ pattern: `^${prefix}[0-9a-fA-F]{32}$`, description: description ?? `${prefix} SID` }),
  /** A SID or a unique name / identity (resources addressable by either). */
  sidOrName: (description: string) => Type.String({ minLength: 1, maxLength: 256, description }),
  bool: (description?: string) => Type.Boolean(description ? { description } : {}),
  int: (opts: { minimum?: number; maximum?: number; description?: string } = {}) => Type.Integer(opts),
  /** A JSON document passed as one string parameter (Attributes, Routing…). */
  json: (description: string, maxLength?: number) => Type.String({ description: `${description} (JSON string)`, ...(maxLength ? { maxLength } : {}) }),
  date: (description: string) => Type.String({ description: `${description} (ISO 8601)`, format: undefined }),
  duration: (description: string) => Type.String({ description: `${description} (ISO 8601 duration, e.g. PT10M)` }),
  /** One of fixed values: a JSON-schema enum, so a bad value's error lists the allowed ones. */
  enumOf: <T extends string>(values: readonly T[], description?: string) =>
    Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) }),
  list: (item: TSchema, description?: string) => Type.Array(item, description ? { description } : {}),
};

/** A form body: unknown parameters are refused. */
export function form<T extends TProperties>(props: T): TObject<T> {
  return Type.Object(props, { additionalProperties: false });
}

/** A query string with Twilio's paging parameters added. */
export function listQuery<T extends TProperties>(props: T) {
  return Type.Object(
    {
      ...props,
      PageSize: Type.Optional(Type.Integer({ minimum: 1 })),
      Page: Type.Optional(Type.Integer({ minimum: 0 })),
      PageToken: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  );
}

export type StringSchema = TString;

/** Parses a JSON-string parameter, refusing malformed JSON with 20001 naming the field. */
export function parseJsonParam(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw Errors.invalidParameter(`${name} must be a valid JSON string`);
  }
}

/** Attributes must be valid JSON; returns the string as given (Twilio echoes it verbatim). */
export function attributesParam(value: string | undefined, name = 'Attributes', maxBytes?: number): string | undefined {
  if (value === undefined) return undefined;
  parseJsonParam(name, value);
  if (maxBytes !== undefined && Buffer.byteLength(value, 'utf8') > maxBytes) {
    throw Errors.invalidParameter(`${name} is larger than the limit of ${maxBytes} bytes`);
  }
  return value;
}

/** An ISO 8601 date-time parameter as epoch milliseconds. */
export function dateParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw Errors.invalidParameter(`${name} must be an ISO 8601 date-time, got "${value}"`);
  return ms;
}

/** ISO 8601 duration (PnDTnHnMnS, PnW) to milliseconds. */
export function durationParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!m || value === 'P' || value.endsWith('T')) throw Errors.invalidParameter(`${name} must be an ISO 8601 duration such as PT10M, got "${value}"`);
  const [, w, d, h, min, s] = m;
  return ((Number(w ?? 0) * 7 + Number(d ?? 0)) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)) * 1000;
}
