/** Email webhook channel: a POST of the documented JSON event to EMAIL_WEBHOOK_URL. */
import { DeliveryError, retryAfterMs } from './deliver.js';
import type { EscalationEvent } from './event.js';

export class EmailChannel {
  readonly name = 'email';

  constructor(private readonly url: string) {}

  async send(e: EscalationEvent, signal: AbortSignal): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'fixloop' },
        body: JSON.stringify(e),
        signal,
      });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new DeliveryError(
        code === 'TimeoutError'
          ? 'timed out'
          : code === 'ECONNREFUSED'
            ? 'connection refused'
            : `request failed (${code})`,
      );
    }
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok)
      throw new DeliveryError(
        `the email webhook answered HTTP ${response.status}`,
        response.status,
        retryAfterMs(response.headers.get('retry-after')),
      );
    return { http_status: response.status };
  }
}
