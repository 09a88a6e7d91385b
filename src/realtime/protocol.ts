import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * The client → server frames (JSON text), one schema each; docs/realtime.md
 * describes them with the server → client frames.
 */
const token = Type.String({ minLength: 1, maxLength: 8192 });
const clientId = Type.String({ minLength: 1, maxLength: 128 });
const conversationSid = Type.String({ pattern: '^CH[0-9a-fA-F]{32}$' });

export const ClientFrames = {
  hello: Type.Object({ op: Type.Literal('hello'), token }, { additionalProperties: false }),
  token: Type.Object({ op: Type.Literal('token'), token }, { additionalProperties: false }),
  ping: Type.Object({ op: Type.Literal('ping') }, { additionalProperties: false }),
  subscribe: Type.Object(
    { op: Type.Literal('subscribe'), stream: Type.String({ maxLength: 64 }), after: Type.Optional(Type.Integer({ minimum: 0 })) },
    { additionalProperties: false },
  ),
  unsubscribe: Type.Object({ op: Type.Literal('unsubscribe'), stream: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
  'send:message.create': Type.Object(
    {
      op: Type.Literal('send'),
      clientId,
      action: Type.Literal('message.create'),
      conversationSid,
      body: Type.Optional(Type.String({ maxLength: 32 * 1024 })),
      attributes: Type.Optional(Type.String({ maxLength: 4096 })),
      mediaSid: Type.Optional(Type.String({ pattern: '^ME[0-9a-fA-F]{32}$' })),
    },
    { additionalProperties: false },
  ),
  'send:read': Type.Object(
    { op: Type.Literal('send'), clientId, action: Type.Literal('read'), conversationSid, index: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]) },
    { additionalProperties: false },
  ),
  'send:typing': Type.Object(
    { op: Type.Literal('send'), clientId: Type.Optional(clientId), action: Type.Literal('typing'), conversationSid },
    { additionalProperties: false },
  ),
} satisfies Record<string, TSchema>;

type Frames = typeof ClientFrames;
export type ClientFrame = { [K in keyof Frames]: Static<Frames[K]> }[keyof Frames];
export type SendFrame = Extract<ClientFrame, { op: 'send' }>;

const checkers = Object.fromEntries(Object.entries(ClientFrames).map(([k, s]) => [k, TypeCompiler.Compile(s)])) as { [K in keyof Frames]: ReturnType<typeof TypeCompiler.Compile<Frames[K]>> };

export type Parsed = { ok: true; frame: ClientFrame } | { ok: false; message: string; clientId?: string };

/** Parses one text frame; a bad one gets a message naming what is wrong. */
export function parseClientFrame(raw: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'Frames are JSON objects' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'Frames are JSON objects' };
  const v = value as Record<string, unknown>;
  const key = v.op === 'send' ? `send:${String(v.action)}` : String(v.op);
  const checker = (checkers as Record<string, (typeof checkers)[keyof Frames] | undefined>)[key];
  const clientIdOf = typeof v.clientId === 'string' ? { clientId: v.clientId } : {};
  if (!checker) return { ok: false, message: v.op === 'send' ? `Unknown action ${String(v.action)}` : `Unknown op ${String(v.op)}`, ...clientIdOf };
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    return { ok: false, message: first ? `Invalid ${first.path || 'frame'}: ${first.message}` : 'Invalid frame', ...clientIdOf };
  }
  return { ok: true, frame: value as ClientFrame };
}
