/** Errors of the status server. */
import { FixloopError } from '../errors.js';

/** STATUS_PORT could not be listened on. */
export class StatusPortError extends FixloopError {
  constructor(port: number, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    super(
      code === 'EADDRINUSE'
        ? `STATUS_PORT ${port} is already in use by another program; ` +
            'choose another port (0 picks a free one) or unset STATUS_PORT.'
        : `The status server could not listen on 127.0.0.1:${port} (${code ?? cause}); ` +
            'choose another STATUS_PORT or unset it.',
      { code: 'STATUS_PORT_UNAVAILABLE', cause },
    );
  }
}
