import type { FastifyInstance } from 'fastify';
import type { ProductModule } from '../platform/http/app.js';
import type { AgentsDeps } from './deps.js';
import { AgentsService } from './service.js';
import { AgentSessions, bindAgentSessions } from './session.js';
import { AgentIdentity } from './identity.js';
import { agentsModule } from './routes.js';
import { registerSessionRoutes } from './session-routes.js';
import { Desk } from './desk/service.js';
import { registerDeskRoutes } from './desk/routes.js';

export const DEMO_PASSWORD = 'parley-demo';
export const DEMO_SUPERVISOR = 'demo-supervisor';

/**
 * Agent accounts and the agent desktop's API: /parley/v1/Agents (Basic auth,
 * admin) and /agent-api/v1/… (the session cookie: login, the agent's own
 * worker, reservations, tasks, conversations).
 */
export class AgentsProduct {
  readonly agents: AgentsService;
  readonly sessions: AgentSessions;
  readonly identity: AgentIdentity;
  readonly desk: Desk;

  constructor(private readonly deps: AgentsDeps) {
    this.agents = new AgentsService(deps);
    this.sessions = new AgentSessions(deps.storage, deps.clock);
    this.identity = new AgentIdentity(deps);
    this.desk = new Desk(deps, this.identity);
  }

  module(): ProductModule {
    return agentsModule(this.agents);
  }

  publicRoutes(): (app: FastifyInstance) => void {
    return (app) => {
      bindAgentSessions(app, this.sessions);
      registerSessionRoutes(app, { agents: this.agents, sessions: this.sessions, identity: this.identity, publicUrl: this.deps.publicUrl, mainAccountSid: this.deps.mainAccountSid });
      registerDeskRoutes(app, this.desk, this.sessions);
    };
  }

  /** `npm start`: `demo-agent` on the demo worker and `demo-supervisor`, both with password `parley-demo`. */
  async ensureDemo(accountSid: string, demoWorkerSid: string): Promise<Array<{ username: string; role: string }>> {
    const agent = await this.agents.ensure(accountSid, { username: 'demo-agent', password: DEMO_PASSWORD, friendlyName: 'Demo Agent', role: 'agent', workerSid: demoWorkerSid });
    const supervisor = await this.agents.ensure(accountSid, { username: DEMO_SUPERVISOR, password: DEMO_PASSWORD, friendlyName: 'Demo Supervisor', role: 'supervisor' });
    return [agent, supervisor].map((a) => ({ username: a.username, role: a.role }));
  }
}
