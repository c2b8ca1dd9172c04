// The paging auditor: every minute, escalation steps more than two minutes overdue are reported (a silent escalation is the worst failure).
import type { Logger } from 'pino';

export interface PageAuditor {
  stop(): void;
}

export function startPageAuditor(
  paging: { audit(now: Date): Promise<unknown> },
  o: { log: Logger; now?: () => Date; everyMs?: number },
): PageAuditor {
  const now = o.now ?? (() => new Date());
  let running = false;
  const timer = setInterval(() => {
    // A slow database must not pile audits up.
    if (running) return;
    running = true;
    paging
      .audit(now())
      .catch((err) => o.log.warn({ err }, 'paging: the audit of escalation steps failed'))
      .finally(() => {
        running = false;
      });
  }, o.everyMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
