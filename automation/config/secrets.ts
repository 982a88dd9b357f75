/** Which configuration variables hold secrets: their values are never echoed, logged or stored. */

const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD)/i;

/**
 * True for `*_KEY`, `*_TOKEN`, `*_SECRET`, `*PASSWORD*`, webhook URL variables and QUEUE_URL
 * (a Redis URL may carry a password).
 */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) || /WEBHOOK_URL$/i.test(name) || name === 'QUEUE_URL';
}

/** The password (and user) a URL carries, decoded: redacted wherever the URL is not shown. */
export function urlCredentials(value: string): string[] {
  try {
    const u = new URL(value);
    return [u.password, u.username].map((v) => decodeURIComponent(v)).filter((v) => v.length >= 4);
  } catch {
    return [];
  }
}
