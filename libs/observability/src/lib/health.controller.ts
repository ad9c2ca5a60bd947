import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsRegistry } from './metrics.registry';
import { ReadinessService } from './readiness.service';

@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly metrics: MetricsRegistry,
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
  async scrape(@Res() response: Response): Promise<void> {
    response.setHeader('Content-Type', this.metrics.contentType());
    response.send(await this.metrics.render());
  }
}
