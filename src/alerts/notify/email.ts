import nodemailer from 'nodemailer';
import type { Secret } from '../../store/index.js';
import { AlertError } from '../errors.js';
import { fieldLines, headline, type NotifyChannel } from './channel.js';

export interface EmailOptions {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  /** Refuse to send without STARTTLS (default true unless the host is loopback). */
  requireTls: boolean;
  username: string | null;
  password: Secret | null;
  from: string;
  to: readonly string[];
  /** Extra CA (PEM) for a private mail relay. */
  ca?: string;
  timeoutMs?: number;
}

/** E-mail over SMTP with nodemailer: one message per alert, plain text, the triage fields in the body. */
export function emailChannel(options: EmailOptions): NotifyChannel {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure,
    requireTLS: options.requireTls,
    ignoreTLS: !options.secure && !options.requireTls,
    connectionTimeout: options.timeoutMs ?? 10_000,
    greetingTimeout: options.timeoutMs ?? 10_000,
    socketTimeout: options.timeoutMs ?? 10_000,
    ...(options.username === null || options.password === null
      ? {}
      : { auth: { user: options.username, pass: options.password.reveal() } }),
    ...(options.ca === undefined ? {} : { tls: { ca: options.ca } }),
  });
  return {
    name: 'email',
    async send(alert, { orgSlug, dashboardUrl }) {
      const text = [
        headline(alert, orgSlug),
        '',
        ...fieldLines(alert),
        '',
        `rule: ${alert.rule}`,
        `first seen: ${alert.firstSeen.toISOString()}`,
        `last seen: ${alert.lastSeen.toISOString()}`,
        `events: ${alert.eventIds.join(', ')}`,
        ...(dashboardUrl === null ? [] : ['', `${dashboardUrl}#/alerts/${alert.id}`]),
      ].join('\n');
      try {
        await transport.sendMail({
          from: options.from,
          to: [...options.to],
          subject: headline(alert, orgSlug),
          text,
          headers: { 'X-Duowatch-Alert': alert.id, 'X-Duowatch-Rule': alert.rule },
        });
      } catch (error) {
        // nodemailer's message can quote the server's reply; it never holds our password, but keep it short.
        const code = (error as { code?: unknown }).code;
        throw new AlertError(
          'alerts.email_failed',
          `e-mail via ${options.host}:${options.port} failed${typeof code === 'string' ? ` (${code})` : ''}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}
