import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { jobRuns } from '../../db/schema.js';
import { AppError } from '../../lib/errors.js';
import type { Metrics } from '../metrics/registry.js';

export type JobOutcome = 'ok' | 'failed' | 'interrupted';

export interface JobRunItem {
  id: number;
  job: string;
  instance: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  /** ok | failed | interrupted */
  outcome: string | null;
  result: unknown;
}

/** Thrown when a job is asked to start while the service is stopping. */
export class ShuttingDown extends AppError {
  constructor(job: string) {
    super(503, 'shutting-down', 'Dịch vụ đang dừng (shutting down)', `The service is stopping; job ${job} was not started. Another instance will run it.`);
  }
}

/**
 * Runs every job (scheduled or asked for by admin) the same way: one row in job_runs per run
 * (instance, start, end, outcome, the job's own counts), the job metrics, and a shared stop
 * signal. `stop()` refuses new runs and aborts the signal: each job then finishes what it is in
 * the middle of (the current message, the current transaction) and returns early.
 * `drain(ms)` waits for the runs still going, at most `ms`.
 */
export function createJobRunner(deps: { db: Db; clock: { now(): Date }; instanceId: string; metrics: Metrics; log?: { warn(o: object, m?: string): void } }) {
  const { db, clock, instanceId, metrics } = deps;
  const controller = new AbortController();
  const running = new Set<Promise<unknown>>();

  /**
   * Runs `fn` as job `job`. The run is recorded when it ends (a run whose result `idle` says did
   * nothing is only counted in the metrics, so that the every-minute jobs do not fill the table).
   */
  async function run<T>(job: string, fn: (signal: AbortSignal) => Promise<T>, opts: { idle?: (result: T) => boolean } = {}): Promise<T> {
    if (controller.signal.aborted) throw new ShuttingDown(job);
    const startedAt = clock.now();
    const t0 = performance.now();
    const finish = async (outcome: JobOutcome, result: unknown, idle = false) => {
      const seconds = (performance.now() - t0) / 1000;
      metrics.jobRuns.inc({ job, result: outcome });
      metrics.jobDuration.observe({ job }, seconds);
      if (idle) return;
      try {
        await db.insert(jobRuns).values({
          job,
          instance: instanceId,
          startedAt,
          finishedAt: new Date(startedAt.getTime() + Math.round(seconds * 1000)),
          outcome,
          result: result as Record<string, unknown>,
        });
      } catch (err) {
        deps.log?.warn({ job, err }, 'could not record a job run');
      }
    };
    const p = (async () => {
      try {
        const result = await fn(controller.signal);
        const interrupted = (result as { interrupted?: boolean } | null)?.interrupted === true;
        await finish(interrupted ? 'interrupted' : 'ok', result, !interrupted && !!opts.idle?.(result));
        return result;
      } catch (err) {
        await finish('failed', { error: (err as Error)?.message?.slice(0, 300) ?? String(err) });
        throw err;
      }
    })();
    running.add(p);
    p.then(
      () => running.delete(p),
      () => running.delete(p),
    );
    return p;
  }

  return {
    run,
    signal: controller.signal,
    /** no new runs; running ones are told to stop after their current unit of work */
    stop() {
      controller.abort();
    },
    get stopping() {
      return controller.signal.aborted;
    },
    /** Resolves when every run has finished, or after `ms`; true when all finished. */
    async drain(ms: number): Promise<boolean> {
      if (running.size === 0) return true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((r) => {
        timer = setTimeout(() => r(false), ms);
      });
      const all = Promise.allSettled([...running]).then(() => true as const);
      const done = await Promise.race([all, timeout]);
      clearTimeout(timer);
      return done;
    },
    /** Job run history, newest first. */
    async list(q: { job?: string; limit: number; cursor?: number }): Promise<{ items: JobRunItem[]; nextCursor: string | null }> {
      const where: SQL[] = [];
      if (q.job) where.push(eq(jobRuns.job, q.job));
      if (q.cursor) where.push(lt(jobRuns.id, q.cursor));
      const r = await db
        .select()
        .from(jobRuns)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(jobRuns.id))
        .limit(q.limit + 1);
      const items = r.slice(0, q.limit).map((x) => ({
        id: x.id,
        job: x.job,
        instance: x.instance,
        startedAt: x.startedAt,
        finishedAt: x.finishedAt,
        outcome: x.outcome,
        result: x.result ?? null,
      }));
      return { items, nextCursor: r.length > q.limit ? String(items[items.length - 1].id) : null };
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
