// A bot process as far as alerts go, for the alert-intake tests: the house on the real database, the webhooks on a real HTTP server.
import pino from 'pino';
import { loadConfig } from '../../config/index.ts';
import { createSwitchboard } from '../../src/app.ts';
import type { Ticket } from '../../src/domain/entities.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { createAlertWebhooks, WEBHOOK_PREFIX } from '../../src/http/webhooks.ts';
import type { Acting } from '../../src/services/acting.ts';
import type { AlertAcknowledged, AlertIncident } from '../../src/services/alerts.ts';
import type { Services } from '../../src/services/compose.ts';
import { openDatabase } from '../../src/store/connection.ts';
import type { TestDatabase } from './db.ts';
import { adminActing, testClock } from './harness.ts';
import { recordingSender } from './recordingSender.ts';

export const TOKEN = 'test-webhook-token-0123456789';
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface AlertProcess {
  services: Services;
  /** The clock the process runs on. */
  now: () => Date;
  url: string;
  sender: ReturnType<typeof recordingSender>;
  incidents: AlertIncident[];
  acks: AlertAcknowledged[];
  close(): Promise<void>;
}

/** A bot process as far as alerts go: the house (createSwitchboard) on its connection, the one HTTP server with the webhooks mounted. */
export async function alertProcess(
  db: TestDatabase,
  o: { env?: Record<string, string>; now?: () => Date; own?: boolean } = {},
): Promise<AlertProcess> {
  const config = loadConfig({ WEBHOOK_TOKEN: TOKEN, INCIDENT_CHANNEL: 'console', ...o.env });
  const handle = o.own
    ? await openDatabase({ uri: db.uri, dbName: db.dbName, dataDir: '.data', timeoutMs: 10_000, log })
    : null;
  const now = o.now ?? testClock();
  // The house as main.ts builds it, delivering; no background part runs, the job engine neither: what an alert
  // test sees is what the intake did (escalation steps and repeats are paging.test.ts's, run at chosen instants).
  const house = await createSwitchboard({
    config,
    connection: handle?.connection ?? db.connection,
    log,
    now,
    progress: () => {},
    pollMs: 50,
    background: { jobEngine: false, reviewTasks: false, pageAuditor: false, maintenance: false },
  });
  const { services } = house;
  const sender = recordingSender('console');
  services.outbox.register(sender);
  await house.start();
  const incidents: AlertIncident[] = [];
  const acks: AlertAcknowledged[] = [];
  services.alerts.onAlertIncident((e) => {
    incidents.push(e);
  });
  services.alerts.onAlertAcknowledged((e) => {
    acks.push(e);
  });
  const http: HttpServer = createHttpServer({ log, readiness: async () => ({ ready: true, reasons: [] }) });
  http.mount(WEBHOOK_PREFIX, createAlertWebhooks({ token: config.alerts.token, alerts: services.alerts, log }));
  const { port } = await http.listen(0, '127.0.0.1');
  return {
    services,
    now,
    url: `http://127.0.0.1:${port}`,
    sender,
    incidents,
    acks,
    async close() {
      await http.close();
      await house.stop({ settle: true });
      await handle?.close();
    },
  };
}

export const admin = (tenant = 'console:local'): Acting => adminActing(tenant);

export const incidents = async (s: Services): Promise<Ticket[]> => {
  const list = await s.tickets.listTickets(admin(), {
    states: ['new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed'],
    limit: 100,
  });
  return Promise.all(list.map((t) => s.tickets.getTicket(admin(), t.ticketId)));
};
