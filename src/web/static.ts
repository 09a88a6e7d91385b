import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** web/dist, found from this file whether it runs from src/ (tsx) or dist/src/ (npm start). */
export function webDistDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.join(dir, 'web', 'dist');
}

/**
 * The web surfaces (agent desktop, supervisor view, admin console, web chat demo
 * and the embeddable widget), served as built files. Routes are registered per
 * file (no wildcard), so an unknown API path still gets its product's Twilio 404.
 * Public: each surface signs its users in itself.
 */
export function webRoutes(dir = webDistDir()): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    if (!fs.existsSync(path.join(dir, 'index.html'))) {
      app.get('/', { schema: { hide: true } }, async (_req, reply) => {
        reply.type('text/plain');
        return 'Parley is running. The web surfaces are not built: run `npm run build:web` (npm start does it for you).\n';
      });
      return;
    }
    await app.register(fastifyStatic, { root: dir, prefix: '/', wildcard: false, index: ['index.html'], redirect: false, schemaHide: true } as Parameters<typeof fastifyStatic>[1]);
    // Pages live at /agent/ etc.; the bare name redirects there (relative asset URLs need the slash).
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'index.html'))) {
        app.get(`/${entry.name}`, { schema: { hide: true } }, async (_req, reply) => reply.redirect(`/${entry.name}/`));
      }
    }
  };
}
