import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST of Alertmanager's webhook (version 4), as a receiver reads it. */
export interface Notification {
  /** The request path: which receiver of the Alertmanager config it came through. */
  path: string;
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: Array<{
    status: 'firing' | 'resolved';
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
  }>;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`; append a path per receiver. */
  readonly url: string;
  readonly notifications: Notification[];
  close(): Promise<void>;
}

/** An HTTP server that records every JSON POST it gets and answers 200, as a chat or pager webhook does. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const notifications: Notification[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      try {
        notifications.push({ ...(JSON.parse(body) as Omit<Notification, 'path'>), path: request.url ?? '' });
        response.writeHead(200).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    notifications,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
