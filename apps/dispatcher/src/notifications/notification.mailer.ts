import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { DispatcherSettings } from '@caravan/config';
import { createTransport, Transporter } from 'nodemailer';
import { DISPATCHER_SETTINGS } from '../common/dispatcher.tokens';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** SMTP through nodemailer (pooled connections), configured by CARAVAN_SMTP_*; off when no host is set. */
@Injectable()
export class NotificationMailer implements OnApplicationShutdown {
  private readonly transport: Transporter | null;
  private readonly from: string;

  constructor(@Inject(DISPATCHER_SETTINGS) settings: DispatcherSettings) {
    const smtp = settings.smtp;
    this.from = smtp?.from ?? '';
    this.transport = smtp
      ? createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure,
          auth: smtp.username ? { user: smtp.username, pass: smtp.password ?? '' } : undefined,
          pool: true,
          maxConnections: 2,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 20_000,
        })
      : null;
  }

  get enabled(): boolean {
    return this.transport !== null;
  }

  async send(mail: Mail): Promise<void> {
    if (!this.transport) throw new Error('no SMTP server configured (CARAVAN_SMTP_HOST)');
    await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
