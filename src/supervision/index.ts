import type { FastifyInstance } from 'fastify';
import type { SupervisionDeps } from './deps.js';
import { WhispersService } from './whispers.js';
import { SupervisorOverview } from './overview.js';
import { ConversationMonitor } from './monitor.js';
import { registerSupervisionRoutes } from './routes.js';

/**
 * Supervision: the supervisor view's API (workspace overview, silent monitoring)
 * and whispers. Mounted as public routes: the agent session cookie authenticates
 * (requireAgent), not Basic auth.
 */
export class SupervisionProduct {
  readonly whispers: WhispersService;
  readonly overview: SupervisorOverview;
  readonly monitor: ConversationMonitor;

  constructor(deps: SupervisionDeps) {
    this.whispers = new WhispersService(deps);
    this.overview = new SupervisorOverview(deps);
    this.monitor = new ConversationMonitor(deps);
  }

  routes(): (app: FastifyInstance) => void {
    return (app) => registerSupervisionRoutes(app, { whispers: this.whispers, overview: this.overview, monitor: this.monitor });
  }
}
