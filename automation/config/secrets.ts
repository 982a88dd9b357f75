/** Which configuration variables hold secrets: their values are never echoed, logged or stored. */

const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD)/i;

/** True for `*_KEY`, `*_TOKEN`, `*_SECRET`, `*PASSWORD*` and webhook URL variables. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) || /WEBHOOK_URL$/i.test(name);
}
