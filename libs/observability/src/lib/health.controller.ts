import { Controller, Get, Header, HttpStatus, Inject, Req, Res } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { METRICS_SETTINGS, MetricsRegistry, MetricsSettings } from './metrics.registry';
import { ReadinessService } from './readiness.service';

@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly metrics: MetricsRegistry,
    @Inject(METRICS_SETTINGS) private readonly settings: MetricsSettings,
  ) {}

  /** Liveness: the process is up and its event loop answers. Depends on nothing external. */
  @Get('healthz')
  liveness(): { status: string } {
    return { status: 'ok' };
  }

  /** Readiness: 200 only when every dependency answers; 503 naming the ones that do not. */
  @Get('readyz')
  async readinessProbe(@Res() response: Response): Promise<void> {
    const report = await this.readiness.report();
    const down = Object.entries(report.checks)
      .filter(([, outcome]) => outcome.status === 'down')
      .map(([name, outcome]) => `${name} (${outcome.error})`);
    response.status(report.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: report.ready ? 'ok' : 'error',
      ...(report.ready ? {} : { message: `not ready: ${down.join('; ')}` }),
      checks: report.checks,
    });
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (!this.mayScrape(request.headers.authorization)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      response
        .status(HttpStatus.UNAUTHORIZED)
        .json({ status: false, message: 'metrics need the CARAVAN_METRICS_TOKEN' });
      return;
    }
    response.setHeader('Content-Type', this.metrics.contentType());
    response.send(await this.metrics.render());
  }

  /** Open unless CARAVAN_METRICS_TOKEN is set; then only its bearer (compared in constant time). */
  private mayScrape(authorization: string | undefined): boolean {
    if (!this.settings.token) return true;
    const presented = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim() ?? '';
    const digest = (text: string) => createHash('sha256').update(text).digest();
    return timingSafeEqual(digest(presented), digest(this.settings.token));
  }
}
