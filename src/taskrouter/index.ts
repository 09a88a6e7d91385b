import type { FastifyInstance } from 'fastify';
import type { ProductModule } from '../platform/http/app.js';
import type { Dispatcher } from '../events/dispatcher.js';
import type { RoutingTrigger, TaskRouterDeps } from './deps.js';
import { WorkspacesService } from './workspaces/service.js';
import { registerWorkspaceRoutes } from './workspaces/routes.js';
import { workspaceRouter } from './workspaces/scope.js';
import { ActivitiesService } from './activities/service.js';
import { registerActivityRoutes } from './activities/routes.js';
import { TaskChannelsService } from './task-channels/service.js';
import { registerTaskChannelRoutes } from './task-channels/routes.js';
import { TaskQueuesService } from './task-queues/service.js';
import { registerTaskQueueRoutes } from './task-queues/routes.js';
import { WorkersService } from './workers/service.js';
import { WorkerChannelsService } from './workers/channels.js';
import { registerWorkerRoutes } from './workers/routes.js';
import { WorkflowsService } from './workflows/service.js';
import { registerWorkflowRoutes } from './workflows/routes.js';
import { Lifecycle } from './routing/lifecycle.js';
import { RoutingEngine } from './routing/engine.js';
import { TasksService } from './tasks/service.js';
import { registerTaskRoutes } from './tasks/routes.js';
import { ReservationsService } from './reservations/service.js';
import { registerReservationRoutes } from './reservations/routes.js';
import { reservationsStore } from './reservations/store.js';
import { EventsService } from './events-api/service.js';
import { registerEventRoutes } from './events-api/routes.js';
import { StatisticsService } from './statistics/service.js';
import { registerStatisticsRoutes } from './statistics/routes.js';
import { eventCallbacks } from './callbacks.js';
import { eventRefs, TASKROUTER_EVENT_PREFIX } from './events.js';

/**
 * The TaskRouter product: its systems, wired once, and its HTTP module
 * (mounted at /taskrouter and on the taskrouter.* host).
 */
export class TaskRouterProduct {
  /** Services call this after committing a change that may let routing progress. */
  readonly routing: RoutingTrigger;
  private readonly triggers: Array<(accountSid: string, workspaceSid: string) => void> = [];
  readonly activities: ActivitiesService;
  readonly taskChannels: TaskChannelsService;
  readonly taskQueues: TaskQueuesService;
  readonly workers: WorkersService;
  readonly workerChannels: WorkerChannelsService;
  readonly workflows: WorkflowsService;
  readonly workspaces: WorkspacesService;
  readonly lifecycle: Lifecycle;
  readonly engine: RoutingEngine;
  readonly tasks: TasksService;
  readonly reservations: ReservationsService;
  readonly events: EventsService;
  readonly statistics: StatisticsService;

  constructor(
    readonly deps: TaskRouterDeps,
    readonly dispatcher: Dispatcher,
    onError: (err: unknown) => void = () => {},
  ) {
    this.routing = { changed: (a, w) => this.triggers.forEach((t) => t(a, w)) };
    this.activities = new ActivitiesService(deps);
    this.taskChannels = new TaskChannelsService(deps);
    this.taskQueues = new TaskQueuesService(deps, this.routing);
    this.workers = new WorkersService(deps, this.routing);
    this.workerChannels = new WorkerChannelsService(deps, this.workers, this.routing);
    this.workflows = new WorkflowsService(deps, this.routing);
    this.workspaces = new WorkspacesService(deps, this.activities, this.taskChannels, this.taskQueues, this.workflows);
    this.lifecycle = new Lifecycle(deps, this.workers);
    this.engine = new RoutingEngine(deps, this.lifecycle, onError);
    this.tasks = new TasksService(deps, this.lifecycle, this.engine);
    this.reservations = new ReservationsService(deps, this.lifecycle, this.engine);
    this.onChanged((a, w) => this.engine.schedule(a, w));
    this.events = new EventsService(deps);
    this.statistics = new StatisticsService(deps);
    deps.outbox.resolveRefs(TASKROUTER_EVENT_PREFIX, eventRefs(deps));
    dispatcher.onDurableBatch(eventCallbacks(deps));
    this.workers.rejectPending = async (tx, ws, workerSid, actor) => {
      for (const r of await reservationsStore.ofWorker(tx, ws.account_sid, workerSid, ['pending'])) await this.lifecycle.reject(tx, ws, r, actor);
    };
  }

  /** The routing engine subscribes here. */
  onChanged(fn: (accountSid: string, workspaceSid: string) => void): void {
    this.triggers.push(fn);
  }

  module(): ProductModule {
    return {
      label: 'taskrouter',
      register: (app: FastifyInstance) => {
        registerWorkspaceRoutes(app, this.workspaces);
        const ws = workspaceRouter(app, this.workspaces);
        registerActivityRoutes(ws, this.activities);
        registerTaskChannelRoutes(ws, this.taskChannels);
        registerTaskQueueRoutes(ws, this.taskQueues);
        registerWorkerRoutes(ws, this.workers, this.workerChannels);
        registerWorkflowRoutes(ws, this.workflows);
        registerTaskRoutes(ws, this.tasks, () => this.deps.clock.now());
        registerReservationRoutes(ws, this.reservations);
        registerEventRoutes(ws, this.events);
        registerStatisticsRoutes(ws, this.statistics);
      },
    };
  }
}
