/** Redaction: secrets never leave the process (prompts, logs, state, escalations). */

/** Shapes that are credentials whatever surrounds them. */
const CREDENTIALS: RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bxox[abposr]-[A-Za-z0-9-]{8,}/g,
  /https:\/\/hooks\.slack\.com\/[^\s"'<>]+/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** One character of a `key=value` secret's value. */
const VALUE = `[^\\s"',;]`;

const SHAPES: RegExp[] = [
  ...CREDENTIALS,
  // `password=…`, `api_key: …` with a value that looks like one (a digit in it, or long): words
  // such as "API_KEY: observe-only" in fixloop's own messages are not secrets.
  new RegExp(
    `((?:api[_-]?key|token|secret|password|passwd)["']?\\s*[:=]\\s*["']?)` +
      `(?=${VALUE}*\\d|${VALUE}{20})${VALUE}{6,}`,
    'gi',
  ),
];

export const REDACTED = '[redacted]';

/** Text no shape can match lacks all of these: one scan instead of one per shape. */
const MAYBE = new RegExp(
  [
    'sk-ant-',
    'gh[pousr]_',
    'github_pat_',
    'xox[abposr]-',
    'hooks\\.slack\\.com',
    'AKIA',
    'ASIA',
    '-----BEGIN',
    'api[_-]?key',
    'token',
    'secret',
    'passw',
  ].join('|'),
  'i',
);

/** Replaces known secret values and common secret shapes in `text`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  if (!MAYBE.test(out)) return out;
  for (const shape of SHAPES) {
    out = out.replace(shape, (match, prefix?: string) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return out;
}

/** Deeply redacts every string in a JSON-like value. */
export function redactDeep<T>(value: T, secrets: readonly string[] = []): T {
  if (typeof value === 'string') return redact(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
  if (value instanceof Error) {
    const cause = (value as { cause?: unknown }).cause;
    return {
      type: value.name,
      message: redact(value.message, secrets),
      stack: redact(value.stack ?? '', secrets),
      ...(cause ? { cause: redactDeep(cause, secrets) } : {}),
    } as T;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)]),
    ) as T;
  }
  return value;
}

/** True when `text` holds a known secret or a credential-shaped string (not merely `token = x`). */
export function containsSecret(text: string, secrets: readonly string[] = []): boolean {
  if (secrets.some((s) => s.length >= 4 && text.includes(s))) return true;
  return CREDENTIALS.some((shape) =>
    new RegExp(shape.source, shape.flags.replace('g', '')).test(text),
  );
}

/** Answers of `redact` for strings seen recently: a state written again and again repeats most. */
const recent = new Map<string, string>();
const RECENT_MAX = 20_000;

/** `redact` with a memory of recent answers (same secrets list assumed per process). */
function redactRemembered(text: string, secrets: readonly string[]): string {
  // Most strings hold nothing to redact: one scan says so, cheaper than remembering them.
  if (!MAYBE.test(text) && !secrets.some((s) => s.length >= 4 && text.includes(s))) return text;
  const known = recent.get(text);
  if (known !== undefined) return known;
  const out = redact(text, secrets);
  if (recent.size >= RECENT_MAX) recent.clear();
  recent.set(text, out);
  return out;
}

/** A `JSON.stringify` replacer that redacts every string value. */
export function redactingReplacer(secrets: readonly string[]) {
  return (_key: string, value: unknown) =>
    typeof value === 'string' ? redactRemembered(value, secrets) : value;
}

/** JSON text of `value` with every string redacted (what leaves the process as JSON). */
export function redactedJson(value: unknown, secrets: readonly string[], space?: number): string {
  const plain = JSON.stringify(value, undefined, space);
  // Most documents hold nothing to redact, and one scan of the whole text says so: every string
  // is in it as it is, but for quotes, backslashes and control characters, which no word of
  // MAYBE holds (a secret holding one is looked for as JSON writes it).
  const escaped = (secret: string) => JSON.stringify(secret).slice(1, -1);
  const holds = (secret: string) =>
    secret.length >= 4 && (plain.includes(secret) || plain.includes(escaped(secret)));
  if (plain === undefined || (!MAYBE.test(plain) && !secrets.some(holds))) return plain;
  return JSON.stringify(value, redactingReplacer(secrets), space);
}
