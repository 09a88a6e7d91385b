import { Liquid, type Template } from 'liquidjs';

/**
 * Studio's template language. Twilio renders widget properties with Liquid;
 * undefined variables render empty and unknown filters pass the value through.
 * No file system: `include`/`render` of named templates find nothing.
 */
const liquid = new Liquid({
  templates: {},
  strictVariables: false,
  strictFilters: false,
  renderLimit: 1000,
  parseLimit: 1_000_000,
  memoryLimit: 10_000_000,
});
liquid.registerFilter('to_json', (v: unknown) => JSON.stringify(v ?? null));

const CACHE_MAX = 500;
const cache = new Map<string, Template[]>();

function parse(template: string): Template[] {
  let parsed = cache.get(template);
  if (!parsed) {
    parsed = liquid.parse(template);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(template, parsed);
  }
  return parsed;
}

/** The syntax error of a template, or undefined when it parses. */
export function liquidSyntaxError(template: string): string | undefined {
  if (!template.includes('{')) return undefined;
  try {
    parse(template);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Renders a template against a scope; plain strings come back unchanged. */
export function renderLiquid(template: string, scope: Record<string, unknown>): string {
  if (!template.includes('{')) return template;
  return String(liquid.renderSync(parse(template), scope));
}
