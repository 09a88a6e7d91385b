import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes, randomFillSync, createHash, timingSafeEqual } from 'node:crypto';

/**
 * AES-256-GCM for data at rest. Text values are stored as
 * `v1.<iv b64>.<tag b64>.<ciphertext b64>`; binary values as iv|tag|ciphertext.
 */
export interface Cipher {
  /** With `recall`, the value is kept for a while so that decrypting it soon costs nothing (see below). */
  encrypt(plain: string, recall?: boolean): string;
  decrypt(stored: string): string;
  encryptBytes(plain: Buffer): Buffer;
  decryptBytes(stored: Buffer): Buffer;
}

const IV = 12;
const TAG = 16;
/**
 * Values encrypted with `recall`, or decrypted, lately, by their stored form:
 * a task's attributes are sealed when it is created and opened again moments
 * later by the routing pass, its events and the response (each opening an
 * AES-GCM context, the better part of ten microseconds). A stored form is
 * sealed from one value under a fresh IV, so an entry can only ever answer for
 * that value (two rows may hold one stored form, never for different values). Bounded.
 */
const RECALL_MAX = 2048;

/**
 * Random bytes drawn from a pooled buffer refilled 8 KiB at a time: one
 * getrandom call serves hundreds of IVs and SIDs instead of one each.
 */
const pool = Buffer.alloc(8192);
let poolOffset = pool.length;
export function pooledRandom(size: number): Buffer {
  if (size > pool.length) return randomBytes(size);
  if (poolOffset + size > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.from(pool.subarray(poolOffset, poolOffset + size));
  poolOffset += size;
  return out;
}

export function createCipher(key: Buffer): Cipher {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  const seal = (plain: Buffer) => {
    const iv = pooledRandom(IV);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([c.update(plain), c.final()]);
    return { iv, tag: c.getAuthTag(), ct };
  };
  const open = (iv: Buffer, tag: Buffer, ct: Buffer) => {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]);
  };
  const recent = new Map<string, string>();
  const recall = (stored: string, plain: string) => {
    if (recent.size >= RECALL_MAX) recent.delete(recent.keys().next().value as string);
    recent.set(stored, plain);
  };
  return {
    encrypt(plain, keep = false) {
      const { iv, tag, ct } = seal(Buffer.from(plain, 'utf8'));
      const stored = `v1.${iv.toString('base64')}.${tag.toString('base64')}.${ct.toString('base64')}`;
      if (keep) recall(stored, plain);
      return stored;
    },
    decrypt(stored) {
      const known = recent.get(stored);
      if (known !== undefined) return known;
      const parts = stored.split('.');
      if (parts.length !== 4 || parts[0] !== 'v1') throw new Error('Not an encrypted value');
      const plain = open(Buffer.from(parts[1]!, 'base64'), Buffer.from(parts[2]!, 'base64'), Buffer.from(parts[3]!, 'base64')).toString('utf8');
      recall(stored, plain);
      return plain;
    },
    encryptBytes(plain) {
      const { iv, tag, ct } = seal(plain);
      return Buffer.concat([iv, tag, ct]);
    },
    decryptBytes(stored) {
      return open(stored.subarray(0, IV), stored.subarray(IV, IV + TAG), stored.subarray(IV + TAG));
    },
  };
}

/** The master key: from configuration, else generated once into the data folder (mode 0600). */
export function loadMasterKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'hex');
  const file = path.join(dataDir, 'master.key');
  if (fs.existsSync(file)) {
    const hex = fs.readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${file} does not hold a 64-hex-digit key`);
    return Buffer.from(hex, 'hex');
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}
